/**
 * The sandbox's pure checks, called directly: every way a template message
 * can differ from its template, and the code Meta answers it with.
 */
import { describe, expect, it } from "vitest";
import type { MetaError } from "../../sandbox/errors";
import { BUILT_IN_TEMPLATES, type SandboxTemplate } from "../../sandbox/templates";
import {
  parseMessage,
  templateRefusal,
  validateTemplateMessage,
  variables,
} from "../../sandbox/validate";
import { card, holidayComponents, text } from "./helpers";

function builtIn(name: string, language = "en"): SandboxTemplate {
  const t = BUILT_IN_TEMPLATES.find((x) => x.name === name && x.language === language);
  if (!t) throw new Error(`no built-in ${name}/${language}`);
  return t;
}

const codeOf = (e: MetaError | null) => e?.code ?? null;
const check = (name: string, components: unknown[]) =>
  codeOf(validateTemplateMessage(builtIn(name), components));

const image = (link = "https://www.example.com/a.jpg") => ({
  type: "header",
  parameters: [{ type: "image", image: { link } }],
});

describe("the built-in templates", () => {
  it("has the shapes the README and the seed examples promise", () => {
    const holiday = builtIn("holiday_sale_template");
    expect(builtIn("holiday_sale_template", "es").components).toHaveLength(4);
    expect(holiday.components.map((c) => c.type)).toEqual(["HEADER", "BODY", "FOOTER", "BUTTONS"]);
    expect(holiday.components[0]).toMatchObject({ format: "IMAGE" });
    expect(variables(String(holiday.components[1]?.text))).toEqual(["1", "2", "3"]);
    const buttons = holiday.components[3]?.buttons as any[];
    expect(buttons.map((b) => [b.type, variables(b.url).length])).toEqual([
      ["URL", 1],
      ["URL", 1],
    ]);
    const carousel = builtIn("product_carousel_template").components[1] as any;
    expect(carousel.type).toBe("CAROUSEL");
    expect(carousel.cards).toHaveLength(2);
    for (const c of carousel.cards) {
      expect(c.components.map((x: any) => x.type)).toEqual(["HEADER", "BODY", "BUTTONS"]);
      expect(variables(c.components[1].text)).toHaveLength(2);
    }
    expect(builtIn("pending_promo").status).toBe("PENDING");
    const names = new Set(BUILT_IN_TEMPLATES.map((t) => t.name));
    for (const name of [
      "order_update",
      "store_location",
      "class_booking_flow",
      "hello_world",
      "coupon_offer",
    ])
      expect(names.has(name), name).toBe(true);
    for (const t of BUILT_IN_TEMPLATES) {
      expect(t).toMatchObject({
        parameter_format: "POSITIONAL",
        id: expect.stringMatching(/^\d+$/),
      });
    }
    expect(new Set(BUILT_IN_TEMPLATES.map((t) => t.id)).size).toBe(BUILT_IN_TEMPLATES.length);
  });
});

describe("parseMessage", () => {
  const base = { messaging_product: "whatsapp", to: "+44 7700 900123", type: "template" };
  const tpl = { name: "hello_world", language: { code: "en" } };

  it("reads the envelope: to's digits, type, callback data", () => {
    const parsed = parseMessage({ ...base, template: tpl, biz_opaque_callback_data: "b:1" });
    expect(parsed).toEqual({
      ok: true,
      value: {
        to: "+44 7700 900123",
        digits: "447700900123",
        userId: null,
        type: "template",
        callback: "b:1",
        template: { name: "hello_world", language: "en", components: [] },
      },
    });
  });

  it.each([
    ["not an object", "nope", 100],
    ["no messaging_product", { to: "447700900123", type: "text", text: { body: "x" } }, 100],
    ["another product", { ...base, messaging_product: "sms", template: tpl }, 100],
    ["no to", { ...base, to: undefined, template: tpl }, 100],
    ["a to that is not a number", { ...base, to: "alice", template: tpl }, 100],
    ["a group recipient", { ...base, recipient_type: "group", template: tpl }, 100],
    ["an unsupported type", { ...base, type: "sticker" }, 100],
    ["a template without a name", { ...base, template: { language: { code: "en" } } }, 131008],
    ["a template without a language", { ...base, template: { name: "x" } }, 131008],
    [
      "callback data over 512",
      { ...base, template: tpl, biz_opaque_callback_data: "x".repeat(513) },
      100,
    ],
    ["a text without a body", { ...base, type: "text", text: {} }, 131008],
  ])("refuses %s", (_, payload, code) => {
    const parsed = parseMessage(payload);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.code).toBe(code);
  });

  it("accepts a text message", () => {
    const parsed = parseMessage({ ...base, type: "text", text: { body: "Hi" } });
    expect(parsed).toMatchObject({ ok: true, value: { type: "text", template: null } });
  });
});

describe("templateRefusal", () => {
  it("is 132001 for a missing or unapproved template, 132015/132016 for paused/disabled", () => {
    expect(codeOf(templateRefusal(undefined, "x", "en"))).toBe(132001);
    expect(codeOf(templateRefusal(builtIn("pending_promo"), "pending_promo", "en"))).toBe(132001);
    const hello = builtIn("hello_world");
    expect(templateRefusal(hello, "hello_world", "en")).toBeNull();
    expect(codeOf(templateRefusal({ ...hello, status: "REJECTED" }, "h", "en"))).toBe(132001);
    expect(codeOf(templateRefusal({ ...hello, status: "PAUSED" }, "h", "en"))).toBe(132015);
    expect(codeOf(templateRefusal({ ...hello, status: "DISABLED" }, "h", "en"))).toBe(132016);
  });
});

describe("validateTemplateMessage", () => {
  it("accepts the seed's holiday example, with button indexes as strings or numbers", () => {
    expect(check("holiday_sale_template", holidayComponents())).toBeNull();
  });

  it("holiday_sale_template: header, body and button counts (132000), kinds (132012), values", () => {
    const c = holidayComponents();
    const [header, body, b0, b1] = c;
    const cases: [string, unknown[], number][] = [
      ["no header", [body, b0, b1], 132000],
      [
        "two header parameters",
        [{ ...image(), parameters: [...image().parameters, ...image().parameters] }, body, b0, b1],
        132000,
      ],
      [
        "a video for the image header",
        [
          {
            type: "header",
            parameters: [{ type: "video", video: { link: "https://x.test/v.mp4" } }],
          },
          body,
          b0,
          b1,
        ],
        132012,
      ],
      [
        "a text for the image header",
        [{ type: "header", parameters: [text("hi")] }, body, b0, b1],
        132012,
      ],
      [
        "an image without link or id",
        [{ type: "header", parameters: [{ type: "image", image: {} }] }, body, b0, b1],
        131008,
      ],
      ["an image link that is not a URL", [image("not a url"), body, b0, b1], 131009],
      ["two body values for three variables", holidayComponents(["Alex", "18h00"]), 132000],
      ["four body values for three variables", holidayComponents(["a", "b", "c", "d"]), 132000],
      ["no body at all", [header, b0, b1], 132000],
      ["an empty body value", holidayComponents(["Alex", "", "x"]), 131008],
      ["a body value of spaces", holidayComponents(["Alex", "   ", "x"]), 131008],
      ["a line break in a body value", holidayComponents(["Alex", "a\nb", "x"]), 132018],
      ["five spaces in a body value", holidayComponents(["Alex", "a     b", "x"]), 132018],
      [
        "a filled body over 1,024 characters",
        holidayComponents(["A".repeat(1000), "18h00", "x"]),
        132005,
      ],
      ["the second URL button missing", [header, body, b0], 132000],
      ["a URL button without its suffix", [header, body, { ...b0, parameters: [] }, b1], 132000],
      [
        "a URL button with two values",
        [header, body, { ...b0, parameters: [text("a"), text("b")] }, b1],
        132000,
      ],
      ["an empty URL suffix", [header, body, { ...b0, parameters: [text("")] }, b1], 131008],
      ["a button index past the template's", [header, body, b0, b1, { ...b0, index: "2" }], 132000],
      [
        "a button index that is not a number",
        [header, body, { ...b0, index: "first" }, b1],
        132000,
      ],
      ["the same button twice", [header, body, b0, { ...b0 }, b1], 132000],
      [
        "a quick_reply sub_type for a URL button",
        [
          header,
          body,
          { ...b0, sub_type: "quick_reply", parameters: [{ type: "payload", payload: "x" }] },
          b1,
        ],
        132012,
      ],
      ["an unknown component", [...c, { type: "footer", parameters: [] }], 100],
      ["a carousel for a non-carousel template", [...c, { type: "carousel", cards: [] }], 132012],
    ];
    for (const [what, components, code] of cases) {
      expect(check("holiday_sale_template", components), what).toBe(code);
    }
  });

  it("counts characters, not UTF-16 units, against the body limit", () => {
    // 1,000 emoji are 2,000 UTF-16 units but 1,000 characters: with the template's text, under 1,024.
    expect(
      check("holiday_sale_template", holidayComponents(["😀".repeat(900), "a", "b"])),
    ).toBeNull();
    expect(check("holiday_sale_template", holidayComponents(["😀".repeat(1000), "a", "b"]))).toBe(
      132005,
    );
  });

  it("order_update: a text header takes one text value, at most 60 characters filled", () => {
    const body = { type: "body", parameters: [text("Alex"), text("today")] };
    const header = (...values: unknown[]) => ({ type: "header", parameters: values });
    expect(check("order_update", [header(text("#1234")), body])).toBeNull();
    expect(check("order_update", [body])).toBe(132000);
    expect(check("order_update", [header(), body])).toBe(132000);
    expect(check("order_update", [header(text("a"), text("b")), body])).toBe(132000);
    expect(
      check("order_update", [
        header({ type: "image", image: { link: "https://x.test/a.png" } }),
        body,
      ]),
    ).toBe(132012);
    expect(check("order_update", [header(text("")), body])).toBe(131008);
    // "Order " + 54 = 60 characters: the limit; one more is over.
    expect(check("order_update", [header(text("#".repeat(54))), body])).toBeNull();
    expect(check("order_update", [header(text("#".repeat(55))), body])).toBe(132005);
    // The quick reply takes an optional payload, nothing else.
    const qr = (parameters: unknown[]) => ({
      type: "button",
      sub_type: "quick_reply",
      index: 0,
      parameters,
    });
    expect(
      check("order_update", [header(text("#1")), body, qr([{ type: "payload", payload: "ok" }])]),
    ).toBeNull();
    expect(check("order_update", [header(text("#1")), body, qr([text("ok")])])).toBe(132012);
  });

  it("store_location: a location header needs latitude and longitude", () => {
    const body = { type: "body", parameters: [text("Alex")] };
    const loc = (location: unknown) => ({
      type: "header",
      parameters: [{ type: "location", location }],
    });
    expect(
      check("store_location", [
        loc({ latitude: 51.5, longitude: -0.12, name: "Shop", address: "1 High St" }),
        body,
      ]),
    ).toBeNull();
    expect(check("store_location", [body])).toBe(132000);
    expect(check("store_location", [loc({ name: "Shop" }), body])).toBe(131008);
    expect(check("store_location", [loc({ latitude: "51.5", longitude: 0 }), body])).toBe(131008);
    expect(check("store_location", [loc({ latitude: 91, longitude: 0 }), body])).toBe(131009);
    expect(check("store_location", [image(), body])).toBe(132012);
  });

  it("class_booking_flow: the flow button's action is optional; coupon_offer needs its code", () => {
    const body = { type: "body", parameters: [text("Alex")] };
    const flow = {
      type: "button",
      sub_type: "flow",
      index: "0",
      parameters: [{ type: "action", action: { flow_token: "t" } }],
    };
    expect(check("class_booking_flow", [body])).toBeNull();
    expect(check("class_booking_flow", [body, flow])).toBeNull();
    expect(check("class_booking_flow", [body, { ...flow, sub_type: "url" }])).toBe(132012);
    const coupon = (parameters: unknown[]) => ({
      type: "button",
      sub_type: "copy_code",
      index: 0,
      parameters,
    });
    expect(
      check("coupon_offer", [body, coupon([{ type: "coupon_code", coupon_code: "SAVE20" }])]),
    ).toBeNull();
    expect(check("coupon_offer", [body])).toBe(132000);
    expect(check("coupon_offer", [body, coupon([])])).toBe(132000);
    expect(check("coupon_offer", [body, coupon([text("SAVE20")])])).toBe(132012);
    expect(check("coupon_offer", [body, coupon([{ type: "coupon_code", coupon_code: "" }])])).toBe(
      131008,
    );
    expect(
      check("coupon_offer", [body, coupon([{ type: "coupon_code", coupon_code: "X".repeat(20) }])]),
    ).toBeNull();
    expect(
      check("coupon_offer", [body, coupon([{ type: "coupon_code", coupon_code: "X".repeat(21) }])]),
    ).toBe(131009);
  });

  it("hello_world: no parameters at all", () => {
    expect(check("hello_world", [])).toBeNull();
    expect(check("hello_world", [{ type: "body", parameters: [] }])).toBeNull();
    expect(check("hello_world", [{ type: "body", parameters: [text("x")] }])).toBe(132000);
    expect(check("hello_world", [image()])).toBe(132000);
    expect(
      check("hello_world", [{ type: "button", sub_type: "url", index: 0, parameters: [] }]),
    ).toBe(132000);
  });

  it("product_carousel_template: as many cards as the template, each like its card (else 132012)", () => {
    const top = { type: "body", parameters: [text("Alex")] };
    const withCards = (cards: unknown[]) => [top, { type: "carousel", cards }];
    expect(check("product_carousel_template", withCards([card(0), card(1)]))).toBeNull();
    expect(check("product_carousel_template", withCards([card(1), card(0)]))).toBeNull();
    expect(check("product_carousel_template", withCards([card(0)]))).toBe(132012);
    expect(check("product_carousel_template", withCards([card(0), card(1), card(2)]))).toBe(132012);
    expect(check("product_carousel_template", [top])).toBe(132012);
    expect(check("product_carousel_template", withCards([card(0), card(0)]))).toBe(132012);
    expect(check("product_carousel_template", withCards([card(0), card(5)]))).toBe(132012);
    expect(check("product_carousel_template", withCards([card(0), card(1, "video")]))).toBe(132012);
    const headless = { ...card(1), components: card(1).components.slice(1) };
    expect(check("product_carousel_template", withCards([card(0), headless]))).toBe(132012);
    // Inside a card, body and button counts are still 132000.
    expect(
      check("product_carousel_template", withCards([card(0), card(1, "image", ["Shoes"])])),
    ).toBe(132000);
    const buttonless = { ...card(1), components: card(1).components.slice(0, 2) };
    expect(check("product_carousel_template", withCards([card(0), buttonless]))).toBe(132000);
    // The top-level body is checked too.
    expect(
      check("product_carousel_template", [{ type: "carousel", cards: [card(0), card(1)] }]),
    ).toBe(132000);
  });

  it("NAMED templates: each value names its variable", () => {
    const named: SandboxTemplate = {
      ...builtIn("hello_world"),
      parameter_format: "NAMED",
      components: [{ type: "BODY", text: "Hi {{first_name}}, see you at {{time}}" }],
    };
    const body = (...parameters: unknown[]) => [{ type: "body", parameters }];
    const p = (parameter_name: string, t: string) => ({ type: "text", parameter_name, text: t });
    expect(
      codeOf(validateTemplateMessage(named, body(p("first_name", "Al"), p("time", "6pm")))),
    ).toBeNull();
    expect(
      codeOf(validateTemplateMessage(named, body(p("time", "6pm"), p("first_name", "Al")))),
    ).toBeNull();
    expect(codeOf(validateTemplateMessage(named, body(p("first_name", "Al"))))).toBe(132000);
    expect(
      codeOf(validateTemplateMessage(named, body(p("first_name", "Al"), p("when", "6pm")))),
    ).toBe(132000);
    expect(codeOf(validateTemplateMessage(named, body(text("Al"), text("6pm"))))).toBe(132000);
  });
});
