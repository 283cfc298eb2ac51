/**
 * The sandbox behaves like Meta's Cloud API: these tests speak to it directly,
 * through the same service binding the API uses.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import { TEST_APP_SECRET } from "../bindings";
import { mobileNumber } from "../domain/phones";
import { sandbox, sandboxMessages, sandboxStats } from "../engine";
import {
  expectStatus,
  jsonInit,
  type SandboxNumber,
  sandboxNumber,
  uniqueDigits,
} from "../helpers";

const url = (path: string) => `http://sandbox.test${path}`;

function send(n: SandboxNumber, payload: Record<string, unknown>, token = n.accessToken) {
  return env.WHATSAPP_API.fetch(
    url(`/v23.0/${n.phoneNumberId}/messages`),
    jsonInit(
      "POST",
      { messaging_product: "whatsapp", recipient_type: "individual", ...payload },
      { authorization: `Bearer ${token}` },
    ),
  );
}

const holidayComponents = (body = ["Alex", "18h00", "City Centre"]) => [
  {
    type: "header",
    parameters: [{ type: "image", image: { link: "https://www.example.com/image.jpg" } }],
  },
  { type: "body", parameters: body.map((text) => ({ type: "text", text })) },
  { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "a" }] },
  { type: "button", sub_type: "url", index: 1, parameters: [{ type: "text", text: "b" }] },
];

function holiday(
  to: string,
  components: unknown[] = holidayComponents(),
  extra: Record<string, unknown> = {},
) {
  return {
    to: `+${to}`,
    type: "template",
    template: { name: "holiday_sale_template", language: { code: "en" }, components },
    biz_opaque_callback_data: `cb-${to}`,
    ...extra,
  };
}

async function errorOf(res: Response) {
  const body = await res.json<any>();
  return { status: res.status, code: body.error?.code, body };
}

async function verifies(body: string, signature: string) {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(TEST_APP_SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body));
  return (
    signature ===
    `sha256=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`
  );
}

async function drain(n: SandboxNumber) {
  const { deliveries } = await sandbox(
    `/__sandbox/numbers/${n.phoneNumberId}/webhooks/drain?all=true`,
    { method: "POST" },
  );
  return deliveries as { body: string; headers: Record<string, string> }[];
}

async function events(n: SandboxNumber) {
  const deliveries = await drain(n);
  const out: { statuses: any[]; messages: any[] } = { statuses: [], messages: [] };
  for (const d of deliveries) {
    expect(await verifies(d.body, d.headers["x-hub-signature-256"] ?? "")).toBe(true);
    const body = JSON.parse(d.body);
    expect(body.object).toBe("whatsapp_business_account");
    const value = body.entry[0].changes[0].value;
    expect(value.metadata.phone_number_id).toBe(n.phoneNumberId);
    out.statuses.push(...(value.statuses ?? []));
    out.messages.push(...(value.messages ?? []));
  }
  return out;
}

describe("POST /{version}/{phone-number-id}/messages", () => {
  it("accepts a seed-shaped template message and answers like Meta", async () => {
    const n = await sandboxNumber();
    const to = mobileNumber(1);
    const body = await expectStatus(await send(n, holiday(to)), 200);
    expect(body).toEqual({
      messaging_product: "whatsapp",
      contacts: [{ input: `+${to}`, wa_id: to }],
      messages: [{ id: expect.stringMatching(/^wamid\./), message_status: "accepted" }],
    });
    const [sent] = await sandboxMessages(n.phoneNumberId);
    expect(sent).toMatchObject({
      wamid: body.messages[0].id,
      template: "holiday_sale_template",
      biz_opaque_callback_data: `cb-${to}`,
    });
  });

  it("refuses like Meta: unknown number, bad token, wrong product, unknown template or language, not approved", async () => {
    const n = await sandboxNumber();
    const to = mobileNumber(2);
    const unknown = await errorOf(
      await env.WHATSAPP_API.fetch(
        url(`/v23.0/${uniqueDigits()}/messages`),
        jsonInit("POST", holiday(to)),
      ),
    );
    expect(unknown).toMatchObject({ status: 400, code: 100 });
    expect(unknown.body.error).toMatchObject({
      type: "OAuthException",
      error_data: { messaging_product: "whatsapp" },
    });
    expect(unknown.body.error.fbtrace_id).toBeTruthy();
    expect(await errorOf(await send(n, holiday(to), "wrong"))).toMatchObject({
      status: 401,
      code: 190,
    });
    expect(
      await errorOf(await send(n, { ...holiday(to), messaging_product: "sms" })),
    ).toMatchObject({ status: 400, code: 100 });
    const missing = {
      ...holiday(to),
      template: { name: "nope", language: { code: "en" }, components: [] },
    };
    expect(await errorOf(await send(n, missing))).toMatchObject({ code: 132001 });
    const french = {
      ...holiday(to),
      template: {
        name: "holiday_sale_template",
        language: { code: "fr" },
        components: holidayComponents(),
      },
    };
    expect(await errorOf(await send(n, french))).toMatchObject({ code: 132001 });
    const pending = {
      ...holiday(to),
      template: { name: "pending_promo", language: { code: "en" } },
    };
    expect(await errorOf(await send(n, pending))).toMatchObject({ code: 132001 });
  });

  it("checks parameter counts of header, body and buttons (132000), formats (132012) and lengths (132005)", async () => {
    const n = await sandboxNumber();
    const to = mobileNumber(3);
    const c = holidayComponents();
    const cases: [unknown[], number][] = [
      [c.filter((x) => x.type !== "header"), 132000],
      [
        [
          {
            type: "header",
            parameters: [{ type: "video", video: { link: "https://x.test/v.mp4" } }],
          },
          ...c.slice(1),
        ],
        132012,
      ],
      [holidayComponents(["Alex", "18h00"]), 132000],
      [holidayComponents(["Alex", "18h00", ""]), 131008],
      [c.slice(0, 3), 132000],
      [
        [
          ...c.slice(0, 2),
          {
            type: "button",
            sub_type: "quick_reply",
            index: "0",
            parameters: [{ type: "payload", payload: "x" }],
          },
          c[3],
        ],
        132012,
      ],
      [holidayComponents(["A".repeat(1100), "18h00", "x"]), 132005],
    ];
    for (const [components, code] of cases) {
      expect(
        (await errorOf(await send(n, holiday(to, components)))).code,
        JSON.stringify(components),
      ).toBe(code);
    }
    const text = {
      to: `+${to}`,
      type: "template",
      template: {
        name: "order_update",
        language: { code: "en" },
        components: [
          { type: "header", parameters: [{ type: "text", text: "#".repeat(70) }] },
          {
            type: "body",
            parameters: [
              { type: "text", text: "Alex" },
              { type: "text", text: "today" },
            ],
          },
        ],
      },
    };
    expect((await errorOf(await send(n, text))).code).toBe(132005);
    expect((await sandboxStats(n.phoneNumberId)).accepted).toBe(0);
  });

  it("checks carousel card count and header format", async () => {
    const n = await sandboxNumber();
    const to = mobileNumber(4);
    const card = (i: number, type = "image") => ({
      card_index: i,
      components: [
        { type: "header", parameters: [{ type, [type]: { link: "https://x.test/p.jpg" } }] },
        {
          type: "body",
          parameters: [
            { type: "text", text: "Shoes" },
            { type: "text", text: "$9" },
          ],
        },
        { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: "s" }] },
      ],
    });
    const carousel = (cards: unknown[]) => ({
      to: `+${to}`,
      type: "template",
      template: {
        name: "product_carousel_template",
        language: { code: "en" },
        components: [
          { type: "body", parameters: [{ type: "text", text: "Alex" }] },
          { type: "carousel", cards },
        ],
      },
    });
    await expectStatus(await send(n, carousel([card(0), card(1)])), 200);
    expect((await errorOf(await send(n, carousel([card(0)])))).code).toBe(132012);
    expect((await errorOf(await send(n, carousel([card(0), card(1, "video")])))).code).toBe(132012);
  });
});

describe("throughput", () => {
  it("answers 130429 past the cap and never accepts more than the cap in a second", async () => {
    const n = await sandboxNumber({ mps: 10 });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        send(n, {
          to: `+${mobileNumber(100 + i)}`,
          type: "template",
          template: { name: "hello_world", language: { code: "en" } },
        }),
      ),
    );
    const codes = await Promise.all(
      answers.map(async (r) => (r.status === 200 ? 200 : (await errorOf(r)).code)),
    );
    expect(codes.filter((c) => c === 200).length).toBeLessThanOrEqual(10);
    expect(codes.filter((c) => c === 130429).length).toBeGreaterThanOrEqual(20);
    expect(answers.find((r) => r.status !== 200)?.status).toBe(400);
    const stats = await sandboxStats(n.phoneNumberId);
    expect(stats.max_per_second).toBeLessThanOrEqual(10);
    expect(stats.rejected_throughput).toBe(30 - stats.accepted);
  });
});

describe("numbered behaviours and webhooks", () => {
  const hello = (to: string) => ({
    to: `+${to}`,
    type: "template",
    template: { name: "hello_world", language: { code: "en" } },
    biz_opaque_callback_data: `cb-${to}`,
  });

  it("sends signed sent/delivered/read in Meta's envelope, with the callback data echoed", async () => {
    const n = await sandboxNumber();
    const to = mobileNumber(200);
    const { messages } = await expectStatus(await send(n, hello(to)), 200);
    const { statuses } = await events(n);
    expect(statuses.map((s) => s.status)).toEqual(["sent", "delivered", "read"]);
    for (const s of statuses) {
      expect(s).toMatchObject({
        id: messages[0].id,
        recipient_id: to,
        biz_opaque_callback_data: `cb-${to}`,
      });
      expect(s.timestamp).toMatch(/^\d+$/);
    }
  });

  it("1111 fails with 131026 after sent; 4444 is never read", async () => {
    const n = await sandboxNumber();
    await expectStatus(await send(n, hello(mobileNumber(201, "1111"))), 200);
    await expectStatus(await send(n, hello(mobileNumber(202, "4444"))), 200);
    const { statuses } = await events(n);
    const of = (suffix: string) =>
      statuses.filter((s) => s.recipient_id.endsWith(suffix)).map((s) => s.status);
    expect(of("1111")).toEqual(["sent", "failed"]);
    expect(statuses.find((s) => s.status === "failed").errors[0]).toMatchObject({
      code: 131026,
      title: "Message undeliverable",
    });
    expect(of("4444")).toEqual(["sent", "delivered"]);
  });

  it("2222 fails the send with 131049; 3333 fails twice with 500, then succeeds", async () => {
    const n = await sandboxNumber();
    expect(await errorOf(await send(n, hello(mobileNumber(203, "2222"))))).toMatchObject({
      status: 400,
      code: 131049,
    });
    const flaky = hello(mobileNumber(204, "3333"));
    expect((await send(n, flaky)).status).toBe(500);
    expect((await send(n, flaky)).status).toBe(500);
    expect((await send(n, flaky)).status).toBe(200);
    const [m] = await sandboxMessages(n.phoneNumberId);
    expect(m.attempts).toBe(3);
  });

  it("5555 replies STOP; 6666 taps a quick reply that names the message in its context", async () => {
    const n = await sandboxNumber();
    await expectStatus(await send(n, hello(mobileNumber(205, "5555"))), 200);
    const tapped = await expectStatus(await send(n, hello(mobileNumber(206, "6666"))), 200);
    const { messages } = await events(n);
    const stop = messages.find((m) => m.from.endsWith("5555"));
    expect(stop).toMatchObject({ type: "text", text: { body: "STOP" } });
    const tap = messages.find((m) => m.from.endsWith("6666"));
    expect(tap).toMatchObject({
      type: "button",
      button: { text: "Yes" },
      context: { id: tapped.messages[0].id },
    });
  });

  it("counts a duplicate: the same recipient and callback data accepted twice", async () => {
    const n = await sandboxNumber();
    const m = hello(mobileNumber(207));
    await expectStatus(await send(n, m), 200);
    await expectStatus(await send(n, m), 200);
    await expectStatus(await send(n, { ...m, biz_opaque_callback_data: "other" }), 200);
    expect((await sandboxStats(n.phoneNumberId)).duplicates).toBe(1);
  });

  it("applies failure modes to every send until cleared", async () => {
    const n = await sandboxNumber({ failure_mode: "token_expired" });
    expect((await errorOf(await send(n, hello(mobileNumber(208))))).code).toBe(190);
    await sandbox(
      `/__sandbox/numbers/${n.phoneNumberId}`,
      jsonInit("POST", { failure_mode: "account_locked" }),
    );
    expect((await errorOf(await send(n, hello(mobileNumber(208))))).code).toBe(131031);
    await sandbox(
      `/__sandbox/numbers/${n.phoneNumberId}`,
      jsonInit("POST", { failure_mode: "template_paused" }),
    );
    expect((await errorOf(await send(n, hello(mobileNumber(208))))).code).toBe(132015);
    await sandbox(
      `/__sandbox/numbers/${n.phoneNumberId}`,
      jsonInit("POST", { failure_mode: null }),
    );
    await expectStatus(await send(n, hello(mobileNumber(208))), 200);
  });

  it("resets a number's counters", async () => {
    const n = await sandboxNumber();
    await expectStatus(await send(n, hello(mobileNumber(209))), 200);
    await sandbox(`/__sandbox/reset?phone_number_id=${n.phoneNumberId}`, { method: "POST" });
    const stats = await sandboxStats(n.phoneNumberId);
    expect(stats).toMatchObject({ accepted: 0, duplicates: 0, webhooks_pending: 0 });
    await expectStatus(await send(n, hello(mobileNumber(209))), 200);
  });
});

describe("GET /{version}/{waba-id}/message_templates", () => {
  it("pages through every template with Meta's cursors", async () => {
    const n = await sandboxNumber();
    await sandbox(
      "/__sandbox/templates",
      jsonInit("POST", {
        waba_id: n.wabaId,
        template: {
          name: "custom_one",
          language: "en",
          components: [{ type: "BODY", text: "Hi" }],
        },
      }),
    );
    const names: string[] = [];
    let next: string | undefined = url(`/v23.0/${n.wabaId}/message_templates?limit=2`);
    let pages = 0;
    while (next) {
      const page: any = await expectStatus(
        await env.WHATSAPP_API.fetch(next, {
          headers: { authorization: `Bearer ${n.accessToken}` },
        }),
        200,
      );
      expect(page.data.length).toBeLessThanOrEqual(2);
      expect(page.paging.cursors.after).toBeTruthy();
      names.push(...page.data.map((t: any) => `${t.name}/${t.language}`));
      next = page.paging.next;
      pages++;
    }
    expect(pages).toBe(Math.ceil((BUILT_IN_TEMPLATES.length + 1) / 2));
    expect(names).toContain("custom_one/en");
    expect(names).toContain("holiday_sale_template/es");
    expect(new Set(names).size).toBe(BUILT_IN_TEMPLATES.length + 1);
    const denied = await env.WHATSAPP_API.fetch(url(`/v23.0/${n.wabaId}/message_templates`), {
      headers: { authorization: "Bearer nope" },
    });
    expect(denied.status).toBe(401);
  });
});
