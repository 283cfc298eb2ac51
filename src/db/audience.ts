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
 */
import { ENROLMENT_STATUSES, type EnrolmentStatus } from "./audience-schema";
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
  timezone: string | null;
  /** The ordering key of the row: its phone (client) or its contact id. */
  k: string;
}

/** Opted in, and on the suppression list neither by phone nor by user id (a STOP from a user id). */
const ELIGIBLE = `c.opted_in = 1 AND NOT EXISTS (
  SELECT 1 FROM suppressions s WHERE s.account_id = c.account_id AND s.phone = c.phone)
  AND (c.user_id IS NULL OR NOT EXISTS (
  SELECT 1 FROM suppressions s WHERE s.account_id = c.account_id
    AND (s.phone = c.user_id OR s.user_id = c.user_id)))`;

const CONTACT_COLUMNS = `c.id, c.name, c.first_name, c.last_name, c.phone, c.custom_fields,
  (SELECT l.timezone FROM locations l WHERE l.id = c.location_id) AS timezone`;

function statement(
  d1: D1Database,
  accountId: string,
  source: AudienceSource,
  after: string,
  pageSize: number,
): D1PreparedStatement {
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
 * One page of the audience after `cursor` (null: from the start). A page is
 * full (`pageSize` contacts) unless it is the last, whose `cursor` is null.
 */
export async function fetchAudiencePage(
  d1: D1Database,
  accountId: string,
  source: AudienceSource,
  cursor: string | null,
  pageSize = AUDIENCE_PAGE_SIZE,
): Promise<AudiencePage> {
  checkSource(source);
  if (source.type === "segment" && source.segmentIds.length === 0) {
    return { contacts: [], cursor: null };
  }
  const { results } = await statement(d1, accountId, source, cursor ?? "", pageSize).all<Row>();
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

/** The whole audience, page by page (never an empty page). */
export async function* streamAudience(
  d1: D1Database,
  accountId: string,
  source: AudienceSource,
  pageSize = AUDIENCE_PAGE_SIZE,
): AsyncGenerator<AudienceContact[], void, undefined> {
  let cursor: string | null = null;
  do {
    const page: AudiencePage = await fetchAudiencePage(d1, accountId, source, cursor, pageSize);
    if (page.contacts.length > 0) yield page.contacts;
    cursor = page.cursor;
  } while (cursor !== null);
}

/** `client`: every opted-in contact of the account, or of one of its locations. */
export function audienceForClient(
  d1: D1Database,
  accountId: string,
  locationId: string | null,
  pageSize = AUDIENCE_PAGE_SIZE,
) {
  return streamAudience(d1, accountId, { type: "client", locationId }, pageSize);
}

/** `segment`: the opted-in contacts of any of these segments, each once. */
export function audienceForSegments(
  d1: D1Database,
  accountId: string,
  segmentIds: readonly string[],
  pageSize = AUDIENCE_PAGE_SIZE,
) {
  return streamAudience(d1, accountId, { type: "segment", segmentIds }, pageSize);
}

/** `class`: the opted-in contacts enrolled in the class with this status (or any, "ALL"). */
export function audienceForClass(
  d1: D1Database,
  accountId: string,
  classId: string,
  status: EnrolmentStatus | "ALL",
  pageSize = AUDIENCE_PAGE_SIZE,
) {
  return streamAudience(d1, accountId, { type: "class", classId, status }, pageSize);
}
