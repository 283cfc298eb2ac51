/**
 * Step 1 of the migration path (docs/SCALING.md §5): an account on the "dual"
 * data plane has every projection flush written to D1 and to its month shard
 * (AccountDataDO), through a real run: a broadcast sent through the sandbox
 * and its sent, delivered and read webhooks. An account on "d1" writes only D1.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { shardMonth, shardName } from "../../src/domain/data-shard";
import { verifyAccount } from "../../src/durable/data-plane-backfill";
import type { Bindings } from "../../src/env";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  helloBody,
  type Setup,
  setup,
  waitForStatus,
} from "../engine";
import { putOnPlane } from "./projection";

const bindings = env as unknown as Bindings;

async function sendAndSettle(s: Setup, first: number, n: number): Promise<string> {
  const people = Array.from({ length: n }, (_, i) => mobileNumber(first + i));
  const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, people));
  await waitForStatus(s, created.uuid, "completed");
  await vi.waitUntil(
    async () => {
      await deliverWebhooks(s.number.phoneNumberId);
      return (await details(s, created.uuid)).read === n;
    },
    { timeout: 15_000, interval: 200 },
  );
  await vi.waitUntil(
    async () =>
      (
        await env.DB.prepare(
          "SELECT COUNT(*) AS n FROM recipient_states WHERE broadcast_id = ? AND read_at IS NOT NULL",
        )
          .bind(created.uuid)
          .first<{ n: number }>()
      )?.n === n,
    { timeout: 10_000, interval: 200 },
  );
  return created.uuid;
}

describe("dual write of the projection", () => {
  it("writes every flush to the account's month shard too, row for row, only when the account is on dual", async () => {
    const dual = await setup();
    await env.DB.prepare("UPDATE accounts SET data_plane = 'dual' WHERE id = ?")
      .bind(dual.account.accountId)
      .run();
    const plain = await setup();
    await putOnPlane(plain.account.accountId, "d1");
    const [dualBroadcast, plainBroadcast] = await Promise.all([
      sendAndSettle(dual, 800, 12),
      sendAndSettle(plain, 900, 3),
    ]);
    // The shard is the month the broadcast was created in (read back, so a run across midnight of a month's end holds).
    const createdAt = async (id: string) =>
      String(
        (
          await env.DB.prepare("SELECT created_at FROM broadcasts WHERE id = ?")
            .bind(id)
            .first<{ created_at: string }>()
        )?.created_at,
      );
    const dualMonth = shardMonth(await createdAt(dualBroadcast));
    const plainMonth = shardMonth(await createdAt(plainBroadcast));
    const shard = (accountId: string, month: string) =>
      env.ACCOUNT_DATA.get(env.ACCOUNT_DATA.idFromName(shardName(accountId, month)));

    // The shard caught up with D1 by the same flush that wrote D1's last rows.
    await vi.waitUntil(
      async () => (await verifyAccount(bindings, dual.account.accountId)).length === 0,
      {
        timeout: 10_000,
        interval: 200,
      },
    );
    expect(
      (await shard(dual.account.accountId, dualMonth).fingerprints()).map((f) => [
        f.broadcastId,
        f.rows,
      ]),
    ).toEqual([[dualBroadcast, 12]]);
    expect(await shard(plain.account.accountId, plainMonth).fingerprints()).toEqual([]);
  });
});
