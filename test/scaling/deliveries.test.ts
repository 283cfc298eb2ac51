/**
 * The callback delivery log on the per-account data plane (docs/SCALING.md
 * §5): an account on "shards" sends end to end with an endpoint subscribed
 * and writes no row to D1's projection nor its delivery log, yet its
 * deliveries are listed (newest first across months, with the right total)
 * and replayed; an account with deliveries in D1 moves through
 * PUT /admin/accounts/{id}/data-plane without losing one that is still being
 * retried.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { CallbackDelivery } from "../../src/db/callbacks-schema";
import type { Bindings } from "../../src/env";
import type { CallbackMessage } from "../../src/queues/messages";
import {
  completedEvent,
  consumeCallbacks,
  endpoint,
  failNext,
  received,
  receiverUrl,
} from "../callbacks/helpers";
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
import { adminHeaders, api, call, createAccount, expectStatus, jsonInit } from "../helpers";
import { putOnPlane, shardOf } from "./projection";

/** One page of the endpoint's delivery log and the X-Total-Count beside it. */
async function deliveries(s: Setup, endpointId: string, query = "limit=100") {
  const res = await api(`/v1/webhook-endpoints/${endpointId}/deliveries?${query}`, {
    headers: { "x-api-key": s.account.key },
  });
  const total = Number(res.headers.get("x-total-count"));
  return { rows: await expectStatus<any[]>(res, 200), total };
}

function replay(s: Setup, endpointId: string, deliveryId: string, status = 200) {
  return call(
    s.account,
    "POST",
    `/v1/webhook-endpoints/${endpointId}/deliveries/${deliveryId}/replay`,
    undefined,
    status,
  );
}

function move(accountId: string, plane: string) {
  return api(`/admin/accounts/${accountId}/data-plane`, jsonInit("PUT", { plane }, adminHeaders));
}

/** Lets the last plane change count as settled in every isolate (as flip.test.ts does). */
async function settle(accountId: string) {
  await env.DB.prepare("UPDATE accounts SET data_plane_changed_at = ? WHERE id = ?")
    .bind("2000-01-01T00:00:00.000Z", accountId)
    .run();
}

async function sendAndRead(s: Setup, first: number, n: number): Promise<string> {
  const people = Array.from({ length: n }, (_, i) => mobileNumber(first + i, "0"));
  const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, people));
  await waitForStatus(s, created.uuid, "completed", 30_000);
  await vi.waitUntil(
    async () => {
      await deliverWebhooks(s.number.phoneNumberId);
      return (await details(s, created.uuid)).read === n;
    },
    { timeout: 15_000, interval: 200 },
  );
  return created.uuid as string;
}

async function d1Count(table: "recipient_states" | "callback_deliveries", accountId: string) {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`)
    .bind(accountId)
    .first<{ n: number }>();
  return Number(row?.n);
}

/** The broadcast.completed events the receiver accepted, by broadcast. */
async function completedAt(name: string): Promise<string[]> {
  return (await received(name))
    .filter((p) => p.status === 200)
    .flatMap((p) => JSON.parse(p.body).events)
    .filter((e: any) => e.type === "broadcast.completed")
    .map((e: any) => e.broadcast_uuid);
}

describe("the callback delivery log on the shards", () => {
  it("a broadcast of an account on shards writes no D1 projection or delivery row; its log is listed and replayed", async () => {
    const s = await setup();
    const accountId = s.account.accountId;
    const plane = await expectStatus(
      await api(`/admin/accounts/${accountId}/data-plane`, { headers: adminHeaders }),
      200,
    );
    expect(plane.plane, "a new account starts on its shards").toBe("shards");
    const ep = await endpoint(s.account);
    const uuid = await sendAndRead(s, 4100, 6);
    await vi.waitUntil(async () => (await completedAt(ep.name)).includes(uuid), {
      timeout: 15_000,
      interval: 200,
    });

    expect(await d1Count("recipient_states", accountId)).toBe(0);
    expect(await d1Count("callback_deliveries", accountId)).toBe(0);

    const log = await deliveries(s, ep.id);
    expect(log.rows.length).toBeGreaterThan(0);
    expect(log.total).toBe(log.rows.length);
    const month = new Date().toISOString().slice(0, 7);
    for (const d of log.rows) expect(d.id.startsWith(`${month}_`), d.id).toBe(true);
    // Every event the receiver accepted is in the log, and the log holds no other.
    const accepted = new Set(
      (await received(ep.name))
        .filter((p) => p.status === 200)
        .flatMap((p) => JSON.parse(p.body).events.map((e: { id: string }) => e.id)),
    );
    expect(new Set(log.rows.flatMap((d) => d.eventIds))).toEqual(accepted);
    const created = log.rows.map((d) => d.createdAt);
    expect(created).toEqual([...created].sort().reverse());

    const target = log.rows.at(-1);
    const postsBefore = await received(ep.name);
    const replayed = await replay(s, ep.id, target.id);
    expect(replayed).toMatchObject({ id: target.id, status: "delivered", attempts: 2 });
    const postsAfter = await received(ep.name);
    expect(postsAfter).toHaveLength(postsBefore.length + 1);
    const original = postsBefore.find((p) => p.headers["chorus-delivery-id"] === target.id);
    expect(postsAfter.at(-1)?.body).toBe(original?.body);
    expect(await d1Count("callback_deliveries", accountId)).toBe(0);

    // Another account cannot list or replay it; an id of no delivery is a 404.
    const other = await setup();
    await call(other.account, "GET", `/v1/webhook-endpoints/${ep.id}/deliveries`, undefined, 404);
    await replay(other, ep.id, target.id, 404);
    await replay(s, ep.id, `${month}_${crypto.randomUUID()}`, 404);
    await replay(s, ep.id, "9999-12_00000000-0000-4000-8000-000000000000", 404);
  }, 90_000);

  it("lists an endpoint's deliveries newest first across months, paged, with the total of every month", async () => {
    const s = await setup();
    const accountId = s.account.accountId;
    const ep = await endpoint(s.account, ["broadcast.completed"]);
    // The endpoint was made in October; a delivery of each month since is logged in its month.
    await env.DB.prepare("UPDATE webhook_endpoints SET created_at = ? WHERE id = ?")
      .bind("2026-10-03T08:00:00.000Z", ep.id)
      .run();
    const logged: { id: string; createdAt: string }[] = [];
    for (const [month, days] of [
      ["2026-10", [5, 20]],
      ["2026-11", [2, 9, 30]],
    ] as const) {
      const rows = days.map((day) => ({
        id: `${month}_${crypto.randomUUID()}`,
        accountId,
        endpointId: ep.id,
        url: receiverUrl(ep.name),
        body: JSON.stringify({
          events: [{ id: `evt_${month}_${day}`, type: "broadcast.completed" }],
        }),
        eventCount: 1,
        createdAt: `${month}-${String(day).padStart(2, "0")}T12:00:00.000Z`,
      }));
      await shardOf(accountId, month).insertDeliveries(rows);
      logged.push(...rows);
    }
    const uuid = await sendAndRead(s, 4200, 2);
    await vi.waitUntil(async () => (await completedAt(ep.name)).includes(uuid), {
      timeout: 15_000,
      interval: 200,
    });
    const current = (await deliveries(s, ep.id)).rows[0];
    const newestFirst = [current.id, ...[...logged].reverse().map((d) => d.id)];

    const pages = [];
    for (const page of [1, 2, 3]) pages.push(await deliveries(s, ep.id, `limit=2&page=${page}`));
    expect(pages.map((p) => p.total)).toEqual([6, 6, 6]);
    expect(pages.flatMap((p) => p.rows.map((d) => d.id))).toEqual(newestFirst);

    // A delivery of an earlier month is found by its id alone: replayed now, from its own shard.
    const october = logged[0] as { id: string };
    const replayed = await replay(s, ep.id, october.id);
    expect(replayed).toMatchObject({ id: october.id, status: "delivered", attempts: 1 });
    const stored = await shardOf(accountId, "2026-10").getDelivery(october.id);
    expect(stored).toMatchObject({ status: "delivered", attempts: 1, lastStatusCode: 200 });
  }, 60_000);
});

describe("the delivery log through PUT /admin/accounts/{id}/data-plane", () => {
  it("keeps D1's deliveries findable mid-move, waits for the last retried one, then deletes them", async () => {
    const s = await setup();
    const accountId = s.account.accountId;
    await putOnPlane(accountId, "d1");
    const ep = await endpoint(s.account, ["broadcast.completed"]);
    const a = await sendAndRead(s, 4300, 2);
    await vi.waitUntil(async () => (await completedAt(ep.name)).includes(a), {
      timeout: 15_000,
      interval: 200,
    });
    expect(await d1Count("callback_deliveries", accountId)).toBe(1);

    await expectStatus(await move(accountId, "dual"), 200);
    // B's delivery is logged in D1 (dual still logs there) and keeps failing: pending.
    await failNext(ep.name, 1_000);
    const b = await sendAndRead(s, 4400, 2);
    let pendingB: CallbackDelivery | undefined;
    await vi.waitUntil(
      async () => {
        const { rows } = await deliveries(s, ep.id);
        pendingB = rows.find((d) => d.status === "pending" && d.attempts > 0);
        return pendingB !== undefined;
      },
      { timeout: 15_000, interval: 200 },
    );
    const pendingId = (pendingB as CallbackDelivery).id;
    expect(pendingId, "a D1 delivery keeps its plain id").toMatch(/^[0-9a-f-]{36}$/);

    await settle(accountId);
    await expectStatus(await move(accountId, "shards-dual"), 200);
    // A pending D1 delivery from two days ago whose requeue was lost: no retry is coming for it.
    const stale = crypto.randomUUID();
    await env.DB.prepare(
      `INSERT INTO callback_deliveries (id, account_id, endpoint_id, url, body, event_count, status, attempts, created_at)
       VALUES (?, ?, ?, ?, '{"events":[]}', 0, 'pending', 1, ?)`,
    )
      .bind(
        stale,
        accountId,
        ep.id,
        receiverUrl(ep.name),
        new Date(Date.now() - 2 * 86_400_000).toISOString(),
      )
      .run();
    await settle(accountId);
    const refused = await expectStatus(await move(accountId, "shards"), 409);
    expect(refused.details).toMatch(
      /^plane: 1 callback delivery\(ies\) logged in D1 are pending \(delivered or given up by .+ at the latest\)/,
    );

    // The receiver recovers; the D1 delivery is replayed by its old id while reads are on the shards.
    await failNext(ep.name, 0);
    expect(await replay(s, ep.id, pendingId)).toMatchObject({ status: "delivered" });
    expect(await completedAt(ep.name)).toContain(b);
    // C's delivery is logged in the shard of this month; the log lists both stores, newest first.
    const c = await sendAndRead(s, 4500, 2);
    await vi.waitUntil(async () => (await completedAt(ep.name)).includes(c), {
      timeout: 15_000,
      interval: 200,
    });
    const mid = await deliveries(s, ep.id);
    expect(mid.total).toBe(4);
    expect(mid.rows.map((d) => d.status)).toEqual([
      "delivered",
      "delivered",
      "delivered",
      "pending",
    ]);
    expect(mid.rows[3].id).toBe(stale);
    const month = new Date().toISOString().slice(0, 7);
    expect(mid.rows[0].id.startsWith(`${month}_`)).toBe(true);
    expect(mid.rows[1].id).toBe(pendingId);
    expect(await d1Count("callback_deliveries", accountId)).toBe(3);

    // A step back to dual before the delete still lists the shard's delivery.
    await expectStatus(await move(accountId, "dual"), 200);
    expect(await deliveries(s, ep.id)).toEqual(mid);
    await settle(accountId);
    await expectStatus(await move(accountId, "shards-dual"), 200);

    await settle(accountId);
    const last = await expectStatus(await move(accountId, "shards"), 200);
    expect(last).toMatchObject({ plane: "shards", deletedDeliveriesFromD1: 3 });
    expect(await d1Count("callback_deliveries", accountId)).toBe(0);
    expect(await d1Count("recipient_states", accountId)).toBe(0);
    const after = await deliveries(s, ep.id);
    expect(after.total).toBe(1);
    expect(after.rows.map((d) => d.id)).toEqual([mid.rows[0].id]);
    await replay(s, ep.id, pendingId, 404);
    expect(await replay(s, ep.id, mid.rows[0].id)).toMatchObject({ status: "delivered" });
  }, 120_000);
});

/** Runs the callbacks consumer on `messages`, with the queue's sends captured instead of sent. */
async function consume(messages: CallbackMessage[]) {
  const requeued: CallbackMessage[] = [];
  const bindings = {
    ...(env as unknown as Bindings),
    CALLBACKS: {
      send: async (m: CallbackMessage) => {
        requeued.push(m);
      },
    },
  } as unknown as Bindings;
  const batch = messages.map((body, i) => ({ id: `m${i}`, attempts: 1, body }));
  return { result: await consumeCallbacks(batch, bindings), requeued };
}

describe("a delivery's retry finds its store", () => {
  it("a shard delivery's retry names its account; a D1 retry queued before that still finds its delivery", async () => {
    for (const plane of ["shards", "d1"] as const) {
      const account = await createAccount();
      await putOnPlane(account.accountId, plane);
      const name = `r-${crypto.randomUUID()}`;
      const ep = await call(
        account,
        "POST",
        "/v1/webhook-endpoints",
        { url: receiverUrl(name), events: ["broadcast.completed"] },
        201,
      );
      await failNext(name, 1);
      const first = await consume([
        completedEvent(account.accountId),
        completedEvent(account.accountId),
      ]);
      expect(first.result.explicitAcks.sort()).toEqual(["m0", "m1"]);
      const [retry] = first.requeued;
      expect(retry, plane).toMatchObject({ kind: "delivery", accountId: account.accountId });
      const deliveryId = (retry as { deliveryId: string }).deliveryId;
      expect(deliveryId).toMatch(plane === "shards" ? /^\d{4}-\d{2}_/ : /^[0-9a-f-]{36}$/);

      // A retry as the queue carried it before messages named the account: only D1's can be.
      const legacy: CallbackMessage = { kind: "delivery", deliveryId };
      const again = await consume([plane === "d1" ? legacy : (retry as CallbackMessage)]);
      expect(again.result.explicitAcks).toEqual(["m0"]);
      const log = await call(account, "GET", `/v1/webhook-endpoints/${ep.id}/deliveries`);
      expect(log).toEqual([
        expect.objectContaining({ id: deliveryId, status: "delivered", attempts: 2 }),
      ]);
      expect((await received(name)).map((p) => p.status)).toEqual([503, 200]);
      expect(await d1Count("callback_deliveries", account.accountId)).toBe(plane === "d1" ? 1 : 0);
    }
  });
});
