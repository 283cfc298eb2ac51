/**
 * Who a business portfolio reached in the last 24 h, from the D1 projection
 * (a few seconds behind the broadcasts' own rows). The portfolio is the
 * business that owns the sender's WABA (`senders.business_id`, read on sync)
 * when Meta gave it, else the WABA itself: every sender of the account in that
 * portfolio shares its messaging limit, whatever WABA it is on.
 */
export const REACH_WINDOW_MS = 24 * 60 * 60_000;
/** Identifiers checked against the reached set per statement (one JSON parameter). */
const CHUNK = 5_000;

/** The portfolio of WABA ?2 within account ?1: its business when known, else the WABA. */
export const PORTFOLIO_OF_WABA = `coalesce(
  (SELECT max(business_id) FROM senders WHERE account_id = ?1 AND waba_id = ?2), ?2)`;

const IN_PORTFOLIO = `account_id = ?1 AND submitted_at >= ?3 AND phone_number_id IN (
  SELECT phone_number_id FROM senders WHERE account_id = ?1
    AND coalesce(business_id, waba_id) = ${PORTFOLIO_OF_WABA})`;

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
