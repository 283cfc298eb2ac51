/**
 * Segments of an account (the v1 API) and their members. Every query is
 * scoped by account; members can only be contacts of the segment's account.
 */
import { and, asc, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import { contacts, type Segment, segmentMembers, segments } from "./audience-schema";
import { type Database, nowIso } from "./client";
import { contains, pageWithTotal, unknownIds } from "./pages";

export type SegmentWithCount = Segment & { contactCount: number };

export interface SegmentFilter {
  locationId?: string;
  searchText?: string;
}

const withCount = {
  ...getTableColumns(segments),
  contactCount: sql<number>`(SELECT count(*) FROM ${segmentMembers} WHERE ${segmentMembers.segmentId} = ${segments.id})`,
};

function segmentWhere(accountId: string, filter: SegmentFilter): SQL | undefined {
  const conditions: SQL[] = [eq(segments.accountId, accountId)];
  if (filter.locationId !== undefined) conditions.push(eq(segments.locationId, filter.locationId));
  if (filter.searchText?.trim()) {
    conditions.push(contains(segments.name, filter.searchText.trim()));
  }
  return and(...conditions);
}

export async function listSegments(
  db: Database,
  accountId: string,
  filter: SegmentFilter,
  limit: number,
  offset: number,
) {
  const where = segmentWhere(accountId, filter);
  return pageWithTotal(
    db,
    db
      .select(withCount)
      .from(segments)
      .where(where)
      .orderBy(asc(segments.createdAt), asc(segments.id))
      .limit(limit)
      .offset(offset),
    segments,
    where,
  );
}

export async function getSegment(
  db: Database,
  accountId: string,
  id: string,
): Promise<SegmentWithCount | undefined> {
  return db
    .select(withCount)
    .from(segments)
    .where(and(eq(segments.accountId, accountId), eq(segments.id, id)))
    .get();
}

/** The ids among `ids` that are not segments of the account. */
export function unknownSegmentIds(
  d1: D1Database,
  accountId: string,
  ids: readonly string[],
): Promise<string[]> {
  return unknownIds(d1, "segments", accountId, ids);
}

export type NewSegment = Pick<typeof segments.$inferInsert, "name" | "locationId">;

export async function insertSegment(
  db: Database,
  accountId: string,
  values: NewSegment,
): Promise<SegmentWithCount> {
  const [row] = await db
    .insert(segments)
    .values({ ...values, accountId, id: crypto.randomUUID() })
    .returning();
  return { ...(row as Segment), contactCount: 0 };
}

export async function updateSegment(
  db: Database,
  accountId: string,
  id: string,
  patch: Partial<NewSegment>,
): Promise<SegmentWithCount | undefined> {
  const [row] = await db
    .update(segments)
    .set({ ...patch, updatedAt: nowIso() })
    .where(and(eq(segments.accountId, accountId), eq(segments.id, id)))
    .returning({ id: segments.id });
  return row ? getSegment(db, accountId, id) : undefined;
}

/** Deletes the segment; its memberships go with it (the contacts stay). */
export async function deleteSegment(db: Database, accountId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(segments)
    .where(and(eq(segments.accountId, accountId), eq(segments.id, id)))
    .returning({ id: segments.id });
  return rows.length > 0;
}

/** One page of the segment's contacts, in contact id order. */
export async function listSegmentContacts(
  db: Database,
  accountId: string,
  segmentId: string,
  limit: number,
  offset: number,
) {
  const where = and(
    eq(segmentMembers.segmentId, segmentId),
    eq(segmentMembers.accountId, accountId),
  );
  return pageWithTotal(
    db,
    db
      .select(getTableColumns(contacts))
      .from(segmentMembers)
      .innerJoin(
        contacts,
        and(eq(contacts.id, segmentMembers.contactId), eq(contacts.accountId, accountId)),
      )
      .where(where)
      .orderBy(asc(segmentMembers.contactId))
      .limit(limit)
      .offset(offset),
    segmentMembers,
    where,
  );
}

/**
 * Adds the account's contacts among `contactIds` to the segment (already
 * members stay as they are). One statement: a contact or segment deleted
 * meanwhile is simply not added. Returns how many were added.
 */
export async function addSegmentContacts(
  d1: D1Database,
  accountId: string,
  segmentId: string,
  contactIds: readonly string[],
): Promise<number> {
  const result = await d1
    .prepare(
      `INSERT INTO segment_members (segment_id, contact_id, account_id, added_at)
       SELECT s.id, c.id, ?1, ?4
       FROM segments s JOIN contacts c ON c.account_id = s.account_id
       WHERE s.id = ?2 AND s.account_id = ?1 AND c.id IN (SELECT value FROM json_each(?3))
       ON CONFLICT DO NOTHING`,
    )
    .bind(accountId, segmentId, JSON.stringify([...new Set(contactIds)]), nowIso())
    .run();
  return result.meta.changes;
}

/** Removes these contacts from the segment; returns how many were members. */
export async function removeSegmentContacts(
  d1: D1Database,
  accountId: string,
  segmentId: string,
  contactIds: readonly string[],
): Promise<number> {
  const result = await d1
    .prepare(
      `DELETE FROM segment_members
       WHERE segment_id = ?2 AND account_id = ?1 AND contact_id IN (SELECT value FROM json_each(?3))`,
    )
    .bind(accountId, segmentId, JSON.stringify([...new Set(contactIds)]))
    .run();
  return result.meta.changes;
}

export async function segmentContactCount(
  d1: D1Database,
  accountId: string,
  segmentId: string,
): Promise<number> {
  const row = await d1
    .prepare("SELECT count(*) AS n FROM segment_members WHERE segment_id = ?1 AND account_id = ?2")
    .bind(segmentId, accountId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
