/**
 * The D1 half of an audience page read from the AccountAudienceDO: the
 * suppression list and the locations' timezones are D1's (control plane),
 * and no statement can join them to the object's rows. So a page's people
 * go to D1 in one statement (one JSON parameter, any number of them) and
 * the suppressed are dropped; the page's locations in one more. The rule is
 * D1's own page query's (./audience.ts): suppressed by phone, or by user id
 * (a STOP from a user id alone), whichever column the list has it in.
 */
import type { AudienceContact, StoredAudienceRow } from "./audience";
import { parseCustomFields } from "./contacts";

/** People per statement (each a JSON pair in one bound parameter). */
const CHUNK = 1_000;

/** The positions among `people` that the account's suppression list names. */
export async function suppressedAmong(
  d1: D1Database,
  accountId: string,
  people: readonly { phone: string; userId: string | null }[],
): Promise<Set<number>> {
  const hit = new Set<number>();
  for (let i = 0; i < people.length; i += CHUNK) {
    const chunk = people.slice(i, i + CHUNK).map((p) => [p.phone, p.userId]);
    const { results } = await d1
      .prepare(
        `/* audience page: suppressed */ SELECT p.key AS i FROM json_each(?2) p
         WHERE EXISTS (SELECT 1 FROM suppressions s
             WHERE s.account_id = ?1 AND s.phone = json_extract(p.value, '$[0]'))
           OR (json_extract(p.value, '$[1]') IS NOT NULL AND (
             EXISTS (SELECT 1 FROM suppressions s
               WHERE s.account_id = ?1 AND s.phone = json_extract(p.value, '$[1]'))
             OR EXISTS (SELECT 1 FROM suppressions s
               WHERE s.account_id = ?1 AND s.user_id = json_extract(p.value, '$[1]'))))`,
      )
      .bind(accountId, JSON.stringify(chunk))
      .all<{ i: number }>();
    for (const r of results) hit.add(i + Number(r.i));
  }
  return hit;
}

/** The timezone of each of these locations of the account (a location gone: absent). */
export async function locationTimezones(
  d1: D1Database,
  accountId: string,
  locationIds: readonly string[],
): Promise<Map<string, string>> {
  const wanted = [...new Set(locationIds)];
  if (wanted.length === 0) return new Map();
  const { results } = await d1
    .prepare(
      `SELECT id, timezone FROM locations
       WHERE account_id = ?1 AND id IN (SELECT value FROM json_each(?2))`,
    )
    .bind(accountId, JSON.stringify(wanted))
    .all<{ id: string; timezone: string | null }>();
  const zones = new Map<string, string>();
  for (const r of results) if (r.timezone) zones.set(r.id, r.timezone);
  return zones;
}

/** The rows not suppressed, in their order, as audience contacts with their location's timezone. */
export async function keepEligible(
  d1: D1Database,
  accountId: string,
  rows: readonly StoredAudienceRow[],
): Promise<{ contact: AudienceContact; key: string }[]> {
  if (rows.length === 0) return [];
  const [suppressed, zones] = await Promise.all([
    suppressedAmong(d1, accountId, rows),
    locationTimezones(
      d1,
      accountId,
      rows.flatMap((r) => (r.locationId ? [r.locationId] : [])),
    ),
  ]);
  return rows
    .filter((_, i) => !suppressed.has(i))
    .map((r) => ({
      key: r.key,
      contact: {
        id: r.id,
        name: r.name,
        firstName: r.firstName,
        lastName: r.lastName,
        phone: r.phone,
        customFields: parseCustomFields(r.customFields),
        timezone: r.locationId ? (zones.get(r.locationId) ?? null) : null,
      },
    }));
}
