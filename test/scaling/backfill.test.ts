/**
 * The migration path's backfill and verification (docs/SCALING.md §5): an
 * account's projection rows in D1 are copied into its month shards
 * (AccountDataDO), idempotently, and verified broadcast by broadcast before
 * any read moves. Broadcasts are seeded straight into their DOs and D1
 * (test/retention/seed.ts), as a deployment's existing data would be.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { shardMonth, shardName } from "../../src/domain/data-shard";
import { backfillAccount, verifyAccount } from "../../src/durable/data-plane-backfill";
import type { Bindings } from "../../src/env";
import { createAccount } from "../helpers";
import { seedFinishedBroadcast } from "../retention/seed";
import { putOnPlane } from "./projection";

const bindings = env as unknown as Bindings;
const shard = (name: string) => env.ACCOUNT_DATA.get(env.ACCOUNT_DATA.idFromName(name));

describe("projection backfill into per-account month shards", () => {
  it("copies every row into the shard of its broadcast's month, repeats harmlessly, and verifies", async () => {
    const account = await createAccount();
    const other = await createAccount();
    // Accounts made before the shards: their projection is in D1.
    await putOnPlane(account.accountId, "d1");
    await putOnPlane(other.accountId, "d1");
    const january = await seedFinishedBroadcast(account.accountId, 30, { project: true });
    const current = await seedFinishedBroadcast(account.accountId, 20, { project: true });
    const theirs = await seedFinishedBroadcast(other.accountId, 5, { project: true });
    await env.DB.prepare("UPDATE broadcasts SET created_at = ? WHERE id = ?")
      .bind("2026-01-15T10:00:00.000Z", january.broadcastId)
      .run();
    const thisMonth = shardName(account.accountId, shardMonth(new Date().toISOString()));
    const janShard = shardName(account.accountId, "2026-01");

    const first = await backfillAccount(bindings, account.accountId);
    expect(first).toEqual({ broadcasts: 2, rows: 50, shards: [janShard, thisMonth].sort() });
    expect(await verifyAccount(bindings, account.accountId)).toEqual([]);
    expect((await shard(janShard).fingerprints()).map((f) => [f.broadcastId, f.rows])).toEqual([
      [january.broadcastId, 30],
    ]);
    expect(await shard(janShard).findByWamid("wamid.seeded.7")).toEqual({
      broadcastId: january.broadcastId,
      seq: 7,
    });

    // A restart repeats the copy: the same rows, not twice as many.
    await backfillAccount(bindings, account.accountId);
    expect((await shard(thisMonth).fingerprints()).map((f) => f.rows)).toEqual([20]);

    // A row that changed in D1 after the copy is caught, and a further run catches it up.
    await env.DB.prepare(
      "UPDATE recipient_states SET status = 'read', read_at = ?1, updated_at = ?1 WHERE broadcast_id = ?2 AND seq = 3",
    )
      .bind(new Date(Date.now() + 1000).toISOString(), current.broadcastId)
      .run();
    const mismatches = await verifyAccount(bindings, account.accountId);
    expect(mismatches.map((m) => m.d1.broadcastId)).toEqual([current.broadcastId]);
    await backfillAccount(bindings, account.accountId);
    expect(await verifyAccount(bindings, account.accountId)).toEqual([]);

    // Another account's rows never reach this account's shards, and its own are untouched.
    const otherShard = shardName(other.accountId, shardMonth(new Date().toISOString()));
    expect(await shard(otherShard).fingerprints()).toEqual([]);
    expect(await backfillAccount(bindings, other.accountId)).toMatchObject({ rows: 5 });
    expect((await shard(otherShard).fingerprints()).map((f) => f.broadcastId)).toEqual([
      theirs.broadcastId,
    ]);
    expect(
      (await shard(thisMonth).fingerprints()).some((f) => f.broadcastId === theirs.broadcastId),
    ).toBe(false);
  });
});
