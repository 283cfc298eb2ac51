/**
 * The projection's part of erasing a person from an account: finding the
 * broadcasts that may hold them, and scrubbing the recipient projection (in
 * D1, and in the account's month shards once it writes there). The Durable
 * Objects hold the source of truth; see src/api/v1/erasures/erase-person.ts.
 */
import type { Bindings } from "../env";
import { accountDataPlane, readsShards, writesShards } from "./data-plane";
import { accountMonths, accountShard } from "./projection-shards";

/** An identifier as stored, reduced to digits (rejected rows keep the spelling they were sent in). */
export const DIGITS = (column: string) =>
  `REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(${column}, '+', ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')`;

/** A broadcast finished this recently may still hold rows it has not projected yet. */
const PROJECTION_SETTLE_MS = 10 * 60_000;

/**
 * Broadcasts of the account that hold the person or may: every one whose
 * projection has the number, every one still live or only just finished
 * (their latest rows may not be projected yet), and every archived one (its
 * rows left the projection for R2).
 */
export async function broadcastsThatMayHold(
  env: Bindings,
  accountId: string,
  digits: string,
  now = Date.now(),
): Promise<string[]> {
  const settledBefore = new Date(now - PROJECTION_SETTLE_MS).toISOString();
  const onShards = readsShards(await accountDataPlane(env.DB, accountId));
  const { results } = await env.DB.prepare(
    `${
      onShards
        ? ""
        : `SELECT DISTINCT broadcast_id AS id FROM recipient_states
         WHERE account_id = ?1 AND ${DIGITS("identifier")} = ?2
       UNION `
    }SELECT id FROM broadcasts
         WHERE account_id = ?1 AND (status NOT IN ('completed', 'cancelled') OR updated_at >= ?3
           OR archived_at IS NOT NULL)`,
  )
    .bind(accountId, digits, settledBefore)
    .all<{ id: string }>();
  const ids = new Set(results.map((r) => r.id));
  if (onShards) {
    const months = await accountMonths(env.DB, accountId);
    const held = await Promise.all(
      months.map((m) => accountShard(env, accountId, m).broadcastsHolding(digits)),
    );
    for (const id of held.flat()) ids.add(id);
  }
  return [...ids];
}

/** Scrubs the projection rows the DOs will also rewrite, so reads are clean at once. */
export async function eraseFromProjection(
  env: Bindings,
  accountId: string,
  digits: string,
  erased: string,
): Promise<number> {
  let changed = 0;
  if (writesShards(await accountDataPlane(env.DB, accountId))) {
    const months = await accountMonths(env.DB, accountId);
    const counts = await Promise.all(
      months.map((m) => accountShard(env, accountId, m).erase(digits, erased)),
    );
    changed += counts.reduce((n, c) => n + c, 0);
  }
  const result = await env.DB.prepare(
    `UPDATE recipient_states SET identifier = ?3, name = NULL, reply_text = NULL,
         error = CASE WHEN error IS NULL THEN NULL ELSE REPLACE(error, identifier, ?3) END
       WHERE account_id = ?1 AND ${DIGITS("identifier")} = ?2`,
  )
    .bind(accountId, digits, erased)
    .run();
  return changed + result.meta.changes;
}
