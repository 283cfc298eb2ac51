/**
 * Locations of an account (the v1 API). Every query is scoped by account.
 */
import { and, asc, count, eq, type SQL, sql } from "drizzle-orm";
import { classes, contacts, segments } from "./audience-schema";
import { type Database, nowIso } from "./client";
import { containsPattern } from "./like";
import { contains, pageWithTotal, unknownIds } from "./pages";
import { type Location, locations, senders } from "./schema";

export interface LocationFilter {
  searchText?: string;
}

export { containsPattern };

function locationWhere(accountId: string, filter: LocationFilter): SQL | undefined {
  const conditions: SQL[] = [eq(locations.accountId, accountId)];
  if (filter.searchText) {
    conditions.push(contains(locations.name, filter.searchText));
  }
  return and(...conditions);
}

export async function listLocations(
  db: Database,
  accountId: string,
  filter: LocationFilter,
  limit: number,
  offset: number,
) {
  const where = locationWhere(accountId, filter);
  return pageWithTotal(
    db,
    db
      .select()
      .from(locations)
      .where(where)
      .orderBy(asc(locations.createdAt), asc(locations.id))
      .limit(limit)
      .offset(offset),
    locations,
    where,
  );
}

export async function getLocation(
  db: Database,
  accountId: string,
  id: string,
): Promise<Location | undefined> {
  return db
    .select()
    .from(locations)
    .where(and(eq(locations.accountId, accountId), eq(locations.id, id)))
    .get();
}

/** The ids among `ids` that are not locations of the account (one statement, any number of ids). */
export function unknownLocationIds(
  d1: D1Database,
  accountId: string,
  ids: readonly string[],
): Promise<string[]> {
  return unknownIds(d1, "locations", accountId, ids);
}

export type NewLocation = Omit<typeof locations.$inferInsert, "id" | "createdAt" | "updatedAt">;

export async function insertLocation(db: Database, values: NewLocation): Promise<Location> {
  const [row] = await db
    .insert(locations)
    .values({ ...values, id: crypto.randomUUID() })
    .returning();
  return row as Location;
}

export async function updateLocation(
  db: Database,
  accountId: string,
  id: string,
  patch: Partial<NewLocation>,
): Promise<Location | undefined> {
  const [row] = await db
    .update(locations)
    .set({ ...patch, updatedAt: nowIso() })
    .where(and(eq(locations.accountId, accountId), eq(locations.id, id)))
    .returning();
  return row;
}

/** The account's senders that send for this location (a delete is refused while any does). */
export async function locationSenderCount(
  db: Database,
  accountId: string,
  id: string,
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(senders)
    .where(and(eq(senders.accountId, accountId), eq(senders.locationId, id)));
  return row?.n ?? 0;
}

/**
 * Deletes the location only if nothing in D1 references it, in one statement
 * (so a contact added meanwhile in D1 cannot be orphaned). "deleted",
 * "missing", or "referenced". An audience in its AccountAudienceDO is checked
 * before and cleared after by the caller (src/db/audience-locations.ts).
 */
export async function deleteUnreferencedLocation(
  db: Database,
  accountId: string,
  id: string,
): Promise<"deleted" | "missing" | "referenced"> {
  const rows = await db
    .delete(locations)
    .where(
      and(
        eq(locations.accountId, accountId),
        eq(locations.id, id),
        sql`NOT EXISTS (SELECT 1 FROM ${contacts} WHERE ${contacts.locationId} = ${id})`,
        sql`NOT EXISTS (SELECT 1 FROM ${senders} WHERE ${senders.accountId} = ${accountId} AND ${senders.locationId} = ${id})`,
        sql`NOT EXISTS (SELECT 1 FROM ${segments} WHERE ${segments.locationId} = ${id})`,
        sql`NOT EXISTS (SELECT 1 FROM ${classes} WHERE ${classes.locationId} = ${id})`,
      ),
    )
    .returning({ id: locations.id });
  if (rows.length > 0) return "deleted";
  return (await getLocation(db, accountId, id)) ? "referenced" : "missing";
}
