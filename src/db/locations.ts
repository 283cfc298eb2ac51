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

export interface LocationReferences {
  contacts: number;
  senders: number;
  segments: number;
  classes: number;
}

export async function locationReferences(
  db: Database,
  accountId: string,
  id: string,
): Promise<LocationReferences> {
  const [c, s, g, k] = await db.batch([
    db
      .select({ n: count() })
      .from(contacts)
      .where(and(eq(contacts.locationId, id), eq(contacts.accountId, accountId))),
    db
      .select({ n: count() })
      .from(senders)
      .where(and(eq(senders.accountId, accountId), eq(senders.locationId, id))),
    db
      .select({ n: count() })
      .from(segments)
      .where(and(eq(segments.locationId, id), eq(segments.accountId, accountId))),
    db
      .select({ n: count() })
      .from(classes)
      .where(and(eq(classes.locationId, id), eq(classes.accountId, accountId))),
  ]);
  return {
    contacts: c[0]?.n ?? 0,
    senders: s[0]?.n ?? 0,
    segments: g[0]?.n ?? 0,
    classes: k[0]?.n ?? 0,
  };
}

/**
 * Deletes the location only if nothing references it, in one statement (so a
 * contact added meanwhile cannot be orphaned). "deleted", "missing", or
 * "referenced".
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
