/**
 * The D1 summary row of each broadcast, written only by its BroadcastDO.
 */
import { and, eq } from "drizzle-orm";
import type { BroadcastSummary } from "../domain/broadcast";
import { countersView } from "../domain/counters";
import { database } from "./client";
import { PORTFOLIO_OF_WABA } from "./reach";
import { broadcasts } from "./schema";

export function summaryRow(s: BroadcastSummary): typeof broadcasts.$inferInsert {
  const v = countersView(s.counters);
  return {
    id: s.broadcastId,
    accountId: s.accountId,
    surface: s.surface,
    name: s.name,
    status: s.state,
    templateName: s.template.name,
    templateLanguage: s.template.language,
    senderId: s.sender.id,
    locationId: s.locationId,
    scheduledAt: s.scheduledAt,
    validUntil: s.validUntil,
    startedAt: s.startedAt,
    completedAt: s.completedAt,
    pauseReason: s.pauseReason,
    total: v.accepted,
    rejected: v.rejected,
    submitted: v.submitted,
    sent: v.sent,
    delivered: v.delivered,
    read: v.read,
    failed: v.failed,
    replied: v.replied,
    cancelled: v.cancelled,
    definition: s.definition,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export async function upsertBroadcastSummary(d1: D1Database, s: BroadcastSummary): Promise<void> {
  const row = summaryRow(s);
  const { id, accountId, createdAt, ...rest } = row;
  await database(d1)
    .insert(broadcasts)
    .values(row)
    .onConflictDoUpdate({ target: broadcasts.id, set: rest });
}

export async function deleteBroadcastSummary(d1: D1Database, accountId: string, id: string) {
  await database(d1)
    .delete(broadcasts)
    .where(and(eq(broadcasts.accountId, accountId), eq(broadcasts.id, id)));
}

export interface RecentBroadcast {
  accountId: string;
  broadcastId: string;
  status: string;
  updatedAt: string;
}

/**
 * The broadcasts of one sending number that are live or changed since
 * `since`: the only ones whose Durable Object may know a message that D1's
 * projection does not show yet. Newest first, at most `limit`.
 */
export async function recentBroadcastsOfNumber(
  d1: D1Database,
  phoneNumberId: string,
  since: string,
  limit = 20,
): Promise<RecentBroadcast[]> {
  const { results } = await d1
    .prepare(
      `SELECT b.account_id, b.id, b.status, b.updated_at FROM broadcasts b
       JOIN senders s ON s.id = b.sender_id
       WHERE s.phone_number_id = ? AND (b.status IN ('sending', 'paused') OR b.updated_at >= ?)
       ORDER BY b.updated_at DESC LIMIT ?`,
    )
    .bind(phoneNumberId, since, limit)
    .all<{ account_id: string; id: string; status: string; updated_at: string }>();
  return results.map((r) => ({
    accountId: r.account_id,
    broadcastId: r.id,
    status: r.status,
    updatedAt: r.updated_at,
  }));
}

/**
 * The account's broadcasts on any number of one portfolio (the business that
 * owns the WABA when known, else the WABA; see reach.ts) that are
 * live or changed since `since`: those whose Durable Objects may have sent
 * to people D1's projection does not show yet. Newest first, at most `limit`.
 */
export async function recentBroadcastsOfPortfolio(
  d1: D1Database,
  accountId: string,
  wabaId: string,
  since: string,
  limit = 50,
): Promise<string[]> {
  const { results } = await d1
    .prepare(
      `SELECT b.id FROM broadcasts b
       JOIN senders s ON s.id = b.sender_id
       WHERE b.account_id = ?1 AND coalesce(s.business_id, s.waba_id) = ${PORTFOLIO_OF_WABA}
         AND (b.status IN ('sending', 'paused') OR b.updated_at >= ?3)
       ORDER BY b.updated_at DESC LIMIT ?4`,
    )
    .bind(accountId, wabaId, since, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
