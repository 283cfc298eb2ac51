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
