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
