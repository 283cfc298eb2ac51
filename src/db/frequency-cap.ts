/**
 * What the account's frequency cap counts (domain/frequency-cap.ts): the
 * marketing templates Meta accepted for each person from this account in the
 * window, across every broadcast and both surfaces. Read from the
 * projection (`recipient_states`, one row per recipient that exists anyway:
 * D1's, or the account's month shards) with the broadcast's template
 * category from D1's control plane: no row of its own per message, so the
 * count adds nothing to what grows (docs/SCALING.md, "Frequency cap").
 */
import { type FrequencyCap, parseFrequencyCap } from "../domain/frequency-cap";
import type { Bindings } from "../env";
import { accountDataPlane, readsShards } from "./data-plane";
import { sentSince } from "./projection-shards";

/** Identifiers per statement (one JSON parameter). */
const CHUNK = 5_000;

/** Meta accepted it and nothing says it did not reach the person (failed, expired at Meta). */
const COUNTED_STATUSES = ["submitted", "sent", "delivered", "read"];
const COUNTED = `(${COUNTED_STATUSES.map((s) => `'${s}'`).join(", ")})`;

/** Whether a broadcast's template is (now) a marketing one, as the D1 query's EXISTS asks. */
const MARKETING_BROADCASTS = `SELECT b.id FROM broadcasts b
  JOIN senders s ON s.id = b.sender_id
  JOIN templates t ON t.account_id = b.account_id AND t.waba_id = s.waba_id
   AND t.name = b.template_name AND t.language = b.template_language
  WHERE b.account_id = ?1 AND b.id IN (SELECT value FROM json_each(?2))
    AND upper(t.category) = 'MARKETING'`;

/** The account's cap, or null when it is off (the default). */
export async function frequencyCapOf(
  d1: D1Database,
  accountId: string,
): Promise<FrequencyCap | null> {
  const row = await d1
    .prepare("SELECT marketing_frequency_cap AS cap FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ cap: string | null }>();
  return parseFrequencyCap(row?.cap);
}

/**
 * Each person's accepted marketing sends since `since` (epoch ms), oldest
 * first; people with none are absent. One statement per 5,000 people: a send
 * wave is one. The reply index (phone_number_id, identifier, submitted_at)
 * answers it: the account's numbers × the people given.
 */
export async function marketingSendsSince(
  env: Bindings,
  accountId: string,
  people: readonly string[],
  since: number,
): Promise<Map<string, number[]>> {
  const d1 = env.DB;
  const out = new Map<string, number[]>();
  const sinceIso = new Date(since).toISOString();
  if (readsShards(await accountDataPlane(d1, accountId)))
    return marketingSendsInShards(env, accountId, people, sinceIso);
  for (let i = 0; i < people.length; i += CHUNK) {
    const { results } = await d1
      .prepare(
        `SELECT rs.identifier, rs.submitted_at FROM recipient_states rs
         WHERE rs.phone_number_id IN (SELECT phone_number_id FROM senders WHERE account_id = ?1)
           AND rs.identifier IN (SELECT value FROM json_each(?2))
           AND rs.submitted_at >= ?3
           AND rs.account_id = ?1
           AND rs.status IN ${COUNTED}
           AND EXISTS (
             SELECT 1 FROM broadcasts b
               JOIN senders s ON s.id = b.sender_id
               JOIN templates t ON t.account_id = b.account_id AND t.waba_id = s.waba_id
                AND t.name = b.template_name AND t.language = b.template_language
             WHERE b.id = rs.broadcast_id AND upper(t.category) = 'MARKETING')
         ORDER BY rs.submitted_at`,
      )
      .bind(accountId, JSON.stringify(people.slice(i, i + CHUNK)), sinceIso)
      .all<{ identifier: string; submitted_at: string }>();
    for (const r of results) {
      const at = Date.parse(r.submitted_at);
      const list = out.get(r.identifier);
      if (list) list.push(at);
      else out.set(r.identifier, [at]);
    }
  }
  return out;
}

/** The same from the account's month shards: the rows there, the category from D1. */
async function marketingSendsInShards(
  env: Bindings,
  accountId: string,
  people: readonly string[],
  sinceIso: string,
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (let i = 0; i < people.length; i += CHUNK) {
    const rows = (
      await sentSince(env, accountId, {
        since: sinceIso,
        identifiers: people.slice(i, i + CHUNK),
      })
    ).filter((r) => COUNTED_STATUSES.includes(r.status));
    if (rows.length === 0) continue;
    const ids = [...new Set(rows.map((r) => r.broadcastId))];
    const { results } = await env.DB.prepare(MARKETING_BROADCASTS)
      .bind(accountId, JSON.stringify(ids))
      .all<{ id: string }>();
    const marketing = new Set(results.map((r) => r.id));
    // sentSince answers newest first; the rule reads each person's sends oldest first.
    for (const r of rows.reverse()) {
      if (!marketing.has(r.broadcastId)) continue;
      const at = Date.parse(r.submittedAt);
      const list = out.get(r.identifier);
      if (list) list.push(at);
      else out.set(r.identifier, [at]);
    }
  }
  return out;
}

/**
 * The account's broadcasts whose Durable Objects may have accepted sends D1
 * does not show yet: live ones, and any changed since `since` (a last settle
 * may still be on its way to the projection). Newest first, at most `limit`.
 */
export async function liveBroadcastsOfAccount(
  d1: D1Database,
  accountId: string,
  since: string,
  limit = 50,
): Promise<string[]> {
  const { results } = await d1
    .prepare(
      `SELECT id FROM broadcasts
       WHERE account_id = ? AND (status IN ('sending', 'paused') OR updated_at >= ?)
       ORDER BY updated_at DESC LIMIT ?`,
    )
    .bind(accountId, since, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
