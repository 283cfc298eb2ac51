/**
 * Lists of an account's broadcasts, read from their D1 summaries (a few
 * seconds behind each broadcast's Durable Object).
 */
import { and, asc, desc, eq, or, type SQL, sql } from "drizzle-orm";
import { database } from "./client";
import { containsPattern } from "./like";
import { contains, pageWithTotal, rawPageWithTotal } from "./pages";
import { type BroadcastRow, broadcasts } from "./schema";

/** Whether the account has this broadcast (of either surface). */
export async function broadcastExists(
  d1: D1Database,
  accountId: string,
  broadcastId: string,
): Promise<boolean> {
  const row = await d1
    .prepare("SELECT 1 FROM broadcasts WHERE account_id = ? AND id = ?")
    .bind(accountId, broadcastId)
    .first();
  return row !== null;
}

export interface OverviewRow {
  id: string;
  surface: "broadcasts" | "v1";
  name: string;
  status: string;
  scheduled_at: string | null;
  created_at: string;
  total: number;
  submitted: number;
  delivered: number;
  read: number;
  replied: number;
  failed: number;
  rejected: number;
}

export interface OverviewFilter {
  status?: string;
  /** Part of the name. */
  search?: string;
  limit: number;
  offset: number;
}

/** Every broadcast of the account, both surfaces, newest first: one page and the total. */
export async function listBroadcastOverview(
  d1: D1Database,
  accountId: string,
  filter: OverviewFilter,
): Promise<{ rows: OverviewRow[]; total: number }> {
  const where = ["account_id = ?"];
  const binds: (string | number)[] = [accountId];
  if (filter.status) {
    where.push("status = ?");
    binds.push(filter.status);
  }
  if (filter.search) {
    where.push("name LIKE ? ESCAPE '\\'");
    binds.push(containsPattern(filter.search));
  }
  return rawPageWithTotal<OverviewRow>(
    d1,
    {
      columns:
        "id, surface, name, status, scheduled_at, created_at, total, submitted, delivered, read, replied, failed, rejected",
      table: "broadcasts",
      where: where.join(" AND "),
      orderBy: "created_at DESC, id",
    },
    binds,
    filter.limit,
    filter.offset,
  );
}

export interface V1BroadcastFilter {
  /** ISO 8601: scheduled (created, for drafts) at or after. */
  startDate?: string;
  endDate?: string;
  locationId?: string;
  /** Part of the name or the template name. */
  searchText?: string;
  limit: number;
  offset: number;
}

/** The account's v1 broadcasts, newest first: one page and the total. */
export async function listV1Broadcasts(
  d1: D1Database,
  accountId: string,
  filter: V1BroadcastFilter,
): Promise<{ rows: BroadcastRow[]; total: number }> {
  const db = database(d1);
  const conditions: SQL[] = [eq(broadcasts.accountId, accountId), eq(broadcasts.surface, "v1")];
  // Drafts have no schedule that means anything yet: they are dated by creation.
  const when = sql`(CASE WHEN ${broadcasts.status} = 'draft' THEN ${broadcasts.createdAt} ELSE ${broadcasts.scheduledAt} END)`;
  if (filter.startDate) conditions.push(sql`${when} >= ${filter.startDate}`);
  if (filter.endDate) conditions.push(sql`${when} <= ${filter.endDate}`);
  if (filter.locationId) conditions.push(eq(broadcasts.locationId, filter.locationId));
  if (filter.searchText) {
    const match = or(
      contains(broadcasts.name, filter.searchText),
      contains(broadcasts.templateName, filter.searchText),
    );
    if (match) conditions.push(match);
  }
  const where = and(...conditions);
  return pageWithTotal(
    db,
    db
      .select()
      .from(broadcasts)
      .where(where)
      .orderBy(desc(broadcasts.createdAt), asc(broadcasts.id))
      .limit(filter.limit)
      .offset(filter.offset),
    broadcasts,
    where,
  );
}
