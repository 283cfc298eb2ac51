/**
 * The webhooks an accepted send produces, read from the number's outbox
 * (the tests' sandbox has no webhook URL): Meta's envelope, a signature that
 * verifies with the app secret, and each behaviour by recipient number.
 */
import { describe, expect, it, vi } from "vitest";
import {
  configure,
  createNumber,
  digits,
  drain,
  errorOf,
  events,
  hello,
  holiday,
  inspect,
  type Num,
  recipient,
  send,
  sendOk,
  signatureOf,
  stats,
} from "./helpers";

const statusesOf = (statuses: any[], wamid: string) =>
  statuses.filter((s) => s.id === wamid).map((s) => s.status);

describe("status webhooks", () => {
  it("sent, delivered, read in Meta's envelope, signed, with the callback data echoed", async () => {
    const n = await createNumber();
    const to = recipient();
    const wamid = await sendOk(n, holiday(to));
    const { statuses, deliveries } = await events(n);
    expect(deliveries.length).toBeGreaterThan(0);
    expect(statuses.map((s) => s.status)).toEqual(["sent", "delivered", "read"]);
    const timestamps = statuses.map((s) => Number(s.timestamp));
    for (const s of statuses) {
      expect(s).toMatchObject({
        id: wamid,
        recipient_id: digits(to),
        biz_opaque_callback_data: `broadcast-1:${digits(to)}`,
        timestamp: expect.stringMatching(/^\d{10}$/),
      });
    }
    expect(Math.abs((timestamps[0] ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    expect(statuses[0]).toMatchObject({
      conversation: { id: expect.any(String), origin: { type: "marketing" } },
      pricing: { billable: true, pricing_model: "PMP", category: "marketing" },
    });
    // Drained means gone.
    expect(await drain(n)).toEqual([]);
    expect(await stats(n)).toMatchObject({ webhooks_pending: 0, webhooks_drained: 3 });
  });

  it("signs the exact raw bytes: a body changed by one byte no longer verifies", async () => {
    const n = await createNumber();
    await sendOk(n, hello(recipient("0005")));
    const [d] = await drain(n);
    expect(d).toBeDefined();
    if (!d) return;
    expect(d.headers["x-hub-signature-256"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(d.headers["x-hub-signature-256"]).toBe(await signatureOf(d.body));
    expect(d.headers["x-hub-signature-256"]).not.toBe(await signatureOf(`${d.body} `));
    expect(d.headers["x-hub-signature-256"]).not.toBe(await signatureOf(d.body, "another-secret"));
  });

  it("groups statuses due together in one POST, at most 50 each", async () => {
    const n = await createNumber({ mps: 1000 });
    const wamids = await Promise.all(
      Array.from({ length: 30 }, () => sendOk(n, hello(recipient()))),
    );
    const { statuses, deliveries } = await events(n);
    expect(statuses).toHaveLength(90);
    expect(deliveries.length).toBeGreaterThanOrEqual(2);
    expect(deliveries.length).toBeLessThan(90);
    for (const d of deliveries)
      expect(JSON.parse(d.body).entry[0].changes[0].value.statuses.length).toBeLessThanOrEqual(50);
    for (const w of wamids) expect(statusesOf(statuses, w)).toEqual(["sent", "delivered", "read"]);
  });

  it("drains only what is due unless asked for all", async () => {
    const n = await createNumber({
      delays: { sent_ms: 0, delivered_ms: 60_000, read_ms: 120_000 },
    });
    const wamid = await sendOk(n, hello(recipient()));
    const due = await drain(n, false);
    const dueStatuses = due.flatMap((d) => JSON.parse(d.body).entry[0].changes[0].value.statuses);
    expect(dueStatuses.map((s: any) => [s.id, s.status])).toEqual([[wamid, "sent"]]);
    expect((await stats(n)).webhooks_pending).toBe(2);
    const { statuses } = await events(n);
    expect(statuses.map((s) => s.status)).toEqual(["delivered", "read"]);
  });

  it("shuffle_webhooks delivers out of order (read before delivered…)", async () => {
    const n = await createNumber({ shuffle_webhooks: true, mps: 1000 });
    const wamids = await Promise.all(
      Array.from({ length: 12 }, () => sendOk(n, hello(recipient()))),
    );
    const { statuses } = await events(n);
    expect(statuses).toHaveLength(36);
    const orders = wamids.map((w) => statusesOf(statuses, w).join(","));
    // Each message still gets its three statuses, but not all in order (12 in order by chance: 1 in 6^12).
    for (const o of orders) expect(o.split(",").sort()).toEqual(["delivered", "read", "sent"]);
    expect(orders.some((o) => o !== "sent,delivered,read")).toBe(true);
  });

  it("duplicate_webhook_rate 1 delivers every event twice, in separate POSTs", async () => {
    const n = await createNumber({ duplicate_webhook_rate: 1 });
    const wamid = await sendOk(n, hello(recipient()));
    const { statuses, deliveries } = await events(n);
    expect(statusesOf(statuses, wamid)).toEqual([
      "sent",
      "delivered",
      "read",
      "sent",
      "delivered",
      "read",
    ]);
    expect(deliveries).toHaveLength(2);
    expect(await stats(n)).toMatchObject({ webhooks_drained: 3, webhooks_duplicated: 3 });
  });
});

describe("behaviours by recipient number", () => {
  async function scenario(suffix: string) {
    const n = await createNumber();
    const to = recipient(suffix);
    const wamid = await sendOk(n, hello(to, `cb-${suffix}`));
    return { n, to, wamid, ...(await events(n)) };
  }

  it("1111: accepted, then sent and failed with 131026 (found by wamid)", async () => {
    const { wamid, statuses, messages } = await scenario("1111");
    expect(statuses.map((s) => s.status)).toEqual(["sent", "failed"]);
    expect(statuses.every((s) => s.id === wamid)).toBe(true);
    expect(statuses[1].errors).toEqual([
      {
        code: 131026,
        title: "Message undeliverable",
        message: "Message undeliverable",
        error_data: { details: expect.any(String) },
        href: expect.stringContaining("developers.facebook.com"),
      },
    ]);
    expect(messages).toEqual([]);
  });

  it("2222: the send fails with 131049 and is not accepted", async () => {
    const n = await createNumber();
    const to = recipient("2222");
    for (let i = 0; i < 2; i++) {
      const e = await errorOf(send(n, hello(to, "cb")));
      expect(e).toMatchObject({ status: 400, code: 131049 });
      expect(e.error.message).toBe(
        "This message was not delivered to maintain healthy ecosystem engagement.",
      );
    }
    expect(await stats(n)).toMatchObject({ accepted: 0, rejected_other: 2, webhooks_pending: 0 });
    expect(await inspect(n, to)).toEqual({
      messages: [],
      attempts: [
        {
          phone_number_id: n.phoneNumberId,
          to: digits(to),
          biz_opaque_callback_data: "cb",
          attempts: 2,
          accepted: 0,
        },
      ],
    });
  });

  it("3333: HTTP 500 on the first two attempts of a (to, callback data) pair, then success", async () => {
    const n = await createNumber();
    const to = recipient("3333");
    for (let i = 0; i < 2; i++) {
      expect(await errorOf(send(n, hello(to, "cb-1")))).toMatchObject({
        status: 500,
        code: 131000,
      });
    }
    const wamid = await sendOk(n, hello(to, "cb-1"));
    // Another callback data is another pair: it fails twice again.
    expect((await send(n, hello(to, "cb-2"))).status).toBe(500);
    const { messages, attempts } = await inspect(n, to);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ wamid, attempts: 3, biz_opaque_callback_data: "cb-1" });
    expect(attempts.map((a) => [a.biz_opaque_callback_data, a.attempts, a.accepted])).toEqual([
      ["cb-1", 3, 1],
      ["cb-2", 1, 0],
    ]);
    const { statuses } = await events(n);
    expect(statusesOf(statuses, wamid)).toEqual(["sent", "delivered", "read"]);
  });

  it("4444: sent and delivered, never read", async () => {
    const { statuses, wamid } = await scenario("4444");
    expect(statusesOf(statuses, wamid)).toEqual(["sent", "delivered"]);
  });

  it("5555: sent, delivered, read, then an inbound STOP", async () => {
    const { n, to, statuses, messages, contacts, deliveries, wamid } = await scenario("5555");
    expect(statusesOf(statuses, wamid)).toEqual(["sent", "delivered", "read"]);
    expect(messages).toEqual([
      {
        from: digits(to),
        id: expect.stringMatching(/^wamid\./),
        timestamp: expect.stringMatching(/^\d+$/),
        type: "text",
        text: { body: "STOP" },
      },
    ]);
    expect(messages[0].id).not.toBe(wamid);
    expect(contacts).toEqual([{ profile: { name: expect.any(String) }, wa_id: digits(to) }]);
    // The reply comes last, in its own POST.
    const last = JSON.parse(deliveries.at(-1)?.body ?? "{}").entry[0].changes[0].value;
    expect(last.statuses).toBeUndefined();
    expect(last.messages[0].text.body).toBe("STOP");
    expect(last.metadata.phone_number_id).toBe(n.phoneNumberId);
  });

  it("6666: sent, delivered, read, then a quick-reply tap whose context names the message", async () => {
    const { n, to, statuses, messages, wamid } = await scenario("6666");
    expect(statusesOf(statuses, wamid)).toEqual(["sent", "delivered", "read"]);
    expect(messages).toEqual([
      {
        from: digits(to),
        id: expect.stringMatching(/^wamid\./),
        timestamp: expect.stringMatching(/^\d+$/),
        type: "button",
        button: { text: "Yes", payload: "Yes" },
        context: { from: n.displayNumber, id: wamid },
      },
    ]);
  });

  it("7777: sent, delivered, read, then a 👍 reaction naming the message in reaction.message_id", async () => {
    const { to, statuses, messages, wamid } = await scenario("7777");
    expect(statusesOf(statuses, wamid)).toEqual(["sent", "delivered", "read"]);
    expect(messages).toEqual([
      {
        from: digits(to),
        id: expect.stringMatching(/^wamid\./),
        timestamp: expect.stringMatching(/^\d+$/),
        type: "reaction",
        reaction: { message_id: wamid, emoji: "👍" },
      },
    ]);
  });

  it("8888: a quick-reply tap from a business-scoped user id, with no phone number", async () => {
    const { n, to, statuses, messages, contacts, wamid } = await scenario("8888");
    expect(statusesOf(statuses, wamid)).toEqual(["sent", "delivered", "read"]);
    expect(messages).toEqual([
      {
        from_user_id: `GB.${digits(to)}`,
        id: expect.stringMatching(/^wamid\./),
        timestamp: expect.stringMatching(/^\d+$/),
        type: "button",
        button: { text: "Count me in", payload: "yes" },
        context: { from: n.displayNumber, id: wamid },
      },
    ]);
    expect(contacts).toEqual([
      { profile: { name: expect.any(String) }, user_id: `GB.${digits(to)}` },
    ]);
  });

  it("anything else: sent, delivered, read, and no reply", async () => {
    const { statuses, messages, wamid } = await scenario("0042");
    expect(statusesOf(statuses, wamid)).toEqual(["sent", "delivered", "read"]);
    expect(messages).toEqual([]);
  });
});

describe("delivery over HTTP", () => {
  /** Polls the number's stats until `done` holds. */
  async function until(n: Num, done: (s: any) => boolean) {
    let last: any;
    const check = async () => {
      last = await stats(n);
      return done(last);
    };
    await vi.waitUntil(check, { timeout: 10_000, interval: 50 }).catch(() => {
      throw new Error(`stats never matched: ${JSON.stringify(last)}`);
    });
    return last;
  }

  it("retries a failing webhook URL with backoff, then gives up and counts it", async () => {
    // Nothing listens on port 9 of the loopback: every POST fails at once (workerd logs each
    // refused connection as "Network connection lost", which is expected here).
    const n = await createNumber({
      webhook_url: "http://127.0.0.1:9/webhooks/whatsapp",
      delays: { sent_ms: 0, delivered_ms: 0, read_ms: 0 },
      webhook_retry: { max_attempts: 3, base_ms: 50 },
    });
    await sendOk(n, hello(recipient()));
    const s = await until(n, (x) => x.webhooks_failed === 3);
    // Three events, grouped in one POST: two failures rescheduled them, the third gave up.
    expect(s).toMatchObject({
      webhooks_delivered: 0,
      webhooks_failed: 3,
      webhooks_retried: 6,
      webhooks_pending: 0,
    });
  });

  it("holds webhooks while the number has no URL, and sends them once it has one", async () => {
    const n = await createNumber({ delays: { sent_ms: 0, delivered_ms: 0, read_ms: 0 } });
    await sendOk(n, hello(recipient()));
    await new Promise((r) => setTimeout(r, 200));
    expect(await stats(n)).toMatchObject({ webhooks_pending: 3, webhooks_retried: 0 });
    await configure(n, {
      webhook_url: "http://127.0.0.1:9/hook",
      webhook_retry: { max_attempts: 1 },
    });
    await until(n, (x) => x.webhooks_failed === 3 && x.webhooks_pending === 0);
  });
});
