/**
 * Retention in D1: which broadcasts are due for the archive (finished longer
 * ago than their account's `recipient_retention_days`), marking one archived
 * once its recipients are in R2 and out of the projection, and what
 * `message_statuses` needs to say when a filter reaches past retention.
 */
import type { Bindings } from "../env";
import { deleteRecipientStates } from "./recipient-states";

export const DEFAULT_RETENTION_DAYS = 400;

export interface DueBroadcast {
  accountId: string;
  broadcastId: string;
}

/**
 * Finished broadcasts not yet archived whose end (completed_at, or the last
 * update of one cancelled before it started) lies before `now` minus their
 * account's retention. Both sides are ISO 8601 UTC strings, so they compare
 * as text; strftime keeps the 'T' and 'Z' of the stored times.
 */
export async function broadcastsPastRetention(
  d1: D1Database,
  now: Date,
  limit: number,
): Promise<DueBroadcast[]> {
  const { results } = await d1
    .prepare(
      `SELECT b.account_id, b.id FROM broadcasts b JOIN accounts a ON a.id = b.account_id
       WHERE b.status IN ('completed', 'cancelled') AND b.archived_at IS NULL
         AND COALESCE(b.completed_at, b.updated_at)
             < strftime('%Y-%m-%dT%H:%M:%fZ', ?1, '-' || a.recipient_retention_days || ' days')
       ORDER BY COALESCE(b.completed_at, b.updated_at) LIMIT ?2`,
    )
    .bind(now.toISOString(), limit)
    .all<{ account_id: string; id: string }>();
  return results.map((r) => ({ accountId: r.account_id, broadcastId: r.id }));
}

/** The archive holds the recipients now: the projection lets them go, the summary remembers when. */
export async function markArchived(
  env: Bindings,
  accountId: string,
  broadcastId: string,
  at: string,
): Promise<void> {
  await deleteRecipientStates(env, accountId, broadcastId);
  await env.DB.prepare("UPDATE broadcasts SET archived_at = ? WHERE account_id = ? AND id = ?")
    .bind(at, accountId, broadcastId)
    .run();
}

export interface RetentionView {
  days: number;
  /** The broadcast named by the filter was archived (null: none named, or not this account's). */
  broadcastArchived: boolean | null;
  /** Any of the account's broadcasts was archived. */
  anyArchived: boolean;
}

export async function retentionView(
  d1: D1Database,
  accountId: string,
  broadcastId: string | null,
): Promise<RetentionView> {
  const row = await d1
    .prepare(
      `SELECT a.recipient_retention_days AS days,
         (SELECT archived_at IS NOT NULL FROM broadcasts WHERE account_id = ?1 AND id = ?2) AS named,
         EXISTS (SELECT 1 FROM broadcasts WHERE account_id = ?1 AND archived_at IS NOT NULL) AS any_archived
       FROM accounts a WHERE a.id = ?1`,
    )
    .bind(accountId, broadcastId ?? "")
    .first<{ days: number; named: number | null; any_archived: number }>();
  return {
    days: Number(row?.days ?? DEFAULT_RETENTION_DAYS),
    broadcastArchived: row?.named === null || row?.named === undefined ? null : row.named === 1,
    anyArchived: row?.any_archived === 1,
  };
}
