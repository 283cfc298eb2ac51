/**
 * The replay window (docs/SCALING.md §5, CALLBACK_REPLAY_DAYS): the cron's
 * hourly pass empties the body of a finished delivery made longer ago than
 * the window, in an account's month shard and in D1; its row is still
 * listed (status, attempts, eventCount), its replay answers 410; a pending
 * one keeps its body; one inside the window replays with the identical body.
 * Deliveries are seeded with old creation times through the shard's named
 * operations (insertDeliveries, recordDeliveryAttempt), or straight into
 * D1's table for an account on "d1", as test/scaling/deliveries.test.ts does.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { shardMonth } from "../../src/domain/data-shard";
import { CALLBACK_REPLAY_DAYS, replayCutoff } from "../../src/domain/delivery-log";
import { call, createAccount, type TestAccount } from "../helpers";
import { DAY, runCron } from "../retention/cron";
import { putOnPlane, shardOf } from "../scaling/projection";
import { endpoint, received, receiverUrl } from "./helpers";

async function completedEndpoint(account: TestAccount) {
  const ep = await endpoint(account, ["broadcast.completed"]);
  // Made before the deliveries seeded for it: the log lists the months since the endpoint's creation.
  await env.DB.prepare("UPDATE webhook_endpoints SET created_at = ? WHERE id = ?")
    .bind(new Date(Date.now() - 30 * DAY).toISOString(), ep.id)
    .run();
  return { name: ep.name, id: ep.id };
}

interface Seeded {
  key: "old-delivered" | "old-failed" | "old-pending" | "recent-delivered";
  id: string;
  body: string;
  createdAt: string;
}

/** What each seeded delivery is: its age in days and its status after its attempts. */
const SEEDS: { key: Seeded["key"]; ageDays: number; status: string; attempts: number }[] = [
  { key: "old-delivered", ageDays: CALLBACK_REPLAY_DAYS + 1, status: "delivered", attempts: 1 },
  { key: "old-failed", ageDays: CALLBACK_REPLAY_DAYS + 6, status: "failed", attempts: 9 },
  { key: "old-pending", ageDays: CALLBACK_REPLAY_DAYS + 2, status: "pending", attempts: 3 },
  // Inside the window, but already a day or two old (another month's shard near a month's start).
  { key: "recent-delivered", ageDays: CALLBACK_REPLAY_DAYS - 1, status: "delivered", attempts: 1 },
];

function bodyOf(key: string): string {
  return JSON.stringify({
    events: [
      { id: `evt_${key}_${crypto.randomUUID()}`, type: "broadcast.completed" },
      { id: `evt_${key}_${crypto.randomUUID()}`, type: "broadcast.completed" },
    ],
  });
}

/** Seeds each delivery in the month shard of its creation, through the shard's named operations. */
async function seedInShards(accountId: string, ep: { id: string; name: string }) {
  const seeded: Seeded[] = [];
  for (const s of SEEDS) {
    const createdAt = new Date(Date.now() - s.ageDays * DAY).toISOString();
    const month = shardMonth(createdAt);
    const row = {
      id: `${month}_${crypto.randomUUID()}`,
      accountId,
      endpointId: ep.id,
      url: receiverUrl(ep.name),
      body: bodyOf(s.key),
      eventCount: 2,
      createdAt,
    };
    await shardOf(accountId, month).insertDeliveries([row]);
    await shardOf(accountId, month).recordDeliveryAttempt(row.id, {
      status: s.status,
      attempts: s.attempts,
      lastStatusCode: s.status === "delivered" ? 200 : 503,
      deliveredAt: s.status === "delivered" ? createdAt : null,
    });
    seeded.push({ key: s.key, id: row.id, body: row.body, createdAt });
  }
  return seeded;
}

/** The same deliveries in D1's log, as an account on "d1" has them. */
async function seedInD1(accountId: string, ep: { id: string; name: string }) {
  const seeded: Seeded[] = [];
  for (const s of SEEDS) {
    const createdAt = new Date(Date.now() - s.ageDays * DAY).toISOString();
    const id = crypto.randomUUID();
    const body = bodyOf(s.key);
    await env.DB.prepare(
      `INSERT INTO callback_deliveries (id, account_id, endpoint_id, url, body, event_count, status, attempts, last_status_code, created_at, delivered_at)
       VALUES (?, ?, ?, ?, ?, 2, ?, ?, ?, ?, ?)`,
    )
      .bind(
        id,
        accountId,
        ep.id,
        receiverUrl(ep.name),
        body,
        s.status,
        s.attempts,
        s.status === "delivered" ? 200 : 503,
        createdAt,
        s.status === "delivered" ? createdAt : null,
      )
      .run();
    seeded.push({ key: s.key, id, body, createdAt });
  }
  return seeded;
}

/** The body as its store holds it: the month shard of its creation, or D1's log. */
async function storedBody(accountId: string, plane: "shards" | "d1", d: Seeded) {
  if (plane === "shards")
    return (await shardOf(accountId, shardMonth(d.createdAt)).getDelivery(d.id))?.body;
  const row = await env.DB.prepare("SELECT body FROM callback_deliveries WHERE id = ?")
    .bind(d.id)
    .first<{ body: string }>();
  return row?.body;
}

describe("the replay window of callback bodies", () => {
  for (const plane of ["shards", "d1"] as const) {
    it(`empties finished deliveries past the window, keeps their rows and answers 410 on replay (${plane})`, async () => {
      const account = await createAccount();
      await putOnPlane(account.accountId, plane);
      const ep = await completedEndpoint(account);
      const seeded =
        plane === "shards"
          ? await seedInShards(account.accountId, ep)
          : await seedInD1(account.accountId, ep);
      const by = (key: Seeded["key"]) => seeded.find((d) => d.key === key) as Seeded;

      await runCron();

      const body = (d: Seeded) => storedBody(account.accountId, plane, d);
      expect(await body(by("old-delivered")), "delivered, past the window").toBe("");
      expect(await body(by("old-failed")), "given up, past the window").toBe("");
      expect(await body(by("old-pending")), "pending: kept for its retries").toBe(
        by("old-pending").body,
      );
      expect(await body(by("recent-delivered")), "inside the window").toBe(
        by("recent-delivered").body,
      );

      // Every row is still listed, the aged ones with their status, attempts and event count.
      const log: any[] = await call(
        account,
        "GET",
        `/v1/webhook-endpoints/${ep.id}/deliveries?limit=100`,
      );
      expect(log.map((d) => d.id).sort()).toEqual(seeded.map((d) => d.id).sort());
      const listed = (key: Seeded["key"]) => log.find((d) => d.id === by(key).id);
      expect(listed("old-delivered"), JSON.stringify(log)).toMatchObject({
        status: "delivered",
        attempts: 1,
        eventCount: 2,
        eventIds: [],
        bodyAgedOut: true,
      });
      expect(listed("old-failed")).toMatchObject({
        status: "failed",
        attempts: 9,
        eventCount: 2,
        bodyAgedOut: true,
      });
      expect(listed("old-pending")).toMatchObject({ status: "pending", bodyAgedOut: false });
      expect(listed("old-pending").eventIds).toHaveLength(2);
      expect(listed("recent-delivered")).toMatchObject({ bodyAgedOut: false });

      // A replay past the window says why it cannot be made, and sends nothing.
      const path = (d: Seeded) => `/v1/webhook-endpoints/${ep.id}/deliveries/${d.id}/replay`;
      const gone = await call(account, "POST", path(by("old-delivered")), undefined, 410);
      expect(gone).toMatchObject({ code: "GONE", message: "Delivery body aged out" });
      expect(gone.details).toContain(`dropped ${CALLBACK_REPLAY_DAYS} days after it was made`);
      expect(gone.details.startsWith("deliveryId: ")).toBe(true);
      await call(account, "POST", path(by("old-failed")), undefined, 410);
      expect(await received(ep.name)).toEqual([]);

      // Inside the window: replayed with the very body that was logged.
      const replayed = await call(account, "POST", path(by("recent-delivered")));
      expect(replayed).toMatchObject({ status: "delivered", attempts: 2, bodyAgedOut: false });
      const posts = await received(ep.name);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.body).toBe(by("recent-delivered").body);
      expect(posts[0]?.headers["chorus-delivery-id"]).toBe(by("recent-delivered").id);
    }, 60_000);
  }

  it("one shard's sweep is one bounded statement, repeated harmlessly", async () => {
    const account = await createAccount();
    const createdAt = new Date(Date.now() - (CALLBACK_REPLAY_DAYS + 1) * DAY).toISOString();
    const month = shardMonth(createdAt);
    const shard = shardOf(account.accountId, month);
    const rows = [1, 2, 3].map((i) => ({
      id: `${month}_${crypto.randomUUID()}`,
      accountId: account.accountId,
      endpointId: null,
      url: receiverUrl(`bounded-${i}`),
      body: bodyOf(`bounded-${i}`),
      eventCount: 2,
      createdAt,
    }));
    await shard.insertDeliveries(rows);
    for (const r of rows) await shard.recordDeliveryAttempt(r.id, { status: "delivered" });
    const cutoff = replayCutoff(new Date());
    expect(await shard.dropDeliveryBodies(cutoff, 2)).toBe(2);
    expect(await shard.dropDeliveryBodies(cutoff, 2)).toBe(1);
    expect(await shard.dropDeliveryBodies(cutoff, 2)).toBe(0);
    for (const r of rows) expect((await shard.getDelivery(r.id))?.body).toBe("");
  });
});
