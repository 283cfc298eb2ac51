/// <reference types="vite/client" />
/**
 * Status callbacks end to end: a broadcast's recipient changes and its end
 * reach the account's endpoints (the sandbox's receivers) signed, batched,
 * at least once with ids to deduplicate by, retried while an endpoint fails,
 * filtered by the events it wants, and never to another account.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { verifyChorusSignature } from "../../docs/verify-signature.mjs";
import { checkCallbackUrl } from "../../src/api/callback-url";
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
import { call } from "../helpers";
import { acceptedEvents, endpoint, failNext, received, receiverUrl } from "./helpers";

const people = (n: number) => {
  const base = Math.floor(Math.random() * 50_000);
  // Ending in 0: none of the sandbox's scripted behaviours (1111 fails, 4444 is never read…).
  return Array.from({ length: n }, (_, i) => mobileNumber(base + i, "0"));
};

/** Sends, delivers Meta's webhooks until every recipient has read, and lets the last flush go out. */
async function sendAndSettle(s: Setup, identifiers: string[], extra = {}) {
  const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, identifiers, extra));
  await waitForStatus(s, created.uuid, "completed", 60_000);
  await vi.waitUntil(
    async () => {
      await deliverWebhooks(s.number.phoneNumberId);
      return (await details(s, created.uuid)).read === identifiers.length;
    },
    { timeout: 30_000, interval: 250 },
  );
  return created.uuid as string;
}

describe("status callbacks", () => {
  it("delivers every event of a 1,000-recipient broadcast, signed, batched, each id once after dedup", async () => {
    const s = await setup({ throughputMps: 1000 });
    const ep = await endpoint(s.account);
    const uuid = await sendAndSettle(s, people(1000));

    let events = new Map<string, any>();
    await vi.waitUntil(
      async () => {
        events = acceptedEvents(await received(ep.name));
        const latest = latestByRecipient(events);
        return (
          latest.size === 1000 &&
          [...latest.values()].every((e) => e.recipient.status === "read") &&
          [...events.values()].some((e) => e.type === "broadcast.completed")
        );
      },
      { timeout: 30_000, interval: 250 },
    );
    const posts = await received(ep.name);
    for (const p of posts) {
      expect(verifyChorusSignature(p.body, p.headers["chorus-signature"] ?? "", ep.secret)).toBe(
        true,
      );
      const body = JSON.parse(p.body);
      expect(body.events.length).toBeGreaterThan(0);
      expect(body.events.length).toBeLessThanOrEqual(100);
      expect(p.headers["chorus-event-id"]).toBe(body.events[0].id);
    }
    // A tampered body, or another secret, fails the same check.
    const first = posts[0] as (typeof posts)[number];
    expect(
      verifyChorusSignature(
        first.body.replace("read", "sent"),
        first.headers["chorus-signature"] ?? "",
        ep.secret,
      ),
    ).toBe(false);
    expect(
      verifyChorusSignature(first.body, first.headers["chorus-signature"] ?? "", "whsec_other"),
    ).toBe(false);
    // Every event the delivery log holds reached the receiver; none came that it does not hold.
    const log = await call(s.account, "GET", `/v1/webhook-endpoints/${ep.id}/deliveries?limit=100`);
    const logged = new Set(log.flatMap((d: any) => d.eventIds));
    expect(new Set(events.keys())).toEqual(logged);
    const completed = [...events.values()].find((e) => e.type === "broadcast.completed");
    expect(completed).toMatchObject({
      broadcast_uuid: uuid,
      broadcast: { status: "completed", recipients: 1000, submitted: 1000 },
    });
    const sample = [...events.values()].find((e) => e.type === "recipient.status");
    expect(sample.recipient).toMatchObject({
      broadcast_uuid: uuid,
      uuid: expect.any(String),
      client_reference: expect.stringMatching(/^ref-/),
    });
  }, 120_000);

  it("keeps retrying while the receiver fails, and it gets everything once it recovers", async () => {
    const s = await setup({ throughputMps: 1000 });
    const ep = await endpoint(s.account);
    await failNext(ep.name, 4);
    await sendAndSettle(s, people(20));
    await vi.waitUntil(
      async () => {
        const latest = latestByRecipient(acceptedEvents(await received(ep.name)));
        return (
          latest.size === 20 && [...latest.values()].every((e) => e.recipient.status === "read")
        );
      },
      { timeout: 45_000, interval: 300 },
    );
    const posts = await received(ep.name);
    expect(posts.filter((p) => p.status === 503)).toHaveLength(4);
    const log = await call(s.account, "GET", `/v1/webhook-endpoints/${ep.id}/deliveries?limit=100`);
    expect(log.some((d: any) => d.attempts > 1 && d.status === "delivered")).toBe(true);
    expect((await call(s.account, "GET", `/v1/webhook-endpoints/${ep.id}`)).status).toBe("active");
  }, 90_000);

  it("sends only the events an endpoint wants, and nothing to another account's endpoint", async () => {
    const s = await setup({ throughputMps: 1000 });
    const onlyEnd = await endpoint(s.account, ["broadcast.completed"]);
    const other = await setup();
    const theirs = await endpoint(other.account);
    const uuid = await sendAndSettle(s, people(10));
    await vi.waitUntil(async () => (await received(onlyEnd.name)).length > 0, {
      timeout: 15_000,
      interval: 250,
    });
    await new Promise((r) => setTimeout(r, 3_000)); // room for anything that should not come
    const events = [...acceptedEvents(await received(onlyEnd.name)).values()];
    expect(events.map((e) => e.type)).toEqual(["broadcast.completed"]);
    expect(events[0].broadcast_uuid).toBe(uuid);
    expect(await received(theirs.name)).toEqual([]);
  }, 60_000);

  it("a broadcast's own status_callback_url gets its events, signed with the account's broadcast secret", async () => {
    const s = await setup({ throughputMps: 1000 });
    const name = `r-${crypto.randomUUID()}`;
    const { secret } = await call(s.account, "GET", "/v1/webhook-endpoints/broadcast-secret");
    const uuid = await sendAndSettle(s, people(5), { status_callback_url: receiverUrl(name) });
    expect((await details(s, uuid)).status_callback_url).toBe(receiverUrl(name));
    await vi.waitUntil(
      async () =>
        [...acceptedEvents(await received(name)).values()].some(
          (e) => e.type === "broadcast.completed",
        ),
      { timeout: 15_000, interval: 250 },
    );
    for (const p of await received(name))
      expect(verifyChorusSignature(p.body, p.headers["chorus-signature"] ?? "", secret)).toBe(true);
  }, 60_000);

  it("replays a delivery on demand, and manages endpoints: secret once, rotate, disable, delete", async () => {
    const s = await setup({ throughputMps: 1000 });
    const ep = await endpoint(s.account, ["broadcast.completed"]);
    await sendAndSettle(s, people(2));
    await vi.waitUntil(async () => (await received(ep.name)).length === 1, {
      timeout: 15_000,
      interval: 250,
    });
    const [delivery] = await call(s.account, "GET", `/v1/webhook-endpoints/${ep.id}/deliveries`);
    const replayed = await call(
      s.account,
      "POST",
      `/v1/webhook-endpoints/${ep.id}/deliveries/${delivery.id}/replay`,
    );
    expect(replayed).toMatchObject({ status: "delivered", attempts: 2 });
    expect(await received(ep.name)).toHaveLength(2);

    const shown = await call(s.account, "GET", `/v1/webhook-endpoints/${ep.id}`);
    expect(shown).not.toHaveProperty("secret");
    const rotated = await call(s.account, "POST", `/v1/webhook-endpoints/${ep.id}/rotate-secret`);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(ep.secret);
    const disabled = await call(s.account, "PUT", `/v1/webhook-endpoints/${ep.id}`, {
      status: "disabled",
    });
    expect(disabled.status).toBe("disabled");
    const raw = await env.DB.prepare("SELECT secret_enc FROM webhook_endpoints WHERE id = ?")
      .bind(ep.id)
      .first<{ secret_enc: string }>();
    expect(raw?.secret_enc).not.toContain(rotated.secret);
    await call(s.account, "DELETE", `/v1/webhook-endpoints/${ep.id}`);
    await call(s.account, "GET", `/v1/webhook-endpoints/${ep.id}`, undefined, 404);
  }, 60_000);

  it("refuses a bad URL or event with 400 naming the field, and plain http in production", async () => {
    const s = await setup();
    const bad = [
      [{ url: "ftp://x.test/a", events: ["recipient.status"] }, "url"],
      [{ url: "not a url", events: ["recipient.status"] }, "url"],
      [{ url: receiverUrl("x"), events: ["recipient.sent"] }, "events"],
      [{ url: receiverUrl("x"), events: [] }, "events"],
    ] as const;
    for (const [body, field] of bad) {
      const error = await call(s.account, "POST", "/v1/webhook-endpoints", body, 400);
      expect(error.details).toContain(field);
    }
    const production = { ENVIRONMENT: "production" } as Bindings;
    expect(() => checkCallbackUrl(production, "http://example.com/x", "url")).toThrow(
      expect.objectContaining({ details: "url: must be an https URL" }),
    );
    expect(() => checkCallbackUrl(production, "https://example.com/x", "url")).not.toThrow();
  });
});

const RANK: Record<string, number> = {
  pending: 0,
  submitted: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  failed: 5,
};

/** Per recipient, the event with the furthest status (a receiver never needs the order). */
function latestByRecipient(events: Map<string, any>): Map<string, any> {
  const latest = new Map<string, any>();
  for (const e of events.values()) {
    if (!e.recipient) continue;
    const seen = latest.get(e.recipient.uuid);
    if (!seen || (RANK[e.recipient.status] ?? 0) >= (RANK[seen.recipient.status] ?? 0))
      latest.set(e.recipient.uuid, e);
  }
  return latest;
}

describe("the README's verifier", () => {
  it("is docs/verify-signature.mjs, word for word", () => {
    const files = import.meta.glob(["../../README.md", "../../docs/verify-signature.mjs"], {
      query: "?raw",
      import: "default",
      eager: true,
    }) as Record<string, string>;
    const readme = files["../../README.md"] ?? "";
    const code = (files["../../docs/verify-signature.mjs"] ?? "").trim();
    expect(code.length).toBeGreaterThan(100);
    expect(readme).toContain(`\`\`\`js\n${code}\n\`\`\``);
  });
});
