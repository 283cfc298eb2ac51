/**
 * POST /{version}/{phone-number-id}/messages over HTTP: Meta's answers,
 * success and error bodies, for each check the sandbox makes.
 */
import { describe, expect, it } from "vitest";
import {
  card,
  carousel,
  createNumber,
  digits,
  errorOf,
  hello,
  holiday,
  holidayComponents,
  inspect,
  json,
  postJson,
  recipient,
  send,
  sendOk,
  stats,
  template,
  text,
  uniqueDigits,
} from "./helpers";

describe("a send Meta accepts", () => {
  it("answers 200 with Meta's exact shape and a fresh wamid", async () => {
    const n = await createNumber();
    const to = recipient();
    const body = await json(send(n, holiday(to)));
    expect(body).toEqual({
      messaging_product: "whatsapp",
      contacts: [{ input: to, wa_id: digits(to) }],
      messages: [
        { id: expect.stringMatching(/^wamid\.[A-Za-z0-9_-]{20,}$/), message_status: "accepted" },
      ],
    });
    const again = await json(send(n, holiday(to)));
    expect(again.messages[0].id).not.toBe(body.messages[0].id);

    const { messages } = await inspect(n, to);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({
      phone_number_id: n.phoneNumberId,
      wamid: body.messages[0].id,
      to,
      wa_id: digits(to),
      type: "template",
      template: "holiday_sale_template",
      language: "en",
      biz_opaque_callback_data: `broadcast-1:${digits(to)}`,
      components: holidayComponents(),
    });
    expect(Date.parse(messages[0].accepted_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("accepts every built-in kind: es translation, carousel, text header, location, flow, copy code, text", async () => {
    const n = await createNumber();
    const to = recipient();
    const body1 = { type: "body", parameters: [text("Alex")] };
    const payloads = [
      holiday(to, holidayComponents(), "es"),
      carousel(to),
      {
        to,
        type: "template",
        template: template("order_update", [
          { type: "header", parameters: [text("#1234")] },
          { type: "body", parameters: [text("Alex"), text("tomorrow")] },
          {
            type: "button",
            sub_type: "quick_reply",
            index: 0,
            parameters: [{ type: "payload", payload: "thanks" }],
          },
        ]),
      },
      {
        to,
        type: "template",
        template: template("store_location", [
          {
            type: "header",
            parameters: [{ type: "location", location: { latitude: 51.5, longitude: -0.12 } }],
          },
          body1,
        ]),
      },
      {
        to,
        type: "template",
        template: template("class_booking_flow", [
          body1,
          {
            type: "button",
            sub_type: "flow",
            index: "0",
            parameters: [{ type: "action", action: { flow_token: "t-1" } }],
          },
        ]),
      },
      {
        to,
        type: "template",
        template: template("coupon_offer", [
          body1,
          {
            type: "button",
            sub_type: "copy_code",
            index: 0,
            parameters: [{ type: "coupon_code", coupon_code: "SAVE20" }],
          },
        ]),
      },
      { to, type: "text", text: { body: "Hello" } },
      hello(to),
    ];
    for (const p of payloads) await json(send(n, p));
    expect((await stats(n)).accepted).toBe(payloads.length);
    const { messages } = await inspect(n);
    expect(messages.map((m) => m.template)).toEqual([
      "holiday_sale_template",
      "product_carousel_template",
      "order_update",
      "store_location",
      "class_booking_flow",
      "coupon_offer",
      null,
      "hello_world",
    ]);
    expect(messages[6]).toMatchObject({ type: "text", components: null });
  });
});

describe("a send Meta refuses", () => {
  it("unknown phone number id: 400, code 100, Meta's error body", async () => {
    const id = uniqueDigits(15);
    const res = await postJson(`/v23.0/${id}/messages`, hello(recipient()), {
      authorization: "Bearer x",
    });
    expect(res.status).toBe(400);
    const body: any = await res.json();
    expect(Object.keys(body.error).sort()).toEqual(
      ["code", "error_data", "error_subcode", "fbtrace_id", "message", "type"].sort(),
    );
    expect(body.error).toMatchObject({
      code: 100,
      error_subcode: 33,
      type: "OAuthException",
      error_data: { messaging_product: "whatsapp", details: expect.any(String) },
      fbtrace_id: expect.stringMatching(/^\w+$/),
    });
    expect(body.error.message).toContain(
      `Unsupported post request. Object with ID '${id}' does not exist`,
    );
  });

  it("missing or wrong token: 401, code 190; nothing accepted", async () => {
    const n = await createNumber();
    const wrong = await errorOf(send(n, hello(recipient()), "not-the-token"));
    expect(wrong).toMatchObject({ status: 401, code: 190, error: { type: "OAuthException" } });
    expect(wrong.error.error_data.messaging_product).toBe("whatsapp");
    expect(await errorOf(send(n, hello(recipient()), null))).toMatchObject({
      status: 401,
      code: 190,
    });
    // Another number's token is not this number's.
    const other = await createNumber({ waba_id: n.wabaId });
    expect(await errorOf(send(n, hello(recipient()), other.accessToken))).toMatchObject({
      code: 190,
    });
    expect(await stats(n)).toMatchObject({ accepted: 0, rejected_other: 3 });
  });

  it("envelope problems: product, recipient, JSON, type (code 100)", async () => {
    const n = await createNumber();
    const to = recipient();
    expect(await errorOf(send(n, { ...hello(to), messaging_product: "sms" }))).toMatchObject({
      status: 400,
      code: 100,
    });
    expect(await errorOf(send(n, { ...hello(to), to: undefined }))).toMatchObject({
      status: 400,
      code: 100,
    });
    expect(
      await errorOf(send(n, { type: "image", to, image: { link: "https://x.test/a.png" } })),
    ).toMatchObject({
      code: 100,
    });
    const notJson = await postJson(`/v23.0/${n.phoneNumberId}/messages`, "{nope", {
      authorization: `Bearer ${n.accessToken}`,
    });
    expect((await errorOf(notJson)).code).toBe(100);
  });

  it("unknown template, unknown language, not approved: 132001", async () => {
    const n = await createNumber();
    const to = recipient();
    const missing = await errorOf(
      send(n, { to, type: "template", template: template("no_such_template") }),
    );
    expect(missing).toMatchObject({ code: 132001, error: { type: "OAuthException" } });
    expect(missing.error.error_data.details).toContain("no_such_template");
    expect((await errorOf(send(n, holiday(to, holidayComponents(), "fr")))).code).toBe(132001);
    expect(
      (await errorOf(send(n, { to, type: "template", template: template("pending_promo") }))).code,
    ).toBe(132001);
  });

  it("parameters that differ from the template: 132000, 132012, 132005", async () => {
    const n = await createNumber();
    const to = recipient();
    const [header, body, b0, b1] = holidayComponents();
    const cases: [string, Record<string, unknown>, number][] = [
      ["header missing", holiday(to, [body, b0, b1]), 132000],
      [
        "video for an image header",
        holiday(to, [
          {
            type: "header",
            parameters: [{ type: "video", video: { link: "https://x.test/v.mp4" } }],
          },
          body,
          b0,
          b1,
        ]),
        132012,
      ],
      ["two body values for three", holiday(to, holidayComponents(["a", "b"])), 132000],
      ["a URL button missing", holiday(to, [header, body, b0]), 132000],
      [
        "a button value too many",
        holiday(to, [header, body, b0, { ...b1, parameters: [text("a"), text("b")] }]),
        132000,
      ],
      ["one carousel card for two", carousel(to, [card(0)]), 132012],
      ["a video card for image cards", carousel(to, [card(0), card(1, "video")]), 132012],
      [
        "a body over 1,024 characters",
        holiday(to, holidayComponents(["x".repeat(1024), "a", "b"])),
        132005,
      ],
      [
        "a header over 60 characters",
        {
          to,
          type: "template",
          template: template("order_update", [
            { type: "header", parameters: [text("#".repeat(70))] },
            { type: "body", parameters: [text("Alex"), text("today")] },
          ]),
        },
        132005,
      ],
    ];
    for (const [what, payload, code] of cases) {
      const e = await errorOf(send(n, payload));
      expect([e.status, e.code], what).toEqual([400, code]);
      expect(e.error.message, what).toContain(`(#${code})`);
    }
    expect(await stats(n)).toMatchObject({ accepted: 0, rejected_other: cases.length });
    expect((await inspect(n)).messages).toEqual([]);
  });

  it("answers an unknown path like the Graph API, and needs a version", async () => {
    const n = await createNumber();
    const res = await postJson(`/${n.phoneNumberId}/messages`, hello(recipient()), {
      authorization: `Bearer ${n.accessToken}`,
    });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe(2500);
  });
});

describe("failure modes", () => {
  it("applies to every send until cleared: 190, 131031, 132015", async () => {
    const n = await createNumber({ failure_mode: "token_expired" });
    const to = recipient();
    const expired = await errorOf(send(n, hello(to)));
    expect(expired).toMatchObject({ status: 401, code: 190, error: { error_subcode: 463 } });
    await json(
      postJson(`/__sandbox/numbers/${n.phoneNumberId}`, { failure_mode: "account_locked" }),
    );
    expect(await errorOf(send(n, hello(to)))).toMatchObject({ status: 400, code: 131031 });
    expect(await errorOf(send(n, holiday(to)))).toMatchObject({ code: 131031 });
    await json(
      postJson(`/__sandbox/numbers/${n.phoneNumberId}`, { failure_mode: "template_paused" }),
    );
    expect(await errorOf(send(n, hello(to)))).toMatchObject({ status: 400, code: 132015 });
    expect(await errorOf(send(n, holiday(to)))).toMatchObject({ code: 132015 });
    await json(postJson(`/__sandbox/numbers/${n.phoneNumberId}`, { failure_mode: null }));
    await sendOk(n, hello(to));
    expect(await stats(n)).toMatchObject({ accepted: 1, rejected_other: 5 });
  });
});

describe("fault injection", () => {
  it("error_500_rate 1: every send is a 500 (131000), none accepted", async () => {
    const n = await createNumber({ faults: { error_500_rate: 1 } });
    for (let i = 0; i < 3; i++) {
      expect(await errorOf(send(n, hello(recipient())))).toMatchObject({
        status: 500,
        code: 131000,
      });
    }
    expect(await stats(n)).toMatchObject({ accepted: 0, rejected_other: 3 });
  });

  it("throttle_rate 1: every send is a 130429, counted as throughput", async () => {
    const n = await createNumber({ faults: { throttle_rate: 1 } });
    expect(await errorOf(send(n, hello(recipient())))).toMatchObject({ status: 400, code: 130429 });
    expect(await stats(n)).toMatchObject({ accepted: 0, rejected_throughput: 1 });
  });

  it("timeout_rate 1: answers 504 after timeout_ms and never accepts the message", async () => {
    const n = await createNumber({ faults: { timeout_rate: 1 }, timeout_ms: 300 });
    const started = Date.now();
    const res = await send(n, hello(recipient()));
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect((await errorOf(res)).code).toBe(2);
    expect((await stats(n)).accepted).toBe(0);
    expect((await inspect(n)).messages).toEqual([]);
  });

  it("a rate of 0.5 fails some and accepts the others", async () => {
    const n = await createNumber({ faults: { error_500_rate: 0.5 } });
    const statuses = await Promise.all(
      Array.from({ length: 40 }, async () => (await send(n, hello(recipient()))).status),
    );
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(5);
    expect((await stats(n)).accepted).toBe(statuses.filter((s) => s === 200).length);
  });
});
