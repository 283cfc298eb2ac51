/**
 * Classes of an account (the v1 API) and their enrolments. Every query is
 * scoped by account; only contacts of the class's account can be enrolled.
 */
import { and, asc, eq, type SQL } from "drizzle-orm";
import {
  type Class,
  classes,
  type Enrolment,
  type EnrolmentStatus,
  enrolments,
} from "./audience-schema";
import { type Database, nowIso } from "./client";
import { contains, pageWithTotal } from "./pages";

export interface ClassFilter {
  locationId?: string;
  searchText?: string;
}

function classWhere(accountId: string, filter: ClassFilter): SQL | undefined {
  const conditions: SQL[] = [eq(classes.accountId, accountId)];
  if (filter.locationId !== undefined) conditions.push(eq(classes.locationId, filter.locationId));
  if (filter.searchText?.trim()) {
    conditions.push(contains(classes.name, filter.searchText.trim()));
  }
  return and(...conditions);
}

/** Classes in start order. */
export async function listClasses(
  db: Database,
  accountId: string,
  filter: ClassFilter,
  limit: number,
  offset: number,
) {
  const where = classWhere(accountId, filter);
  return pageWithTotal(
    db,
    db
      .select()
      .from(classes)
      .where(where)
      .orderBy(asc(classes.startsAt), asc(classes.id))
      .limit(limit)
      .offset(offset),
    classes,
    where,
  );
}

export async function getClass(
  db: Database,
  accountId: string,
  id: string,
): Promise<Class | undefined> {
  return db
    .select()
    .from(classes)
    .where(and(eq(classes.accountId, accountId), eq(classes.id, id)))
    .get();
}

export type NewClass = Pick<typeof classes.$inferInsert, "name" | "startsAt" | "locationId">;

export async function insertClass(db: Database, accountId: string, values: NewClass) {
  const [row] = await db
    .insert(classes)
    .values({ ...values, accountId, id: crypto.randomUUID() })
    .returning();
  return row as Class;
}

export async function updateClass(
  db: Database,
  accountId: string,
  id: string,
  patch: Partial<NewClass>,
): Promise<Class | undefined> {
  const [row] = await db
    .update(classes)
    .set({ ...patch, updatedAt: nowIso() })
    .where(and(eq(classes.accountId, accountId), eq(classes.id, id)))
    .returning();
  return row;
}

/** Deletes the class and its enrolments. */
export async function deleteClass(db: Database, accountId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(classes)
    .where(and(eq(classes.accountId, accountId), eq(classes.id, id)))
    .returning({ id: classes.id });
  return rows.length > 0;
}

// ---- enrolments -------------------------------------------------------------------------

/** One page of the class's enrolments, in enrolment order. */
export async function listEnrolments(
  db: Database,
  accountId: string,
  classId: string,
  status: EnrolmentStatus | undefined,
  limit: number,
  offset: number,
) {
  const where = and(
    eq(enrolments.classId, classId),
    eq(enrolments.accountId, accountId),
    status ? eq(enrolments.status, status) : undefined,
  );
  return pageWithTotal(
    db,
    db
      .select()
      .from(enrolments)
      .where(where)
      .orderBy(asc(enrolments.createdAt), asc(enrolments.contactId))
      .limit(limit)
      .offset(offset),
    enrolments,
    where,
  );
}

export async function getEnrolment(
  db: Database,
  accountId: string,
  classId: string,
  contactId: string,
): Promise<Enrolment | undefined> {
  return db
    .select()
    .from(enrolments)
    .where(
      and(
        eq(enrolments.classId, classId),
        eq(enrolments.contactId, contactId),
        eq(enrolments.accountId, accountId),
      ),
    )
    .get();
}

/**
 * Enrols a contact of the account in a class of the account, in one statement
 * (a class or contact deleted meanwhile is not enrolled). "created", or
 * "exists" when the contact is already enrolled, or "missing" when the class
 * or contact is not the account's.
 */
export async function insertEnrolment(
  d1: D1Database,
  accountId: string,
  classId: string,
  contactId: string,
  status: EnrolmentStatus,
): Promise<"created" | "exists" | "missing"> {
  const now = nowIso();
  const result = await d1
    .prepare(
      `INSERT INTO enrolments (class_id, contact_id, account_id, status, created_at, updated_at)
       SELECT k.id, c.id, ?1, ?4, ?5, ?5
       FROM classes k JOIN contacts c ON c.account_id = k.account_id
       WHERE k.id = ?2 AND k.account_id = ?1 AND c.id = ?3
       ON CONFLICT DO NOTHING`,
    )
    .bind(accountId, classId, contactId, status, now)
    .run();
  if (result.meta.changes > 0) return "created";
  const exists = await d1
    .prepare(
      "SELECT 1 AS x FROM enrolments WHERE class_id = ?1 AND contact_id = ?2 AND account_id = ?3",
    )
    .bind(classId, contactId, accountId)
    .first();
  return exists ? "exists" : "missing";
}

export async function updateEnrolment(
  db: Database,
  accountId: string,
  classId: string,
  contactId: string,
  status: EnrolmentStatus,
): Promise<Enrolment | undefined> {
  const [row] = await db
    .update(enrolments)
    .set({ status, updatedAt: nowIso() })
    .where(
      and(
        eq(enrolments.classId, classId),
        eq(enrolments.contactId, contactId),
        eq(enrolments.accountId, accountId),
      ),
    )
    .returning();
  return row;
}

export async function deleteEnrolment(
  db: Database,
  accountId: string,
  classId: string,
  contactId: string,
): Promise<boolean> {
  const rows = await db
    .delete(enrolments)
    .where(
      and(
        eq(enrolments.classId, classId),
        eq(enrolments.contactId, contactId),
        eq(enrolments.accountId, accountId),
      ),
    )
    .returning({ classId: enrolments.classId });
  return rows.length > 0;
}
