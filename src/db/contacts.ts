/**
 * Contacts of an account (the v1 API): one per phone number within the
 * account. Every query is scoped by account.
 */
import { and, asc, eq, or, type SQL } from "drizzle-orm";
import { type Contact, contacts } from "./audience-schema";
import { type Database, nowIso } from "./client";
import { contains, pageWithTotal, unknownIds } from "./pages";

export interface ContactFilter {
  locationId?: string;
  searchText?: string;
  optedIn?: boolean;
}

function contactWhere(accountId: string, filter: ContactFilter): SQL | undefined {
  const conditions: (SQL | undefined)[] = [eq(contacts.accountId, accountId)];
  if (filter.locationId !== undefined) conditions.push(eq(contacts.locationId, filter.locationId));
  if (filter.optedIn !== undefined) conditions.push(eq(contacts.optedIn, filter.optedIn));
  const text = filter.searchText?.trim();
  if (text) {
    const matches = [contacts.name, contacts.firstName, contacts.lastName].map((column) =>
      contains(column, text),
    );
    // Phones are stored as digits: "+44 7911" searches for "447911".
    const digits = text.replace(/[\s\-().+]/g, "");
    if (/^\d+$/.test(digits)) {
      matches.push(contains(contacts.phone, digits));
    }
    conditions.push(or(...matches));
  }
  return and(...conditions);
}

export async function listContacts(
  db: Database,
  accountId: string,
  filter: ContactFilter,
  limit: number,
  offset: number,
) {
  const where = contactWhere(accountId, filter);
  return pageWithTotal(
    db,
    db
      .select()
      .from(contacts)
      .where(where)
      .orderBy(asc(contacts.createdAt), asc(contacts.id))
      .limit(limit)
      .offset(offset),
    contacts,
    where,
  );
}

export async function getContact(
  db: Database,
  accountId: string,
  id: string,
): Promise<Contact | undefined> {
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.accountId, accountId), eq(contacts.id, id)))
    .get();
}

export async function findContactByPhone(
  db: Database,
  accountId: string,
  phone: string,
): Promise<Contact | undefined> {
  return db
    .select()
    .from(contacts)
    .where(and(eq(contacts.accountId, accountId), eq(contacts.phone, phone)))
    .get();
}

/** The ids among `ids` that are not contacts of the account (one statement, any number of ids). */
export function unknownContactIds(
  d1: D1Database,
  accountId: string,
  ids: readonly string[],
): Promise<string[]> {
  return unknownIds(d1, "contacts", accountId, ids);
}

/** What a write may say about a contact; `undefined` leaves a field as it is. */
export interface ContactInput {
  phone?: string;
  /** A business-scoped user id; null clears it. */
  userId?: string | null;
  name?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  locationId?: string | null;
  optedIn?: boolean;
  customFields?: Record<string, string>;
}

/** Every stored field of a contact except its id, account and timestamps. */
export interface ContactValues {
  /** E.164 digits; for a contact known only by a user id, that user id (the address it is sent to). */
  phone: string;
  userId?: string | null;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  locationId: string | null;
  optedIn: boolean;
  customFields: Record<string, string>;
}

/** "firstName lastName", or null when both are empty. */
export function derivedName(firstName: string | null, lastName: string | null): string | null {
  const name = [firstName, lastName]
    .filter((part) => part)
    .join(" ")
    .trim();
  return name || null;
}

/** The given value (blank reads as null), or the current one when the value is absent. */
const pick = (value: string | null | undefined, current: string | null | undefined) =>
  value === undefined ? (current ?? null) : value?.trim() || null;

/**
 * Applies `input` to `existing` (or to a new contact). `name` follows the first
 * and last name when it is absent: on create, and on update while the stored
 * name is still the derived one (an explicit name is kept).
 */
export function mergeContact(
  existing: ContactValues | undefined,
  input: ContactInput & { phone: string },
): ContactValues;
export function mergeContact(existing: ContactValues, input: ContactInput): ContactValues;
export function mergeContact(
  existing: ContactValues | undefined,
  input: ContactInput,
): ContactValues {
  const firstName = pick(input.firstName, existing?.firstName);
  const lastName = pick(input.lastName, existing?.lastName);
  let name: string | null;
  if (input.name?.trim()) name = input.name.trim();
  else if (
    input.name !== undefined ||
    !existing ||
    existing.name === derivedName(existing.firstName, existing.lastName)
  ) {
    name = derivedName(firstName, lastName);
  } else name = existing.name;
  return {
    phone: input.phone ?? existing?.phone ?? "",
    userId: input.userId !== undefined ? input.userId : (existing?.userId ?? null),
    name,
    firstName,
    lastName,
    locationId: input.locationId !== undefined ? input.locationId : (existing?.locationId ?? null),
    optedIn: input.optedIn ?? existing?.optedIn ?? true,
    customFields: input.customFields ?? existing?.customFields ?? {},
  };
}

export function parseCustomFields(text: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) {
      return value as Record<string, string>;
    }
  } catch {
    // A malformed value reads as no fields.
  }
  return {};
}

export function contactValues(row: Contact): ContactValues {
  return {
    phone: row.phone,
    userId: row.userId,
    name: row.name,
    firstName: row.firstName,
    lastName: row.lastName,
    locationId: row.locationId,
    optedIn: row.optedIn,
    customFields: parseCustomFields(row.customFields),
  };
}

const columns = (values: ContactValues) => ({
  phone: values.phone,
  // Absent: left as it is (the bulk upsert and older callers do not know user ids).
  ...(values.userId !== undefined ? { userId: values.userId } : {}),
  name: values.name,
  firstName: values.firstName,
  lastName: values.lastName,
  locationId: values.locationId,
  optedIn: values.optedIn,
  customFields: JSON.stringify(values.customFields),
});

export async function insertContact(
  db: Database,
  accountId: string,
  values: ContactValues,
): Promise<Contact> {
  const [row] = await db
    .insert(contacts)
    .values({ ...columns(values), id: crypto.randomUUID(), accountId })
    .returning();
  return row as Contact;
}

export async function updateContact(
  db: Database,
  accountId: string,
  id: string,
  values: ContactValues,
): Promise<Contact | undefined> {
  const [row] = await db
    .update(contacts)
    .set({ ...columns(values), updatedAt: nowIso() })
    .where(and(eq(contacts.accountId, accountId), eq(contacts.id, id)))
    .returning();
  return row;
}

export async function deleteContact(db: Database, accountId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(contacts)
    .where(and(eq(contacts.accountId, accountId), eq(contacts.id, id)))
    .returning({ id: contacts.id });
  return rows.length > 0;
}

/** True when the error is SQLite's unique constraint (a phone taken meanwhile). */
export function isUniqueViolation(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : "";
  return /UNIQUE constraint failed/i.test(text);
}

// ---- bulk upsert ------------------------------------------------------------------------

/** Phones looked up per statement (one bound JSON parameter each). */
const LOOKUP_CHUNK = 2_000;
/** Rows written per statement, and the most JSON bytes bound to one (D1 allows 2 MB per value). */
const WRITE_CHUNK_ROWS = 1_000;
const WRITE_CHUNK_BYTES = 900_000;

interface ExistingRow {
  id: string;
  phone: string;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  location_id: string | null;
  opted_in: number;
  custom_fields: string;
}

const UPSERT_SQL = `INSERT INTO contacts
  (id, account_id, location_id, name, first_name, last_name, phone, opted_in, custom_fields, created_at, updated_at)
SELECT json_extract(value, '$[0]'), ?1, json_extract(value, '$[1]'), json_extract(value, '$[2]'),
  json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
  json_extract(value, '$[6]'), json_extract(value, '$[7]'), ?2, ?2
FROM json_each(?3) WHERE true
ON CONFLICT (account_id, phone) DO UPDATE SET
  location_id = excluded.location_id, name = excluded.name, first_name = excluded.first_name,
  last_name = excluded.last_name, opted_in = excluded.opted_in,
  custom_fields = excluded.custom_fields, updated_at = excluded.updated_at`;

/**
 * Upserts contacts by phone: a known phone is updated with the fields its row
 * gives, an unknown one is created. Rows must be valid and their phones
 * distinct. All writes go in one D1 batch (one transaction): each statement
 * takes its rows as a single JSON parameter, so any number of rows stays far
 * under D1's 100 bound parameters per statement.
 */
export async function bulkUpsertContacts(
  d1: D1Database,
  accountId: string,
  rows: ReadonlyArray<ContactInput & { phone: string }>,
): Promise<{ created: number; updated: number }> {
  if (rows.length === 0) return { created: 0, updated: 0 };
  const lookup = d1.prepare(
    `SELECT id, phone, name, first_name, last_name, location_id, opted_in, custom_fields
     FROM contacts WHERE account_id = ?1 AND phone IN (SELECT value FROM json_each(?2))`,
  );
  const lookups: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += LOOKUP_CHUNK) {
    const phones = rows.slice(i, i + LOOKUP_CHUNK).map((r) => r.phone);
    lookups.push(lookup.bind(accountId, JSON.stringify(phones)));
  }
  const existing = new Map<string, { id: string; values: ContactValues }>();
  for (const result of await d1.batch<ExistingRow>(lookups)) {
    for (const r of result.results) {
      existing.set(r.phone, {
        id: r.id,
        values: {
          phone: r.phone,
          name: r.name,
          firstName: r.first_name,
          lastName: r.last_name,
          locationId: r.location_id,
          optedIn: r.opted_in === 1,
          customFields: parseCustomFields(r.custom_fields),
        },
      });
    }
  }

  const upsert = d1.prepare(UPSERT_SQL);
  const now = nowIso();
  const writes: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    writes.push(upsert.bind(accountId, now, `[${chunk.join(",")}]`));
    chunk = [];
    bytes = 0;
  };
  let updated = 0;
  for (const row of rows) {
    const known = existing.get(row.phone);
    if (known) updated += 1;
    const v = mergeContact(known?.values, row);
    const json = JSON.stringify([
      known?.id ?? crypto.randomUUID(),
      v.locationId,
      v.name,
      v.firstName,
      v.lastName,
      v.phone,
      v.optedIn,
      JSON.stringify(v.customFields),
    ]);
    // At most 3 UTF-8 bytes per UTF-16 unit: a bound that needs no encoding.
    const size = json.length * 3;
    if (
      chunk.length >= WRITE_CHUNK_ROWS ||
      (chunk.length > 0 && bytes + size > WRITE_CHUNK_BYTES)
    ) {
      flush();
    }
    chunk.push(json);
    bytes += size + 1;
  }
  flush();
  await d1.batch(writes);
  return { created: rows.length - updated, updated };
}

/**
 * Meta named a phone and a business-scoped user id together: the contact of
 * that phone keeps the user id (a later one replaces it: Meta's ids are per
 * portfolio, the latest is the one it sends). One statement for many.
 */
export async function learnContactUserIds(
  d1: D1Database,
  learned: readonly { accountId: string; phone: string; userId: string }[],
): Promise<void> {
  if (learned.length === 0) return;
  const at = nowIso();
  await d1.batch(
    learned.map((l) =>
      d1
        .prepare(
          "UPDATE contacts SET user_id = ?3, updated_at = ?4 WHERE account_id = ?1 AND phone = ?2 AND user_id IS NOT ?3",
        )
        .bind(l.accountId, l.phone, l.userId, at),
    ),
  );
}

/** The contacts Meta knows by this user id opt out (a STOP from a user id alone). */
export async function optOutContactByUserId(
  d1: D1Database,
  accountId: string,
  userId: string,
): Promise<boolean> {
  const result = await d1
    .prepare(
      "UPDATE contacts SET opted_in = 0, updated_at = ?3 WHERE account_id = ?1 AND user_id = ?2 AND opted_in = 1",
    )
    .bind(accountId, userId, nowIso())
    .run();
  return result.meta.changes > 0;
}

/** Opts the contact with this phone out (a STOP reply); true if there was one. */
export async function optOutContact(
  d1: D1Database,
  accountId: string,
  phone: string,
): Promise<boolean> {
  const result = await d1
    .prepare(
      "UPDATE contacts SET opted_in = 0, updated_at = ?3 WHERE account_id = ?1 AND phone = ?2 AND opted_in = 1",
    )
    .bind(accountId, phone, nowIso())
    .run();
  return result.meta.changes > 0;
}

/**
 * Deletes the account's contact with this number (memberships and enrolments
 * cascade); answers the contacts deleted, counted by RETURNING, because D1's
 * `changes` counts the cascaded rows too.
 */
export async function deleteContactByPhone(
  d1: D1Database,
  accountId: string,
  digits: string,
): Promise<number> {
  const { results } = await d1
    .prepare("DELETE FROM contacts WHERE account_id = ? AND phone = ? RETURNING id")
    .bind(accountId, digits)
    .all<{ id: string }>();
  return results.length;
}

/** What a retarget needs of the contacts with these phones (one statement for a page). */
export interface ContactByPhone {
  phone: string;
  id: string;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  customFields: string;
  locationId: string | null;
  optedIn: boolean;
}

export async function contactsByPhones(
  d1: D1Database,
  accountId: string,
  phones: readonly string[],
): Promise<ContactByPhone[]> {
  if (phones.length === 0) return [];
  const { results } = await d1
    .prepare(
      `SELECT phone, id, name, first_name, last_name, custom_fields, location_id, opted_in
       FROM contacts WHERE account_id = ?1 AND phone IN (SELECT value FROM json_each(?2))`,
    )
    .bind(accountId, JSON.stringify([...new Set(phones)]))
    .all<{
      phone: string;
      id: string;
      name: string | null;
      first_name: string | null;
      last_name: string | null;
      custom_fields: string;
      location_id: string | null;
      opted_in: number;
    }>();
  return results.map((r) => ({
    phone: r.phone,
    id: r.id,
    name: r.name,
    firstName: r.first_name,
    lastName: r.last_name,
    customFields: r.custom_fields,
    locationId: r.location_id,
    optedIn: Number(r.opted_in) === 1,
  }));
}
