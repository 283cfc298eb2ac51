/**
 * Audience resolution for v1 broadcasts: the contacts a broadcast of type
 * `client`, `segment` or `class` goes to, read page by page so that 100,000
 * contacts stream without ever being loaded at once.
 *
 * Every page holds only opted-in contacts of the account whose phone is not
 * on the account's suppression list. A phone is unique within an account, so
 * one contact per phone: a contact in several segments comes once. Pages are
 * read by keyset (a cursor, never an offset), each in one indexed range scan:
 * `client` in phone order, `segment` and `class` in contact id order. The
 * cursor is opaque; a consumer may keep it to resume later.
 *
 * Where the audience is in D1 (an account on the "d1" or "dual" plane) one
 * statement joins the suppressions and the location's timezone. Where it is
 * in the account's AccountAudienceDO, which cannot join D1's tables, the
 * object answers the opted-in rows in the same order and this module keeps
 * the eligible ones against D1 (./audience-eligibility.ts), reading on until
 * the page is full: the same pages and cursors either way.
 */
import type { Bindings } from "../env";
import { keepEligible } from "./audience-eligibility";
import { ENROLMENT_STATUSES, type EnrolmentStatus } from "./audience-schema";
import { audienceStore } from "./audience-store";
import { parseCustomFields } from "./contacts";

export interface AudienceContact {
  id: string;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  /** E.164 digits without '+'. */
  phone: string;
  customFields: Record<string, string>;
  /** The IANA zone of the contact's location, when it has one. */
  timezone: string | null;
}

export type AudienceSource =
  | { type: "client"; locationId: string | null }
  | { type: "segment"; segmentIds: readonly string[] }
  | { type: "class"; classId: string; status: EnrolmentStatus | "ALL" };

export interface AudiencePage {
  contacts: AudienceContact[];
  /** Where the next page starts; null when this was the last page. */
  cursor: string | null;
}

export const AUDIENCE_PAGE_SIZE = 1_000;
/** Segments one audience may combine (each costs a bound parameter and a compound term). */
export const MAX_AUDIENCE_SEGMENTS = 50;

interface Row {
  id: string;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string;
  custom_fields: string;
  user_id: string | null;
  location_id: string | null;
  timezone: string | null;
  /** The ordering key of the row: its phone (client) or its contact id. */
  k: string;
}

/** An opted-in contact as the audience store holds it, before D1's suppressions and timezones. */
export interface StoredAudienceRow {
  id: string;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string;
  customFields: string;
  userId: string | null;
  locationId: string | null;
  /** Its place in the page order: the cursor after it. */
  key: string;
}

/** Opted in, and on the suppression list neither by phone nor by user id (a STOP from a user id). */
const ELIGIBLE = `c.opted_in = 1 AND NOT EXISTS (
  SELECT 1 FROM suppressions s WHERE s.account_id = c.account_id AND s.phone = c.phone)
  AND (c.user_id IS NULL OR NOT EXISTS (
  SELECT 1 FROM suppressions s WHERE s.account_id = c.account_id
    AND (s.phone = c.user_id OR s.user_id = c.user_id)))`;

const IN_D1 = {
  eligible: ELIGIBLE,
  columns: `c.id, c.name, c.first_name, c.last_name, c.phone, c.custom_fields, c.user_id, c.location_id,
  (SELECT l.timezone FROM locations l WHERE l.id = c.location_id) AS timezone`,
};

/** In the audience store: suppressions and locations are D1's, checked by the caller. */
const IN_STORE = {
  eligible: "c.opted_in = 1",
  columns: `c.id, c.name, c.first_name, c.last_name, c.phone, c.custom_fields, c.user_id, c.location_id,
  NULL AS timezone`,
};

function statement(
  d1: D1Database,
  accountId: string,
  source: AudienceSource,
  after: string,
  pageSize: number,
  where: typeof IN_D1,
): D1PreparedStatement {
  const { eligible: ELIGIBLE, columns: CONTACT_COLUMNS } = where;
  switch (source.type) {
    case "client": {
      // ?1 account, ?2 cursor (phone), ?3 page size, ?4 location.
      const byLocation = source.locationId !== null;
      const sql = `SELECT ${CONTACT_COLUMNS}, c.phone AS k FROM contacts c
        WHERE ${byLocation ? "c.location_id = ?4 AND c.account_id = ?1" : "c.account_id = ?1"}
          AND c.phone > ?2 AND ${ELIGIBLE}
        ORDER BY c.phone LIMIT ?3`;
      const stmt = d1.prepare(sql);
      return byLocation
        ? stmt.bind(accountId, after, pageSize, source.locationId)
        : stmt.bind(accountId, after, pageSize);
    }
    case "segment": {
      // ?1 account, ?2 cursor (contact id), ?3 page size, ?4… the segments. The
      // first page of each segment past the cursor, merged: the union's first
      // `pageSize` ids are exactly the next page of the deduplicated whole.
      const ids = [...new Set(source.segmentIds)];
      const terms = ids.map(
        (_, i) => `SELECT contact_id FROM (
          SELECT m.contact_id FROM segment_members m JOIN contacts c ON c.id = m.contact_id
          WHERE m.segment_id = ?${i + 4} AND m.account_id = ?1 AND m.contact_id > ?2
            AND c.account_id = ?1 AND ${ELIGIBLE}
          ORDER BY m.contact_id LIMIT ?3)`,
      );
      const sql = `WITH page AS (${terms.join(" UNION ")} ORDER BY contact_id LIMIT ?3)
        SELECT ${CONTACT_COLUMNS}, c.id AS k FROM page JOIN contacts c ON c.id = page.contact_id
        ORDER BY c.id`;
      return d1.prepare(sql).bind(accountId, after, pageSize, ...ids);
    }
    case "class": {
      // ?1 account, ?2 cursor (contact id), ?3 page size, ?4 class, ?5 status.
      const byStatus = source.status !== "ALL";
      const sql = `SELECT ${CONTACT_COLUMNS}, e.contact_id AS k
        FROM enrolments e JOIN contacts c ON c.id = e.contact_id
        WHERE e.class_id = ?4 AND e.account_id = ?1 AND e.contact_id > ?2
          ${byStatus ? "AND e.status = ?5" : ""} AND c.account_id = ?1 AND ${ELIGIBLE}
        ORDER BY e.contact_id LIMIT ?3`;
      const stmt = d1.prepare(sql);
      return byStatus
        ? stmt.bind(accountId, after, pageSize, source.classId, source.status)
        : stmt.bind(accountId, after, pageSize, source.classId);
    }
  }
}

function checkSource(source: AudienceSource) {
  if (source.type === "segment" && new Set(source.segmentIds).size > MAX_AUDIENCE_SEGMENTS) {
    throw new RangeError(`An audience combines at most ${MAX_AUDIENCE_SEGMENTS} segments`);
  }
  if (
    source.type === "class" &&
    source.status !== "ALL" &&
    !ENROLMENT_STATUSES.includes(source.status)
  ) {
    throw new RangeError(`Unknown enrolment status ${String(source.status)}`);
  }
}

/**
 * The store's side of a page: up to `pageSize` opted-in contacts after
 * `after`, in the page order, suppressions not yet checked (run inside the
 * AccountAudienceDO over its own storage).
 */
export async function audienceRows(
  d1: D1Database,
  accountId: string,
  source: AudienceSource,
  after: string,
  pageSize: number,
): Promise<StoredAudienceRow[]> {
  checkSource(source);
  if (source.type === "segment" && source.segmentIds.length === 0) return [];
  const { results } = await statement(d1, accountId, source, after, pageSize, IN_STORE).all<Row>();
  return results.map((r) => ({
    id: r.id,
    name: r.name,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.phone,
    customFields: r.custom_fields,
    userId: r.user_id,
    locationId: r.location_id,
    key: r.k,
  }));
}

/**
 * One page of the audience after `cursor` (null: from the start). A page is
 * full (`pageSize` contacts) unless it is the last, whose `cursor` is null.
 */
export async function fetchAudiencePage(
  env: Bindings,
  accountId: string,
  source: AudienceSource,
  cursor: string | null,
  pageSize = AUDIENCE_PAGE_SIZE,
): Promise<AudiencePage> {
  checkSource(source);
  if (source.type === "segment" && source.segmentIds.length === 0) {
    return { contacts: [], cursor: null };
  }
  const store = await audienceStore(env, accountId);
  if (store.where === "store") {
    return fillPage(env.DB, accountId, cursor ?? "", pageSize, (after) =>
      store.ops.audienceRows(accountId, source, after, pageSize),
    );
  }
  const { results } = await statement(
    env.DB,
    accountId,
    source,
    cursor ?? "",
    pageSize,
    IN_D1,
  ).all<Row>();
  const last = results[results.length - 1];
  return {
    contacts: results.map((r) => ({
      id: r.id,
      name: r.name,
      firstName: r.first_name,
      lastName: r.last_name,
      phone: r.phone,
      customFields: parseCustomFields(r.custom_fields),
      timezone: r.timezone,
    })),
    cursor: results.length === pageSize && last ? last.k : null,
  };
}

/**
 * A full page from the store's rows: each read of `pageSize` rows keeps the
 * eligible ones, and reads on after the last row read until the page is
 * full or the store has no more. The cursor is the last kept row's key, so
 * the next page starts right after it, as in D1.
 */
async function fillPage(
  d1: D1Database,
  accountId: string,
  from: string,
  pageSize: number,
  read: (after: string) => Promise<StoredAudienceRow[]>,
): Promise<AudiencePage> {
  const kept: { contact: AudienceContact; key: string }[] = [];
  let after = from;
  for (;;) {
    const rows = await read(after);
    for (const row of await keepEligible(d1, accountId, rows)) {
      kept.push(row);
      if (kept.length === pageSize) {
        return { contacts: kept.map((k) => k.contact), cursor: row.key };
      }
    }
    const last = rows[rows.length - 1];
    if (rows.length < pageSize || !last) {
      return { contacts: kept.map((k) => k.contact), cursor: null };
    }
    after = last.key;
  }
}

/** The whole audience, page by page (never an empty page). */
export async function* streamAudience(
  env: Bindings,
  accountId: string,
  source: AudienceSource,
  pageSize = AUDIENCE_PAGE_SIZE,
): AsyncGenerator<AudienceContact[], void, undefined> {
  let cursor: string | null = null;
  do {
    const page: AudiencePage = await fetchAudiencePage(env, accountId, source, cursor, pageSize);
    if (page.contacts.length > 0) yield page.contacts;
    cursor = page.cursor;
  } while (cursor !== null);
}

/** `client`: every opted-in contact of the account, or of one of its locations. */
export function audienceForClient(
  env: Bindings,
  accountId: string,
  locationId: string | null,
  pageSize = AUDIENCE_PAGE_SIZE,
) {
  return streamAudience(env, accountId, { type: "client", locationId }, pageSize);
}

/** `segment`: the opted-in contacts of any of these segments, each once. */
export function audienceForSegments(
  env: Bindings,
  accountId: string,
  segmentIds: readonly string[],
  pageSize = AUDIENCE_PAGE_SIZE,
) {
  return streamAudience(env, accountId, { type: "segment", segmentIds }, pageSize);
}

/** `class`: the opted-in contacts enrolled in the class with this status (or any, "ALL"). */
export function audienceForClass(
  env: Bindings,
  accountId: string,
  classId: string,
  status: EnrolmentStatus | "ALL",
  pageSize = AUDIENCE_PAGE_SIZE,
) {
  return streamAudience(env, accountId, { type: "class", classId, status }, pageSize);
}
