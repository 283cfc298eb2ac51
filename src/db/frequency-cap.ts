/**
 * What the account's frequency cap counts (domain/frequency-cap.ts): the
 * marketing templates Meta accepted for each person from this account in the
 * window, across every broadcast and both surfaces. Read from the D1
 * projection (`recipient_states`, one row per recipient that exists anyway)
 * with the broadcast's template category: no row of its own per message, so
 * the count adds nothing to what grows in the shared D1 (docs/SCALING.md,
 * "Frequency cap"); it moves with the projection to the account's shards.
 */
import { type FrequencyCap, parseFrequencyCap } from "../domain/frequency-cap";

/** Identifiers per statement (one JSON parameter). */
const CHUNK = 5_000;

/** Meta accepted it and nothing says it did not reach the person (failed, expired at Meta). */
const COUNTED = "('submitted', 'sent', 'delivered', 'read')";

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
  d1: D1Database,
  accountId: string,
  people: readonly string[],
  since: number,
): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  const sinceIso = new Date(since).toISOString();
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
