/**
 * Step 1 of the migration path (docs/SCALING.md §5): while an account is on
 * the "dual" data plane, every projection flush also writes its rows to the
 * account's shard for the broadcast's month. Called by the Outbox after the
 * D1 upsert; a failure fails the flush, whose rows stay dirty and are written
 * to both again next time (both upserts are idempotent).
 */
import { accountDataPlane } from "../../db/data-plane";
import type { RecipientStateRow } from "../../db/recipient-states";
import { shardMonth, shardName } from "../../domain/data-shard";
import type { Bindings } from "../../env";

export async function mirrorToShard(
  env: Bindings,
  accountId: string,
  broadcastCreatedAt: string,
  rows: RecipientStateRow[],
): Promise<void> {
  if (rows.length === 0 || (await accountDataPlane(env.DB, accountId)) !== "dual") return;
  const name = shardName(accountId, shardMonth(broadcastCreatedAt));
  await env.ACCOUNT_DATA.get(env.ACCOUNT_DATA.idFromName(name)).upsertRecipientStates(rows);
}
