/**
 * The "shards" data plane (docs/SCALING.md §5): an account's projection is
 * written only to its month shards (AccountDataDO) and every read of it comes
 * from them. A real run through the sandbox (sent, delivered, read webhooks,
 * a failed status found by wamid) and a seeded account with broadcasts in two
 * months, whose message_statuses merge the months in D1's order.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { backfillAccount } from "../../src/durable/data-plane-backfill";
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
import { api, bearer, createAccount, expectStatus, jsonInit } from "../helpers";
import { seedFinishedBroadcast } from "../retention/seed";
import { d1Rows, putOnPlane, shardRows } from "./projection";

const bindings = env as unknown as Bindings;

function statuses(key: string, body: unknown) {
  return api("/broadcasts/message_statuses", jsonInit("POST", body, bearer(key)));
}

async function sendAndRead(s: Setup, first: number, n: number): Promise<string> {
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
  return created.uuid;
}

describe("the shards data plane", () => {
  it("writes the projection only to the month shard and answers message_statuses from it", async () => {
    const s = await setup();
    await putOnPlane(s.account.accountId, "shards");
    const uuid = await sendAndRead(s, 1200, 12);
    await vi.waitUntil(
      async () =>
        (await shardRows<{ read_at: string | null }>(s.account.accountId, uuid, "read_at")).filter(
          (r) => r.read_at !== null,
        ).length === 12,
      { timeout: 10_000, interval: 200 },
    );
    expect(await d1Rows(uuid, "seq")).toEqual([]);

    const byBroadcast = await expectStatus(
      await statuses(s.account.key, { filters: { broadcastUuid: uuid }, limit: 5, offset: 10 }),
      200,
    );
    expect(byBroadcast.pagination).toEqual({ offset: 10, limit: 5, total: 12 });
    expect(byBroadcast.recipients.map((r: any) => [r.client_reference, r.status])).toEqual([
      ["ref-10", "read"],
      ["ref-11", "read"],
    ]);
    const refs = await expectStatus(
      await statuses(s.account.key, {
        filters: { clientReferences: ["ref-1", "ref-3", "nope"] },
        limit: 10,
        offset: 0,
      }),
      200,
    );
    expect(refs.recipients.map((r: any) => r.client_reference)).toEqual(["ref-1", "ref-3"]);
    const since = await expectStatus(
      await statuses(s.account.key, {
        filters: { updatedSince: new Date(Date.now() - 600_000).toISOString() },
        limit: 100,
        offset: 0,
      }),
      200,
    );
    expect(since.pagination.total).toBe(12);
    const updated = since.recipients.map((r: any) => r.updated_at);
    expect(updated).toEqual([...updated].sort());

    // Another account's key sees none of it, on any filter.
    const other = await createAccount();
    const theirs = await expectStatus(
      await statuses(other.key, { filters: { clientReferences: ["ref-1"] }, limit: 10, offset: 0 }),
      200,
    );
    expect(theirs.pagination.total).toBe(0);
  });

  it("merges an account's months in D1's order, each broadcast from its own month", async () => {
    const account = await createAccount();
    await putOnPlane(account.accountId, "d1");
    const january = await seedFinishedBroadcast(account.accountId, 30, { project: true });
    const current = await seedFinishedBroadcast(account.accountId, 20, { project: true });
    await env.DB.prepare("UPDATE broadcasts SET created_at = ? WHERE id = ?")
      .bind("2026-01-15T10:00:00.000Z", january.broadcastId)
      .run();
    const ask = (filters: unknown, limit = 100, offset = 0) =>
      statuses(account.key, { filters, limit, offset }).then((r) => expectStatus(r, 200));
    const questions: [unknown, number, number][] = [
      [{ clientReferences: ["ref-1", "ref-5", "ref-25"] }, 100, 0],
      [{ clientReferences: ["ref-1", "ref-5", "ref-25"] }, 2, 1],
      [{ broadcastUuid: january.broadcastId }, 7, 21],
      [{ updatedSince: new Date(Date.now() - 3_600_000).toISOString() }, 15, 30],
    ];
    const onD1 = [];
    for (const [f, l, o] of questions) onD1.push(await ask(f, l, o));

    await backfillAccount(bindings, account.accountId);
    await putOnPlane(account.accountId, "shards");
    await env.DB.prepare("DELETE FROM recipient_states WHERE account_id = ?")
      .bind(account.accountId)
      .run();
    const onShards = [];
    for (const [f, l, o] of questions) onShards.push(await ask(f, l, o));
    expect(onShards.map((a) => [a.pagination, a.recipients])).toEqual(
      onD1.map((a) => [a.pagination, a.recipients]),
    );
    expect(onShards[0].pagination.total).toBe(5);
    expect(onShards[0].recipients.map((r: any) => r.broadcast_uuid).sort()).toEqual(
      [
        january.broadcastId,
        january.broadcastId,
        january.broadcastId,
        current.broadcastId,
        current.broadcastId,
      ].sort(),
    );
  });
});
