/**
 * What every paged list of an account's resources shares: a name search
 * (`LIKE`, the wildcards escaped) and one page with the total, read in one
 * D1 batch so that the two agree.
 */
import { count, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "./client";
import { containsPattern } from "./like";

/** `column LIKE '%text%'`, with the wildcards in `text` escaped. */
export const contains = (column: SQLiteColumn, text: string): SQL =>
  sql`${column} LIKE ${containsPattern(text)} ESCAPE '\\'`;

/** `page`'s rows and how many rows `where` selects from `table`. */
export async function pageWithTotal<Q extends BatchItem<"sqlite">>(
  db: Database,
  page: Q,
  table: SQLiteTable,
  where: SQL | undefined,
): Promise<{ rows: Q["_"]["result"]; total: number }> {
  const [rows, total] = await db.batch([page, db.select({ n: count() }).from(table).where(where)]);
  return { rows, total: total[0]?.n ?? 0 };
}

/**
 * The ids among `ids` that are not rows of the account in `table`: one
 * statement for any number of ids (a JSON parameter, not one bind each).
 */
export async function unknownIds(
  d1: D1Database,
  table: "contacts" | "locations" | "segments",
  accountId: string,
  ids: readonly string[],
): Promise<string[]> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  const { results } = await d1
    .prepare(
      `SELECT id FROM ${table} WHERE account_id = ?1 AND id IN (SELECT value FROM json_each(?2))`,
    )
    .bind(accountId, JSON.stringify(wanted))
    .all<{ id: string }>();
  const found = new Set(results.map((r) => r.id));
  return wanted.filter((id) => !found.has(id));
}

/** pageWithTotal for a raw statement: `SELECT columns FROM table WHERE where ORDER BY orderBy`, paged, and its count. */
export async function rawPageWithTotal<Row>(
  d1: D1Database,
  query: { columns: string; table: string; where: string; orderBy: string },
  binds: (string | number)[],
  limit: number,
  offset: number,
): Promise<{ rows: Row[]; total: number }> {
  const { columns, table, where, orderBy } = query;
  const [page, count] = await d1.batch([
    d1
      .prepare(
        `SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`,
      )
      .bind(...binds, limit, offset),
    d1.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).bind(...binds),
  ]);
  return {
    rows: (page?.results ?? []) as Row[],
    total: Number((count?.results?.[0] as { n: number } | undefined)?.n ?? 0),
  };
}
