/**
 * Steps 2 and 3 of the migration path (docs/SCALING.md §5) for a deployment
 * whose projection is in D1: copy one account's rows into its month shards
 * (AccountDataDO), 5,000 at a time (the Outbox's chunk), idempotent by
 * (broadcast, seq) so a restart repeats harmlessly; then compare every
 * broadcast's fingerprint on both sides. Reads move to the shards only after
 * a clean verification (src/durable/data-plane-move.ts runs both).
 */
import {
  accountBroadcasts,
  projectionFingerprint,
  projectionPage,
} from "../db/data-plane-backfill";
import { type Fingerprint, shardMonth, shardName } from "../domain/data-shard";
import type { Bindings } from "../env";

const CHUNK = 5_000;

function shard(env: Bindings, accountId: string, createdAt: string) {
  const name = shardName(accountId, shardMonth(createdAt));
  return { name, stub: env.ACCOUNT_DATA.get(env.ACCOUNT_DATA.idFromName(name)) };
}

export async function backfillAccount(
  env: Bindings,
  accountId: string,
): Promise<{ broadcasts: number; rows: number; shards: string[] }> {
  const broadcasts = await accountBroadcasts(env.DB, accountId);
  const shards = new Set<string>();
  let rows = 0;
  for (const b of broadcasts) {
    const { name, stub } = shard(env, accountId, b.createdAt);
    let after = -1;
    for (;;) {
      const page = await projectionPage(env.DB, accountId, b.broadcastId, after, CHUNK);
      if (page.length === 0) break;
      await stub.upsertRecipientStates(page);
      shards.add(name);
      rows += page.length;
      after = page[page.length - 1]?.seq ?? after;
      if (page.length < CHUNK) break;
    }
  }
  return { broadcasts: broadcasts.length, rows, shards: [...shards].sort() };
}

/** Broadcasts whose rows differ between D1 and the account's shards (empty: safe to move reads). */
export async function verifyAccount(
  env: Bindings,
  accountId: string,
): Promise<{ d1: Fingerprint; shard: Fingerprint | null }[]> {
  const broadcasts = await accountBroadcasts(env.DB, accountId);
  const byShard = new Map<string, Promise<Fingerprint[]>>();
  const mismatches: { d1: Fingerprint; shard: Fingerprint | null }[] = [];
  for (const b of broadcasts) {
    const { name, stub } = shard(env, accountId, b.createdAt);
    if (!byShard.has(name)) byShard.set(name, stub.fingerprints());
    const inShard = (await byShard.get(name))?.find((f) => f.broadcastId === b.broadcastId) ?? null;
    const inD1 = await projectionFingerprint(env.DB, accountId, b.broadcastId);
    if (inD1.rows === 0 && !inShard) continue;
    const same =
      inShard !== null &&
      inShard.rows === inD1.rows &&
      inShard.sum === inD1.sum &&
      inShard.latest === inD1.latest;
    if (!same) mismatches.push({ d1: inD1, shard: inShard });
  }
  return mismatches;
}
