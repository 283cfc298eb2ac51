/**
 * The messaging-tier budget: the people a portfolio reached in the last 24 h
 * plus a broadcast's new people, against the sender's messaging limit.
 * `refuse` answers 409 and creates nothing; `defer` sends up to the limit and
 * holds the rest for 24 h, saying so.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  details,
  future,
  helloBody,
  type Setup,
  setup,
  waitForStatus,
} from "../engine";
import { api, bearer, call, expectStatus, jsonInit } from "../helpers";
import { projectionRows } from "../scaling/projection";

/** Numbers ending in 0: none of the sandbox's scripted behaviours (2222 is never accepted…). */
const people = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => mobileNumber((from + i) % 61_000, "0"));

/** An account whose sender's portfolio (limit 250) already reached 245 people today. */
async function nearlyFull(): Promise<{ s: Setup; reached: string[]; base: number }> {
  const s = await setup();
  await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { messagingLimit: 250 }, 200);
  const base = Math.floor(Math.random() * 50_000);
  const reached = people(base, 245);
  const first = await createBroadcast(s, helloBody(s.sender.phoneNumber, reached));
  await waitForStatus(s, first.uuid, "completed");
  // The check reads the D1 projection, which the broadcast flushes every ~2 s.
  await vi.waitUntil(
    async () =>
      (
        await projectionRows<{ submitted_at: string | null }>(
          s.account.accountId,
          first.uuid,
          "submitted_at",
        )
      ).filter((r) => r.submitted_at !== null).length === 245,
    { timeout: 15_000, interval: 200 },
  );
  return { s, reached, base };
}

describe("messaging-tier budget", () => {
  it("refuse: a create that would go over answers 409 naming the limit, and makes nothing", async () => {
    const { s, base } = await nearlyFull();
    const res = await api(
      "/broadcasts",
      jsonInit(
        "POST",
        helloBody(s.sender.phoneNumber, people(base + 1_000, 10), { tier_policy: "refuse" }),
        bearer(s.account.key),
      ),
    );
    const error = await expectStatus(res, 409);
    expect(error.details).toContain("may reach 250 people in 24 h; it reached 245");
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM broadcasts WHERE account_id = ?")
      .bind(s.account.accountId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  }, 40_000);

  it("defer: sends up to the limit (people already reached are free) and holds the rest 24 h", async () => {
    const { s, reached, base } = await nearlyFull();
    const fresh = people(base + 2_000, 10);
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [...reached.slice(0, 2), ...fresh]),
    );
    expect(created.warnings.messaging_limit).toMatchObject({
      limit: 250,
      reached_24h: 245,
      new_people: 10,
      held: 5,
    });
    // The two already reached may wait out the 6 s pair spacing of their first message.
    await vi.waitUntil(async () => (await details(s, created.uuid)).submitted === 7, {
      timeout: 30_000,
      interval: 250,
    });
    const d = await details(s, created.uuid);
    expect(d).toMatchObject({ status: "sending", pending: 5, submitted: 7 });
    expect(d.tier_notice).toContain("they wait 24 h");
    const page = await expectStatus(
      await api(`/broadcasts/${created.uuid}/recipients?status=pending`, {
        headers: bearer(s.account.key),
      }),
      200,
    );
    expect(page.recipients).toHaveLength(5);
    for (const r of page.recipients) {
      expect(fresh).toContain(r.identifier);
      const wait = Date.parse(r.next_send_at) - Date.now();
      expect(wait).toBeGreaterThan(23 * 3_600_000);
      expect(wait).toBeLessThanOrEqual(24 * 3_600_000);
    }
  }, 60_000);

  it("refuse on the v1 surface pauses the broadcast when it starts, with the reason", async () => {
    const { s, base } = await nearlyFull();
    for (const phone of people(base + 3_000, 8)) {
      await call(s.account, "POST", "/v1/contacts", { phone: `+${phone}` }, 201);
    }
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true }, 200);
    const v1 = await call(
      s.account,
      "POST",
      "/v1/broadcasts",
      {
        name: "Over the limit",
        type: "client",
        status: "scheduled",
        template: { name: "hello_world", language: "en" },
        tierPolicy: "refuse",
      },
      200,
    );
    await vi.waitUntil(
      async () => (await call(s.account, "GET", `/v1/broadcasts/${v1.id}`)).status === "paused",
      { timeout: 15_000, interval: 250 },
    );
    const got = await call(s.account, "GET", `/v1/broadcasts/${v1.id}`);
    expect(got.pauseReason).toContain("tier_policy: refuse");
    expect(got.deliveryStats.sentCount).toBe(0);
  }, 40_000);

  it("invariant 8: the budget counts what a broadcast sent before its projection reached D1", async () => {
    const s = await setup();
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { messagingLimit: 250 }, 200);
    const base = Math.floor(Math.random() * 50_000);
    const first = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, people(base, 245), { scheduled_for: future(1_500) }),
    );
    // The first broadcast's flushes to D1 happen only when asked to catch up
    // (what a reader that must see its GET asks for), never on its own alarm.
    await runInDurableObject(broadcastStub(env, s.account.accountId, first.uuid), (obj) => {
      const instance = obj as any;
      const flush = instance.outbox.flush.bind(instance.outbox);
      // RPC calls reach only the class's own methods, so the test tells a
      // catch-up's flush from the alarm's by who called it.
      instance.outbox.flush = async () =>
        new Error().stack?.includes("catchUp") ? flush() : undefined;
    });
    await waitForStatus(s, first.uuid, "completed");
    const projected = (
      await projectionRows<{ submitted_at: string | null }>(
        s.account.accountId,
        first.uuid,
        "submitted_at",
      )
    ).filter((r) => r.submitted_at !== null).length;
    expect(
      projected,
      "the projection must not have the sends yet, or this test shows nothing",
    ).toBe(0);
    // Its GET says 245 were sent: a create now must count them.
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, people(base + 2_000, 10)),
    );
    expect(created.warnings.messaging_limit).toMatchObject({
      limit: 250,
      reached_24h: 245,
      new_people: 10,
      held: 5,
    });
  }, 60_000);
});
