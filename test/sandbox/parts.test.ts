/**
 * The sandbox's other pure parts, called directly: configuration updates,
 * the throughput window, paging, webhook grouping and the scripted events.
 */
import { describe, expect, it } from "vitest";
import { recipientRefusal, rollFault, scheduledEvents } from "../../sandbox/behaviours";
import { applyPatch, demoConfig, type NumberConfig } from "../../sandbox/config";
import { paginate } from "../../sandbox/paging";
import { SlidingWindow } from "../../sandbox/throughput";
import { planPosts, type QueuedEvent } from "../../sandbox/webhooks";

describe("applyPatch", () => {
  const created = (patch: Record<string, unknown>) =>
    applyPatch("123456", null, { waba_id: "999", access_token: "t", ...patch });

  it("creates with defaults and updates only what is given", () => {
    const cfg = created({}) as NumberConfig;
    expect(cfg).toMatchObject({
      phone_number_id: "123456",
      waba_id: "999",
      mps: 80,
      webhook_url: null,
      delays: { sent_ms: 100, delivered_ms: 300, read_ms: 600 },
      failure_mode: null,
      faults: { error_500_rate: 0, timeout_rate: 0, throttle_rate: 0 },
      timeout_ms: 15_000,
      shuffle_webhooks: false,
      duplicate_webhook_rate: 0,
    });
    const next = applyPatch("123456", cfg, {
      mps: 10,
      delays: { read_ms: 5 },
      faults: { throttle_rate: 0.5 },
    });
    expect(next).toMatchObject({
      mps: 10,
      waba_id: "999",
      delays: { sent_ms: 100, delivered_ms: 300, read_ms: 5 },
      faults: { error_500_rate: 0, timeout_rate: 0, throttle_rate: 0.5 },
    });
    expect(applyPatch("123456", cfg, { failure_mode: "account_locked" })).toMatchObject({
      failure_mode: "account_locked",
    });
    expect(
      applyPatch("123456", { ...cfg, failure_mode: "account_locked" }, { failure_mode: null }),
    ).toMatchObject({
      failure_mode: null,
    });
    expect(applyPatch("123456", cfg, { webhook_url: "" })).toMatchObject({ webhook_url: null });
  });

  it.each([
    [{ mps: 0 }, /mps/],
    [{ mps: 1.5 }, /mps/],
    [{ faults: { error_500_rate: 2 } }, /faults.error_500_rate/],
    [{ faults: { error_500_rate: 0.6, throttle_rate: 0.6 } }, /add up/],
    [{ faults: { typo_rate: 0.1 } }, /typo_rate/],
    [{ delays: { sent_ms: -1 } }, /delays.sent_ms/],
    [{ failure_mode: "on_fire" }, /failure_mode/],
    [{ webhook_url: "ftp://x" }, /webhook_url/],
    [{ duplicate_webhook_rate: 1.5 }, /duplicate_webhook_rate/],
    [{ shuffle_webhooks: "yes" }, /shuffle_webhooks/],
    [{ mpss: 10 }, /mpss is not a setting/],
    [{ waba_id: "abc" }, /waba_id/],
  ])("refuses %j", (patch, message) => {
    expect(created(patch)).toMatch(message);
  });

  it("needs a WABA and a token to create a number, not to update one", () => {
    expect(applyPatch("123456", null, { mps: 5 })).toMatch(/waba_id and access_token/);
    expect(applyPatch("100000000000001", demoConfig(), { mps: 5 })).toMatchObject({ mps: 5 });
  });
});

describe("SlidingWindow", () => {
  it("counts accepts in the last second, whatever the calendar second", () => {
    const w = new SlidingWindow();
    for (let t = 0; t < 10; t++) w.add(900 + t);
    expect(w.count(1000)).toBe(10);
    // 100 ms into the next calendar second, the ten are still within one second.
    expect(w.count(1899)).toBe(10);
    expect(w.count(1900)).toBe(9);
    expect(w.count(1910)).toBe(0);
    expect(w.add(1910)).toBe(1);
  });

  it("stays small over a long run", () => {
    const w = new SlidingWindow();
    let max = 0;
    for (let t = 0; t < 100_000; t++) max = Math.max(max, w.add(t * 10));
    expect(max).toBe(100);
  });
});

describe("paginate", () => {
  const items = Array.from({ length: 7 }, (_, i) => i);
  const url = (q: string) => new URL(`http://sandbox.test/v23.0/1/message_templates${q}`);

  it("walks forward with after and back with before", () => {
    const first: any = paginate(items, url("?limit=3"));
    expect(first.data).toEqual([0, 1, 2]);
    expect(first.paging.previous).toBeUndefined();
    const second: any = paginate(items, new URL(first.paging.next));
    expect(second.data).toEqual([3, 4, 5]);
    const third: any = paginate(items, new URL(second.paging.next));
    expect(third.data).toEqual([6]);
    expect(third.paging.next).toBeUndefined();
    const back: any = paginate(items, new URL(third.paging.previous));
    expect(back.data).toEqual([3, 4, 5]);
    expect(
      paginate(items, url(`?after=${encodeURIComponent(first.paging.cursors.after)}`)),
    ).toMatchObject({
      data: [3, 4, 5, 6],
    });
  });

  it("defaults to 25 and refuses a bad limit or cursor with code 100", () => {
    const many = Array.from({ length: 30 }, (_, i) => i);
    expect((paginate(many, url("")) as any).data).toHaveLength(25);
    expect(paginate(many, url("?limit=0"))).toMatchObject({ code: 100 });
    expect(paginate(many, url("?limit=x"))).toMatchObject({ code: 100 });
    expect(paginate(many, url("?after=garbage"))).toMatchObject({ code: 100 });
  });
});

describe("planPosts", () => {
  const status = (id: number): QueuedEvent => ({
    id,
    event: { kind: "status", status: { id: `wamid.${id}`, status: "sent" } },
  });
  const inbound = (id: number): QueuedEvent => ({
    id,
    event: { kind: "message", contact: {}, message: { id: `wamid.in${id}` } },
  });
  const plain = { shuffle: false, duplicateRate: 0, random: Math.random };

  it("groups consecutive statuses up to 50 a POST; each inbound message alone", () => {
    const events = [
      ...Array.from({ length: 120 }, (_, i) => status(i)),
      inbound(120),
      inbound(121),
      status(122),
    ];
    const posts = planPosts(events, plain);
    expect(posts.map((p) => p.events.length)).toEqual([50, 50, 20, 1, 1, 1]);
    expect(posts.flatMap((p) => p.ids)).toEqual(events.map((e) => e.id));
    expect(posts.every((p) => !p.duplicate)).toBe(true);
  });

  it("shuffles when asked, and resends a share of events in later POSTs", () => {
    const events = Array.from({ length: 40 }, (_, i) => status(i));
    const shuffled = planPosts(events, { ...plain, shuffle: true });
    const order = shuffled.flatMap((p) => p.ids);
    expect([...order].sort((a, b) => a - b)).toEqual(events.map((e) => e.id));
    expect(order).not.toEqual(events.map((e) => e.id));
    const doubled = planPosts(events, { ...plain, duplicateRate: 1 });
    expect(doubled.map((p) => [p.duplicate, p.events.length, p.ids.length])).toEqual([
      [false, 40, 40],
      [true, 40, 0],
    ]);
  });
});

describe("scripted behaviours", () => {
  const delays = { sent_ms: 100, delivered_ms: 300, read_ms: 600 };
  const plan = (digits: string) =>
    scheduledEvents(
      {
        wamid: "wamid.X",
        digits,
        callback: "cb",
        acceptedAt: 1_000_000,
        category: "marketing",
        businessDigits: "15550001",
      },
      delays,
    );
  const kinds = (digits: string) =>
    plan(digits).map((e) => [
      e.due - 1_000_000,
      e.event.kind === "status"
        ? e.event.status.status
        : e.event.kind === "message"
          ? e.event.message.type
          : e.event.field,
    ]);

  it("schedules each recipient's statuses and replies at the configured delays", () => {
    expect(kinds("447700900000")).toEqual([
      [100, "sent"],
      [300, "delivered"],
      [600, "read"],
    ]);
    expect(kinds("447700901111")).toEqual([
      [100, "sent"],
      [300, "failed"],
    ]);
    expect(kinds("447700904444")).toEqual([
      [100, "sent"],
      [300, "delivered"],
    ]);
    expect(kinds("447700905555")).toEqual([
      [100, "sent"],
      [300, "delivered"],
      [600, "read"],
      [700, "text"],
    ]);
    expect(kinds("447700906666")).toEqual([
      [100, "sent"],
      [300, "delivered"],
      [600, "read"],
      [700, "button"],
    ]);
    const [sent] = plan("447700900000");
    expect(sent?.event).toMatchObject({
      kind: "status",
      status: {
        id: "wamid.X",
        timestamp: "1000",
        recipient_id: "447700900000",
        biz_opaque_callback_data: "cb",
      },
    });
  });

  it("refuses 2222 always and 3333 twice", () => {
    expect(recipientRefusal("447700902222", 5)?.code).toBe(131049);
    expect(recipientRefusal("447700903333", 1)?.status).toBe(500);
    expect(recipientRefusal("447700903333", 2)?.code).toBe(131000);
    expect(recipientRefusal("447700903333", 3)).toBeNull();
    expect(recipientRefusal("447700900000", 1)).toBeNull();
  });

  it("rolls faults by their rates", () => {
    const faults = { error_500_rate: 0.1, timeout_rate: 0.2, throttle_rate: 0.3 };
    expect([0, 0.15, 0.35, 0.7].map((r) => rollFault(faults, r))).toEqual([
      "error_500",
      "timeout",
      "throttle",
      null,
    ]);
    expect(rollFault({ error_500_rate: 0, timeout_rate: 0, throttle_rate: 0 }, 0)).toBeNull();
  });
});
