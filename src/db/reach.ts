/**
 * Who a business portfolio reached in the last 24 h, from the projection
 * (a few seconds behind the broadcasts' own rows): D1's, or the account's
 * month shards (src/db/data-plane.ts). The portfolio is the business that
 * owns the sender's WABA (`senders.business_id`, read on sync) when Meta gave
 * it, else the WABA itself: every sender of the account in that portfolio
 * shares its messaging limit, whatever WABA it is on. The senders always come
 * from D1 (the control plane).
 */
import type { Bindings } from "../env";
import { accountDataPlane, readsShards } from "./data-plane";
import { accountMonths, accountShard } from "./projection-shards";

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
  env: Bindings,
  accountId: string,
  wabaId: string,
  people: readonly string[],
  now = Date.now(),
): Promise<{ reached: number; newPeople: Set<string> }> {
  const since = new Date(now - REACH_WINDOW_MS).toISOString();
  if (readsShards(await accountDataPlane(env.DB, accountId)))
    return reachedInShards(env, accountId, wabaId, people, since);
  const d1 = env.DB;
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

/**
 * The same on shards: only the months whose broadcasts changed in the window
 * can hold a send in it (usually one; two across a month's start, more for a
 * long-running broadcast created earlier). The older months' people are
 * handed to the newest one's count, so a person reached in two counts once.
 */
async function reachedInShards(
  env: Bindings,
  accountId: string,
  wabaId: string,
  people: readonly string[],
  since: string,
): Promise<{ reached: number; newPeople: Set<string> }> {
  const newPeople = new Set(people);
  const [months, phones] = await Promise.all([
    accountMonths(env.DB, accountId, since),
    portfolioNumbers(env.DB, accountId, wabaId),
  ]);
  const [newest, ...older] = months;
  if (!newest || phones.length === 0) return { reached: 0, newPeople };
  const olderPeople = (
    await Promise.all(
      older.map((m) => accountShard(env, accountId, m).reachedPeople(phones, since, null)),
    )
  ).flat();
  const reached = await accountShard(env, accountId, newest).countReached(
    phones,
    since,
    olderPeople,
  );
  for (let i = 0; i < people.length; i += CHUNK) {
    const chunk = people.slice(i, i + CHUNK);
    const hits = await Promise.all(
      months.map((m) => accountShard(env, accountId, m).reachedPeople(phones, since, chunk)),
    );
    for (const p of hits.flat()) newPeople.delete(p);
  }
  return { reached, newPeople };
}

/** The numbers of the portfolio of WABA ?2 within account ?1 (as IN_PORTFOLIO picks them). */
async function portfolioNumbers(d1: D1Database, accountId: string, wabaId: string) {
  const { results } = await d1
    .prepare(
      `SELECT DISTINCT phone_number_id FROM senders WHERE account_id = ?1
         AND coalesce(business_id, waba_id) = ${PORTFOLIO_OF_WABA}`,
    )
    .bind(accountId, wabaId)
    .all<{ phone_number_id: string }>();
  return results.map((r) => r.phone_number_id);
}
