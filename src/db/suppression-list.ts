/**
 * The account's suppression list as a resource (/v1/suppressions): read,
 * add and remove entries. ./suppressions keeps what the engine needs.
 * Phones are E.164 digits without '+'. Every query is scoped by account.
 */
import { and, asc, desc, eq } from "drizzle-orm";
import type { Database } from "./client";
import { pageWithTotal } from "./pages";
import { suppressions } from "./schema";

export type Suppression = typeof suppressions.$inferSelect;

/** Newest first. */
export async function listSuppressions(
  db: Database,
  accountId: string,
  limit: number,
  offset: number,
) {
  const where = eq(suppressions.accountId, accountId);
  return pageWithTotal(
    db,
    db
      .select()
      .from(suppressions)
      .where(where)
      .orderBy(desc(suppressions.createdAt), asc(suppressions.phone))
      .limit(limit)
      .offset(offset),
    suppressions,
    where,
  );
}

export async function getSuppression(
  db: Database,
  accountId: string,
  phone: string,
): Promise<Suppression | undefined> {
  return db
    .select()
    .from(suppressions)
    .where(and(eq(suppressions.accountId, accountId), eq(suppressions.phone, phone)))
    .get();
}

/** Adds the phone; undefined if it is already on the list (which is left as it is). */
export async function insertSuppression(
  db: Database,
  accountId: string,
  phone: string,
  reason: string,
): Promise<Suppression | undefined> {
  const [row] = await db
    .insert(suppressions)
    .values({ accountId, phone, reason })
    .onConflictDoNothing()
    .returning();
  return row;
}

export async function deleteSuppression(
  db: Database,
  accountId: string,
  phone: string,
): Promise<boolean> {
  const rows = await db
    .delete(suppressions)
    .where(and(eq(suppressions.accountId, accountId), eq(suppressions.phone, phone)))
    .returning({ phone: suppressions.phone });
  return rows.length > 0;
}

/** Where an entry of the list came from. */
export type SuppressionSource = "stop_reply" | "manual" | "user_preferences" | "131050";

/**
 * One entry as /v1/suppressions shows it: `all` (a STOP reply or a manual
 * entry: nothing is sent) or `marketing` (Meta's marketing opt-out: utility still goes).
 */
export interface SuppressionEntry {
  phone: string | null;
  userId: string | null;
  reason: string;
  scope: "all" | "marketing";
  source: SuppressionSource;
  createdAt: string;
}

/** The STOP reply's reason, as the events consumer writes it (queues/events.ts). */
export const STOP_REPLY_REASON = "Recipient replied STOP";

/** A marketing opt-out kept under both a phone and a user id is listed once, by its phone. */
const MARKETING_ROWS = `FROM marketing_opt_outs WHERE account_id = ? AND state = 'stop' AND (phone IS NULL OR subject = phone)`;

/** Both kinds, newest first, with the total. */
export async function listSuppressionEntries(
  d1: D1Database,
  accountId: string,
  limit: number,
  offset: number,
  phone: string | null = null,
): Promise<{ rows: SuppressionEntry[]; total: number }> {
  const byPhone = phone === null ? "" : " AND phone = ?";
  const binds = (extra: unknown[]) => (phone === null ? extra : [...extra, phone]);
  const [rows, allCount, marketingCount] = await d1.batch([
    d1
      .prepare(
        `SELECT CASE WHEN phone = user_id THEN NULL ELSE phone END AS phone, user_id, reason, 'all' AS scope,
           CASE WHEN reason = ? THEN 'stop_reply' ELSE 'manual' END AS source, created_at
         FROM suppressions WHERE account_id = ?${byPhone}
         UNION ALL
         SELECT phone, user_id, detail AS reason, 'marketing' AS scope, source, updated_at AS created_at
         ${MARKETING_ROWS}${byPhone}
         ORDER BY created_at DESC, phone LIMIT ? OFFSET ?`,
      )
      .bind(...binds([STOP_REPLY_REASON, accountId]), ...binds([accountId]), limit, offset),
    d1
      .prepare(`SELECT COUNT(*) AS n FROM suppressions WHERE account_id = ?${byPhone}`)
      .bind(...binds([accountId])),
    d1.prepare(`SELECT COUNT(*) AS n ${MARKETING_ROWS}${byPhone}`).bind(...binds([accountId])),
  ]);
  const count = (r: D1Result | undefined) =>
    Number((r?.results[0] as { n: number } | undefined)?.n ?? 0);
  return {
    rows: ((rows?.results ?? []) as Record<string, unknown>[]).map((r) => ({
      phone: (r.phone as string | null) ?? null,
      userId: (r.user_id as string | null) ?? null,
      reason: String(r.reason),
      scope: r.scope === "marketing" ? "marketing" : "all",
      source: String(r.source) as SuppressionSource,
      createdAt: String(r.created_at),
    })),
    total: count(allCount) + count(marketingCount),
  };
}
