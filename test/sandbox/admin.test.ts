/**
 * The sandbox's own routes for people, tests and benchmarks: numbers,
 * inspection of what was sent, counters, duplicates and reset.
 */
import { describe, expect, it } from "vitest";
import {
  configure,
  createNumber,
  digits,
  errorOf,
  hello,
  inspect,
  json,
  postJson,
  recipient,
  sandboxFetch,
  send,
  sendOk,
  stats,
  uniqueDigits,
} from "./helpers";

describe("numbers", () => {
  it("creates a number, reads it back, updates part of it", async () => {
    const n = await createNumber({ mps: 12 });
    const read = await json(sandboxFetch(`/__sandbox/numbers/${n.phoneNumberId}`));
    expect(read).toMatchObject({
      phone_number_id: n.phoneNumberId,
      waba_id: n.wabaId,
      display_phone_number: n.displayNumber,
      access_token: n.accessToken,
      mps: 12,
      delays: { sent_ms: 100, delivered_ms: 300, read_ms: 600 },
    });
    const updated = await configure(n, { delays: { read_ms: 900 }, shuffle_webhooks: true });
    expect(updated).toMatchObject({
      mps: 12,
      shuffle_webhooks: true,
      delays: { sent_ms: 100, read_ms: 900 },
    });
    // A new token takes effect at once.
    await configure(n, { access_token: "rotated" });
    expect((await errorOf(send(n, hello(recipient())))).code).toBe(190);
    expect((await send(n, hello(recipient()), "rotated")).status).toBe(200);
  });

  it("refuses a bad configuration with 400 naming the field, and changes nothing", async () => {
    const n = await createNumber();
    for (const patch of [
      { mps: -1 },
      { faults: { error_500_rate: 3 } },
      { failure_mode: "broken" },
      { nope: 1 },
    ]) {
      const res = await postJson(`/__sandbox/numbers/${n.phoneNumberId}`, patch);
      const body: any = await res.json();
      expect(res.status, JSON.stringify(patch)).toBe(400);
      expect(body.error).toMatch(Object.keys(patch)[0] ?? "");
    }
    expect(await json(sandboxFetch(`/__sandbox/numbers/${n.phoneNumberId}`))).toMatchObject({
      mps: 80,
      failure_mode: null,
    });
    const fresh = await postJson(`/__sandbox/numbers/${uniqueDigits()}`, { mps: 5 });
    expect(fresh.status).toBe(400);
    expect((await sandboxFetch(`/__sandbox/numbers/${uniqueDigits()}`)).status).toBe(404);
  });

  it("has the demo number without setup", async () => {
    const demo = await json(sandboxFetch("/__sandbox/numbers/100000000000001"));
    expect(demo).toMatchObject({
      phone_number_id: "100000000000001",
      waba_id: "200000000000001",
      display_phone_number: "447576209857",
      access_token: "sandbox-demo-token",
    });
    const to = recipient();
    const res = await postJson(
      "/v23.0/100000000000001/messages",
      { messaging_product: "whatsapp", ...hello(to) },
      {
        authorization: "Bearer sandbox-demo-token",
      },
    );
    expect(res.status).toBe(200);
    const { messages } = await json(
      sandboxFetch(`/__sandbox/messages?phone_number_id=100000000000001&to=${digits(to)}`),
    );
    expect(messages).toHaveLength(1);
    const templates = await json(
      sandboxFetch("/v23.0/200000000000001/message_templates", {
        headers: { authorization: "Bearer sandbox-demo-token" },
      }),
    );
    expect(templates.data.length).toBeGreaterThan(5);
  });
});

describe("inspection", () => {
  it("lists what was sent, filtered by recipient in any format, with attempts per pair", async () => {
    const n = await createNumber();
    const a = recipient();
    const b = recipient();
    const w1 = await sendOk(n, hello(a, "x"));
    await sendOk(n, hello(b, "y"));
    const w3 = await sendOk(n, hello(a, "x"));
    const all = await inspect(n);
    expect(all.messages.map((m) => m.to)).toEqual([a, b, a]);
    const onlyA = await inspect(n, digits(a));
    expect(onlyA.messages.map((m) => m.wamid)).toEqual([w1, w3]);
    expect(onlyA.messages.every((m) => m.attempts === 2)).toBe(true);
    expect(onlyA.attempts).toEqual([
      {
        phone_number_id: n.phoneNumberId,
        to: digits(a),
        biz_opaque_callback_data: "x",
        attempts: 2,
        accepted: 2,
      },
    ]);
    expect((await inspect(n, a)).messages).toHaveLength(2);
    expect(
      (await sandboxFetch(`/__sandbox/messages?phone_number_id=${uniqueDigits()}`)).status,
    ).toBe(404);
  });

  it("reports stats per number, and of every registered number without a filter", async () => {
    const n = await createNumber();
    await sendOk(n, hello(recipient()));
    const s = await stats(n);
    expect(Object.keys(s).sort()).toEqual(
      [
        "phone_number_id",
        "accepted",
        "rejected_throughput",
        "over_cap",
        "rejected_other",
        "max_per_second",
        "duplicates",
        "pair_rate_limited",
        "first_accepted_at",
        "last_accepted_at",
        "webhooks_delivered",
        "webhooks_failed",
        "webhooks_pending",
        "webhooks_retried",
        "webhooks_drained",
        "webhooks_duplicated",
      ].sort(),
    );
    expect(s).toMatchObject({ accepted: 1, max_per_second: 1, webhooks_pending: 3 });
    expect(s.first_accepted_at).toBe(s.last_accepted_at);
    const every = await json(sandboxFetch("/__sandbox/stats"));
    expect(every.numbers.find((x: any) => x.phone_number_id === n.phoneNumberId)).toMatchObject({
      accepted: 1,
    });
    expect(every.numbers.some((x: any) => x.phone_number_id === "100000000000001")).toBe(true);
    expect((await sandboxFetch(`/__sandbox/stats?phone_number_id=${uniqueDigits()}`)).status).toBe(
      404,
    );
  });

  it("counts duplicates: the same recipient and callback data accepted again", async () => {
    const n = await createNumber();
    const to = recipient();
    await sendOk(n, hello(to, "broadcast-7:recipient-1"));
    await sendOk(n, hello(to, "broadcast-7:recipient-1"));
    await sendOk(n, hello(to, "broadcast-7:recipient-1"));
    await sendOk(n, hello(to, "broadcast-8:recipient-1"));
    await sendOk(n, hello(recipient(), "broadcast-7:recipient-1"));
    // Without callback data there is no telling a duplicate from a new message.
    await sendOk(n, hello(to));
    await sendOk(n, hello(to));
    expect(await stats(n)).toMatchObject({ accepted: 7, duplicates: 2 });
  });
});

describe("reset", () => {
  it("wipes one number's messages, counters and outbox, and keeps its settings", async () => {
    const n = await createNumber({ mps: 7 });
    const other = await createNumber();
    await sendOk(n, hello(recipient(), "cb"));
    await sendOk(other, hello(recipient()));
    const res = await json(postJson(`/__sandbox/reset?phone_number_id=${n.phoneNumberId}`, {}));
    expect(res).toEqual({ reset: [n.phoneNumberId] });
    expect(await stats(n)).toMatchObject({
      accepted: 0,
      duplicates: 0,
      max_per_second: 0,
      webhooks_pending: 0,
      first_accepted_at: null,
    });
    expect(await inspect(n)).toEqual({ messages: [], attempts: [] });
    expect(await json(sandboxFetch(`/__sandbox/numbers/${n.phoneNumberId}`))).toMatchObject({
      mps: 7,
    });
    // The other number is untouched, and this one still sends.
    expect(await stats(other)).toMatchObject({ accepted: 1, webhooks_pending: 3 });
    await sendOk(n, hello(recipient(), "cb"));
    expect(await stats(n)).toMatchObject({ accepted: 1, duplicates: 0 });
  });
});
