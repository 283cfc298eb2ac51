/**
 * Each broadcast's priced messages per day, as its BroadcastDO counts them
 * (absolute counts: a flush replaces the broadcast's rows), and an account's
 * rows over a period for GET /v1/usage.
 */
import { and, eq, gte, lte } from "drizzle-orm";
import type { PricedMessages, UsageRow } from "../domain/cost";
import { database } from "./client";
import { usage } from "./cost-schema";

const billableColumn = (b: boolean | null) => (b === null ? -1 : b ? 1 : 0);

/** D1 binds at most 100 parameters per statement: 8 columns a row, 12 rows a statement. */
const ROWS_PER_INSERT = 12;

export async function replaceBroadcastUsage(
  d1: D1Database,
  accountId: string,
  broadcastId: string,
  priced: PricedMessages[],
): Promise<void> {
  const db = database(d1);
  const rows = priced.map((p) => ({
    accountId,
    broadcastId,
    day: p.day,
    callingCode: p.callingCode,
    category: p.category,
    type: p.type,
    billable: billableColumn(p.billable),
    messages: p.messages,
  }));
  const inserts = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT)
    inserts.push(db.insert(usage).values(rows.slice(i, i + ROWS_PER_INSERT)));
  // One batch is one transaction: readers never see the broadcast half-replaced.
  await db.batch([
    db.delete(usage).where(and(eq(usage.accountId, accountId), eq(usage.broadcastId, broadcastId))),
    ...inserts,
  ]);
}

/** An account's priced messages on days from..to (YYYY-MM-DD, both included). */
export async function usageBetween(
  d1: D1Database,
  accountId: string,
  from: string,
  to: string,
): Promise<UsageRow[]> {
  const rows = await database(d1)
    .select()
    .from(usage)
    .where(and(eq(usage.accountId, accountId), gte(usage.day, from), lte(usage.day, to)));
  return rows.map((r) => ({
    broadcastId: r.broadcastId,
    day: r.day,
    callingCode: r.callingCode,
    category: r.category,
    type: r.type,
    billable: r.billable === -1 ? null : r.billable === 1,
    messages: r.messages,
  }));
}
