/**
 * Reaching an account's projection in its month shards (AccountDataDO,
 * `accountId:YYYY-MM`; docs/SCALING.md §5). Every shard is named from the
 * caller's account, so no read can leave it. Which months hold rows comes
 * from D1's control plane: the `broadcasts` summaries (one row per broadcast,
 * its `created_at` is the shard key), so an empty month is never woken.
 */
import {
  type SentRow,
  type SentSinceQuery,
  type ShardStatusFilter,
  shardMonth,
  shardName,
} from "../domain/data-shard";
import type { Bindings } from "../env";

export function accountShard(env: Bindings, accountId: string, month: string) {
  return env.ACCOUNT_DATA.get(env.ACCOUNT_DATA.idFromName(shardName(accountId, month)));
}

/** A broadcast's shard month, from its summary (null: not this account's, or gone). */
export async function broadcastMonth(
  d1: D1Database,
  accountId: string,
  broadcastId: string,
): Promise<string | null> {
  const row = await d1
    .prepare("SELECT created_at FROM broadcasts WHERE account_id = ? AND id = ?")
    .bind(accountId, broadcastId)
    .first<{ created_at: string }>();
  return row ? shardMonth(row.created_at) : null;
}

/**
 * A status changes a broadcast's summary in the same flush (the summary's
 * `updated_at` moves with its recipients'), so the months whose broadcasts
 * changed since T hold every row changed since T. A margin covers a summary
 * flushed a moment before its last rows.
 */
const SUMMARY_MARGIN_MS = 60 * 60_000;

/**
 * The account's months that hold projection rows, newest first: all of them
 * (within retention: archived broadcasts left their shard), or only those
 * with a broadcast changed at or after `changedSince`.
 */
export async function accountMonths(
  d1: D1Database,
  accountId: string,
  changedSince?: string,
): Promise<string[]> {
  const since = changedSince
    ? new Date(new Date(changedSince).getTime() - SUMMARY_MARGIN_MS).toISOString()
    : "";
  // created_at is ISO 8601 UTC (nowIso), so its first 7 characters are shardMonth's.
  // One index range over the account's summaries (broadcasts_account_created_idx).
  const { results } = await d1
    .prepare(
      `SELECT DISTINCT substr(created_at, 1, 7) AS month FROM broadcasts
       WHERE account_id = ? AND archived_at IS NULL AND updated_at >= ? ORDER BY month DESC`,
    )
    .bind(accountId, since)
    .all<{ month: string }>();
  return results.map((r) => r.month);
}

/** The shards a message_statuses filter covers: a broadcast names its one month. */
export async function monthsForStatusFilter(
  d1: D1Database,
  accountId: string,
  filter: ShardStatusFilter,
): Promise<string[]> {
  if (filter.broadcastId) {
    const month = await broadcastMonth(d1, accountId, filter.broadcastId);
    return month ? [month] : [];
  }
  return accountMonths(d1, accountId, filter.updatedSince);
}

/**
 * The account's projection rows sent at or after `q.since` (from these
 * numbers, to these people), from every month that can hold one, newest
 * first: the read behind "who got what in the last D days" (reach, a
 * frequency cap). At most `q.limit` rows from each month.
 */
export async function sentSince(
  env: Bindings,
  accountId: string,
  q: SentSinceQuery,
): Promise<SentRow[]> {
  const months = await accountMonths(env.DB, accountId, q.since);
  const rows = await Promise.all(months.map((m) => accountShard(env, accountId, m).sentSince(q)));
  return rows
    .flat()
    .sort((a, b) => (a.submittedAt < b.submittedAt ? 1 : a.submittedAt > b.submittedAt ? -1 : 0));
}
