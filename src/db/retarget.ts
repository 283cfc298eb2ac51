/**
 * The audience of a retargeting broadcast: the recipients of an earlier
 * broadcast of the account whose engagement matches, read from the D1
 * projection by sequence (a keyset, never an offset). A recipient who is now
 * suppressed, or whose contact has opted out, is left out. Names and custom
 * fields come from the contact with that phone, when there is one.
 */
import { type EngagementType, engagementFilter } from "../domain/v1-broadcast";
import type { AudienceContact, AudiencePage } from "./audience";
import { parseCustomFields } from "./contacts";

interface Row {
  seq: number;
  identifier: string;
  id: string | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  custom_fields: string | null;
  timezone: string | null;
}

export async function fetchRetargetPage(
  d1: D1Database,
  accountId: string,
  broadcastId: string,
  engagement: EngagementType,
  cursor: string | null,
  pageSize = 1_000,
): Promise<AudiencePage> {
  const filter = engagementFilter(engagement);
  const replied =
    filter.replied === null
      ? ""
      : filter.replied
        ? "AND r.replied_at IS NOT NULL"
        : "AND r.replied_at IS NULL";
  const { results } = await d1
    .prepare(
      `SELECT r.seq, r.identifier, c.id, c.name, c.first_name, c.last_name, c.custom_fields,
         (SELECT l.timezone FROM locations l WHERE l.id = c.location_id) AS timezone
       FROM recipient_states r
       LEFT JOIN contacts c ON c.account_id = r.account_id AND c.phone = r.identifier
       WHERE r.account_id = ?1 AND r.broadcast_id = ?2 AND r.seq > ?3
         AND r.status IN (SELECT value FROM json_each(?4)) ${replied}
         AND (c.id IS NULL OR c.opted_in = 1)
         AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.account_id = r.account_id AND s.phone = r.identifier)
       ORDER BY r.seq LIMIT ?5`,
    )
    .bind(
      accountId,
      broadcastId,
      cursor === null ? -1 : Number(cursor),
      JSON.stringify(filter.statuses),
      pageSize,
    )
    .all<Row>();
  const contacts: AudienceContact[] = results.map((r) => ({
    id: r.id ?? `phone:${r.identifier}`,
    name: r.name,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.identifier,
    customFields: r.custom_fields ? parseCustomFields(r.custom_fields) : {},
    timezone: r.timezone,
  }));
  const last = results[results.length - 1];
  return { contacts, cursor: results.length === pageSize && last ? String(last.seq) : null };
}
