import { describe, expect, it } from "vitest";
import { analyzeTemplate, requiredButtons, variablesOf } from "../../src/domain/template";
import {
  FLOW_SIGNUP,
  HOLIDAY_SALE,
  ORDER_NAMED,
  PLAIN_NOTICE,
  PRODUCT_CAROUSEL,
} from "./templates";

describe("analyzeTemplate", () => {
  it("describes the seed's holiday_sale_template", () => {
    const shape = analyzeTemplate(HOLIDAY_SALE.components);
    expect(shape).toEqual({
      parameterFormat: "POSITIONAL",
      header: { format: "IMAGE", text: null, variables: [] },
      body: {
        text: "Hi {{1}}! Our holiday sale opens at {{2}} in {{3}}. See you there!",
        variables: ["1", "2", "3"],
      },
      footer: "Reply STOP to opt out",
      buttons: [
        {
          index: 0,
          type: "URL",
          text: "Shop the sale",
          url: "https://shop.example.com/sale/{{1}}",
          parameter: { subType: "url", kind: "text", required: true },
        },
        {
          index: 1,
          type: "URL",
          text: "Find your store",
          url: "https://stores.example.com/{{1}}",
          parameter: { subType: "url", kind: "text", required: true },
        },
      ],
      cards: null,
      problems: [],
    });
  });

  it("describes the seed's product_carousel_template, card by card", () => {
    const shape = analyzeTemplate(PRODUCT_CAROUSEL);
    expect(shape.body?.variables).toEqual(["1"]);
    expect(shape.header).toBeNull();
    expect(shape.cards).toHaveLength(2);
    for (const [i, card] of (shape.cards ?? []).entries()) {
      expect(card.index).toBe(i);
      expect(card.header).toEqual({ format: "IMAGE", text: null, variables: [] });
      expect(card.body?.variables).toEqual(["1", "2"]);
      expect(requiredButtons(card.buttons).map((b) => b.index)).toEqual([0]);
    }
    expect(shape.problems).toEqual([]);
  });

  it("reads the parameter format from the template, or from its variables", () => {
    expect(analyzeTemplate(ORDER_NAMED).parameterFormat).toBe("NAMED");
    expect(analyzeTemplate(ORDER_NAMED.components).parameterFormat).toBe("NAMED");
    expect(analyzeTemplate(HOLIDAY_SALE.components, "NAMED").parameterFormat).toBe("NAMED");
    // A stored POSITIONAL may be a default: named variables say otherwise.
    expect(analyzeTemplate(ORDER_NAMED.components, "POSITIONAL").parameterFormat).toBe("NAMED");
    const named = analyzeTemplate(ORDER_NAMED);
    expect(named.header?.variables).toEqual(["order_id"]);
    expect(named.body?.variables).toEqual(["first_name", "order_id", "date"]);
  });

  it("says which buttons take a value, by their index among all buttons", () => {
    const buttons = analyzeTemplate(ORDER_NAMED).buttons;
    expect(buttons.map((b) => [b.index, b.type, b.parameter])).toEqual([
      [0, "QUICK_REPLY", { subType: "quick_reply", kind: "payload", required: false }],
      [1, "COPY_CODE", { subType: "copy_code", kind: "coupon_code", required: true }],
      [2, "URL", { subType: "url", kind: "text", required: true }],
    ]);
    expect(analyzeTemplate(FLOW_SIGNUP).buttons[0]?.parameter).toEqual({
      subType: "flow",
      kind: "action",
      required: false,
    });
    // A static URL and a phone number take nothing.
    expect(analyzeTemplate(PLAIN_NOTICE).buttons.map((b) => b.parameter)).toEqual([null, null]);
    expect(
      analyzeTemplate([{ type: "BUTTONS", buttons: [{ type: "OTP", otp_type: "COPY_CODE" }] }])
        .buttons[0]?.parameter,
    ).toEqual({ subType: "url", kind: "text", required: true });
  });

  it("orders positional variables by number, wherever they appear, and counts each once", () => {
    expect(variablesOf("{{2}} then {{1}} then {{2}} again")).toEqual(["1", "2"]);
    expect(variablesOf("{{ name }} and {{city}} and {{name}}")).toEqual(["name", "city"]);
    expect(variablesOf("no variables, {single} braces")).toEqual([]);
    expect(analyzeTemplate([{ type: "BODY", text: "{{1}} {{3}}" }]).problems).toEqual([
      "components[0]: variables are not numbered 1..2",
    ]);
  });

  it("never throws on odd input, and says what it found", () => {
    for (const input of [null, undefined, 42, "x", {}, [], [null, 1, "x"], { components: "no" }]) {
      expect(() => analyzeTemplate(input)).not.toThrow();
    }
    const odd = analyzeTemplate([
      null,
      { type: "HEADER", format: "HOLOGRAM" },
      { type: "BODY" },
      { type: "BUTTONS", buttons: "nope" },
      { type: "WIDGET" },
      { type: "CAROUSEL" },
    ]);
    expect(odd.header).toEqual({ format: null, text: null, variables: [] });
    expect(odd.body).toEqual({ text: "", variables: [] });
    expect(odd.buttons).toEqual([]);
    expect(odd.cards).toBeNull();
    expect(odd.problems).toEqual([
      "components[0]: not an object",
      "components[1]: unknown header format 'HOLOGRAM'",
      "components[2]: body without text",
      "components[3]: buttons is not a list",
      "components[4]: unknown component type 'WIDGET'",
      "components[5]: carousel without cards",
    ]);
    expect(analyzeTemplate(null).problems).toEqual(["components: components is not a list"]);
    expect(
      analyzeTemplate([{ type: "HEADER", format: "TEXT", text: "{{1}} {{2}}" }]).problems,
    ).toEqual(["components[0]: a header has at most one variable, found 2"]);
  });

  it("accepts lower-case types and formats", () => {
    const shape = analyzeTemplate([
      { type: "header", format: "image" },
      { type: "body", text: "Hi {{1}}" },
    ]);
    expect(shape.header?.format).toBe("IMAGE");
    expect(shape.body?.variables).toEqual(["1"]);
  });

  it("reads a PRODUCT header and CATALOG, MPM and SPM buttons (issue 19)", () => {
    const shape = analyzeTemplate([
      { type: "HEADER", format: "PRODUCT" },
      { type: "BODY", text: "Hi {{1}}" },
      {
        type: "BUTTONS",
        buttons: [{ type: "CATALOG" }, { type: "MPM" }, { type: "SPM" }],
      },
    ]);
    expect(shape.problems).toEqual([]);
    expect(shape.header?.format).toBe("PRODUCT");
    expect(shape.buttons.map((b) => b.parameter)).toEqual([
      { subType: "CATALOG", kind: "action", required: false },
      { subType: "mpm", kind: "action", required: false },
      null,
    ]);
  });
});
