/**
 * A finished broadcast seeded straight into its BroadcastDO's store (and, when
 * asked, its summary into D1 and its projection the way the Outbox writes them):
 * an export or archive test needs tens of thousands of recipients in their
 * final states, and sending that many through the sandbox would take minutes.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { upsertBroadcastSummary } from "../../src/db/broadcasts";
import type { BroadcastPlan, NewRecipient } from "../../src/domain/broadcast";
import { writeProjection } from "../../src/durable/account-data/mirror";
import { projectionRow } from "../../src/durable/broadcast/outbox";
import { BroadcastStore } from "../../src/durable/broadcast/store";
import type { BroadcastDO } from "../../src/durable/broadcast-do";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";

export interface Seeded {
  broadcastId: string;
  rows: number;
}

export async function seedFinishedBroadcast(
  accountId: string,
  rows: number,
  options: {
    completedAt?: string;
    project?: boolean;
    firstNumber?: number;
    surface?: BroadcastPlan["surface"];
  } = {},
): Promise<Seeded> {
  const broadcastId = crypto.randomUUID();
  const completedAt = options.completedAt ?? new Date().toISOString();
  const plan: BroadcastPlan = {
    accountId,
    broadcastId,
    surface: options.surface ?? "broadcasts",
    name: "Seeded",
    sender: {
      id: "seeded-sender",
      phoneNumber: "447576209857",
      phoneNumberId: "100000000000001",
      wabaId: "seeded-waba",
      throughputMps: 80,
    },
    template: { name: "hello_world", language: "en_US" },
    scheduledAt: completedAt,
    validUntil: null,
    locationId: null,
    requestHash: null,
    expectedRows: rows,
    definition: null,
    draft: false,
    audienceResolved: true,
  };
  const first = options.firstNumber ?? Math.floor(Math.random() * 50_000_000);
  await runInDurableObject(
    broadcastStub(env, accountId, broadcastId),
    async (_: BroadcastDO, state) => {
      const store = new BroadcastStore(state.storage.sql);
      store.createBroadcast(plan, Date.now() + 300_000);
      for (let i = 0; i < rows; i += 1000) {
        const chunk: NewRecipient[] = [];
        for (let seq = i; seq < Math.min(rows, i + 1000); seq++) {
          chunk.push({
            seq,
            identifier: `+${mobileNumber(first + seq)}`,
            clientReference: `ref-${seq}`,
            name: seq % 7 === 0 ? `Person, "${seq}"` : null,
            components: null,
            rejected: null,
          });
        }
        state.storage.transactionSync(() => store.insertRecipients(chunk));
      }
      // Final states: every tenth failed, the rest delivered.
      state.storage.sql.exec(
        `UPDATE recipients SET status = CASE WHEN seq % 10 = 0 THEN 'failed' ELSE 'delivered' END,
         wamid = 'wamid.seeded.' || seq, submitted_at = ?1, sent_at = ?1,
         delivered_at = CASE WHEN seq % 10 = 0 THEN NULL ELSE ?1 END,
         failed_at = CASE WHEN seq % 10 = 0 THEN ?1 ELSE NULL END,
         error_code = CASE WHEN seq % 10 = 0 THEN 131026 ELSE NULL END,
         error_title = CASE WHEN seq % 10 = 0 THEN 'Message undeliverable' ELSE NULL END,
         updated_at = ?1, rev = rev + 1`,
        completedAt,
      );
      store.recountFromRows();
      store.updateBroadcast({ state: "completed", loadingDeadline: null, completedAt });
      const b = store.broadcast();
      if (!b) throw new Error("seeded broadcast vanished");
      await upsertBroadcastSummary(env.DB, store.summary(b));
      if (options.project) {
        const changed = store.unprojected(rows);
        // Where the account's plane writes, as the Outbox does (D1, its month shard, or both).
        await writeProjection(
          env,
          accountId,
          b.createdAt,
          changed.map((r) => projectionRow(plan, r)),
        );
        store.markProjected(changed);
      }
      store.markFlushed(store.broadcast()?.version ?? 0);
    },
  );
  return { broadcastId, rows };
}
