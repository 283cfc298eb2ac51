/**
 * Who a business portfolio reached in the last 24 h, from the D1 projection
 * (a few seconds behind the broadcasts' own rows). The portfolio is taken to
 * be the sender's WABA within the account: every sender of the account with
 * that WABA shares its messaging limit.
 */
export const REACH_WINDOW_MS = 24 * 60 * 60_000;
/** Identifiers checked against the reached set per statement (one JSON parameter). */
const CHUNK = 5_000;

const IN_PORTFOLIO = `account_id = ?1 AND submitted_at >= ?3 AND phone_number_id IN (
  SELECT phone_number_id FROM senders WHERE account_id = ?1 AND waba_id = ?2)`;

export async function reachedInLast24h(
  d1: D1Database,
  accountId: string,
  wabaId: string,
  people: readonly string[],
  now = Date.now(),
): Promise<{ reached: number; newPeople: Set<string> }> {
  const since = new Date(now - REACH_WINDOW_MS).toISOString();
  const total = await d1
    .prepare(`SELECT COUNT(DISTINCT identifier) AS n FROM recipient_states WHERE ${IN_PORTFOLIO}`)
    .bind(accountId, wabaId, since)
    .first<{ n: number }>();
  const newPeople = new Set(people);
  for (let i = 0; i < people.length; i += CHUNK) {
    const { results } = await d1
      .prepare(
        `SELECT DISTINCT identifier FROM recipient_states
         WHERE ${IN_PORTFOLIO} AND identifier IN (SELECT value FROM json_each(?4))`,
      )
      .bind(accountId, wabaId, since, JSON.stringify(people.slice(i, i + CHUNK)))
      .all<{ identifier: string }>();
    for (const r of results) newPeople.delete(r.identifier);
  }
  return { reached: total?.n ?? 0, newPeople };
}
