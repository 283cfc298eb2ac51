/**
 * Where a projection flush writes (docs/SCALING.md §5, src/db/data-plane.ts):
 * D1 while the account is on "d1"; D1 and the account's shard for the
 * broadcast's month on "dual" and "shards-dual" (the migration path's dual
 * write); only the shard on "shards". Called by the Outbox; a failure fails
 * the flush, whose rows stay dirty and are written again next time (both
 * upserts are idempotent).
 */
import { accountDataPlane, writesD1, writesShards } from "../../db/data-plane";
import { accountShard } from "../../db/projection-shards";
import { type RecipientStateRow, upsertRecipientStates } from "../../db/recipient-states";
import { shardMonth } from "../../domain/data-shard";
import type { Bindings } from "../../env";

export async function writeProjection(
  env: Bindings,
  accountId: string,
  broadcastCreatedAt: string,
  rows: RecipientStateRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const plane = await accountDataPlane(env.DB, accountId);
  if (writesD1(plane)) await upsertRecipientStates(env.DB, rows);
  if (writesShards(plane)) {
    await accountShard(env, accountId, shardMonth(broadcastCreatedAt)).upsertRecipientStates(rows);
  }
}
