/**
 * The audience of a retargeting broadcast: the recipients of an earlier
 * broadcast of the account whose engagement matches, read from the
 * projection by sequence (a keyset, never an offset): D1's, or the earlier
 * broadcast's month shard (src/db/data-plane.ts), whose page is then matched
 * with the contacts of the account's AccountAudienceDO and D1's suppressions. A recipient who is now suppressed, or
 * whose contact has opted out, is left out. Names and custom fields come
 * from the contact with that phone, when there is one.
 */
import { type EngagementType, engagementFilter } from "../domain/v1-broadcast";
import type { Bindings } from "../env";
import type { AudienceContact, AudiencePage } from "./audience";
import { locationTimezones, suppressedAmong } from "./audience-eligibility";
import { audienceStore } from "./audience-store";
import { parseCustomFields } from "./contacts";
import { accountDataPlane, readsShards } from "./data-plane";
import { accountShard, broadcastMonth } from "./projection-shards";

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
  env: Bindings,
  accountId: string,
  broadcastId: string,
  engagement: EngagementType,
  cursor: string | null,
  pageSize = 1_000,
): Promise<AudiencePage> {
  const filter = engagementFilter(engagement);
  if (readsShards(await accountDataPlane(env.DB, accountId))) {
    return retargetFromShard(env, accountId, broadcastId, filter, cursor, pageSize);
  }
  const d1 = env.DB;
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
  const contacts = results.map(audienceContact);
  const last = results[results.length - 1];
  return { contacts, cursor: results.length === pageSize && last ? String(last.seq) : null };
}

function audienceContact(r: Row): AudienceContact {
  return {
    id: r.id ?? `phone:${r.identifier}`,
    name: r.name,
    firstName: r.first_name,
    lastName: r.last_name,
    phone: r.identifier,
    customFields: r.custom_fields ? parseCustomFields(r.custom_fields) : {},
    timezone: r.timezone,
  };
}

async function retargetFromShard(
  env: Bindings,
  accountId: string,
  broadcastId: string,
  filter: ReturnType<typeof engagementFilter>,
  cursor: string | null,
  pageSize: number,
): Promise<AudiencePage> {
  const month = await broadcastMonth(env.DB, accountId, broadcastId);
  if (!month) return { contacts: [], cursor: null };
  const page = await accountShard(env, accountId, month).retargetPage({
    broadcastId,
    afterSeq: cursor === null ? -1 : Number(cursor),
    statuses: [...filter.statuses],
    replied: filter.replied,
    limit: pageSize,
  });
  const last = page[page.length - 1];
  const next = page.length === pageSize && last ? String(last.seq) : null;
  if (page.length === 0) return { contacts: [], cursor: next };
  // The same contact and suppression rules as the D1 join, for this page's
  // numbers at once: the contacts from the account's audience store (on this
  // plane its AccountAudienceDO), the suppressions and timezones from D1.
  const phones = page.map((r) => r.identifier);
  const { ops } = await audienceStore(env, accountId);
  const [found, suppressed] = await Promise.all([
    ops.contactsByPhones(accountId, phones),
    suppressedAmong(
      env.DB,
      accountId,
      phones.map((phone) => ({ phone, userId: null })),
    ),
  ]);
  const byPhone = new Map(found.map((c) => [c.phone, c]));
  const zones = await locationTimezones(
    env.DB,
    accountId,
    found.flatMap((c) => (c.locationId ? [c.locationId] : [])),
  );
  const contacts: AudienceContact[] = [];
  page.forEach((r, i) => {
    const c = byPhone.get(r.identifier);
    if (suppressed.has(i) || (c && !c.optedIn)) return;
    contacts.push(
      audienceContact({
        seq: r.seq,
        identifier: r.identifier,
        id: c?.id ?? null,
        name: c?.name ?? null,
        first_name: c?.firstName ?? null,
        last_name: c?.lastName ?? null,
        custom_fields: c?.customFields ?? null,
        timezone: c?.locationId ? (zones.get(c.locationId) ?? null) : null,
      }),
    );
  });
  return { contacts, cursor: next };
}
