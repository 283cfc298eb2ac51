import { describe, expect, it } from "vitest";
import { analyzeTemplate } from "../../src/domain/template";
import {
  type ContactFields,
  planV1Parameters,
  renderForContact,
  type V1Parameters,
  type V1Plan,
} from "../../src/domain/v1-parameters";
import {
  FLOW_SIGNUP,
  HOLIDAY_SALE,
  ORDER_NAMED,
  PLAIN_NOTICE,
  PRODUCT_CAROUSEL,
  STORE_LOCATION,
} from "./templates";

const ALEX: ContactFields = {
  name: "Alex Smith",
  firstName: "Alex",
  lastName: "Smith",
  phone: "+447592850122",
  customFields: { store: "City Centre", tier: "gold" },
};

const NAMELESS: ContactFields = {
  name: null,
  firstName: null,
  lastName: null,
  phone: "+27827134468",
  customFields: {},
};

function plan(template: unknown, p: V1Parameters): V1Plan {
  const result = planV1Parameters(analyzeTemplate(template), p);
  if (!result.ok) throw new Error(`expected a plan, got: ${result.errors.join("; ")}`);
  return result.plan;
}

function planErrors(template: unknown, p: V1Parameters): string[] {
  const result = planV1Parameters(analyzeTemplate(template), p);
  if (result.ok) throw new Error("expected errors");
  return result.errors;
}

const HOLIDAY_V1: V1Parameters = {
  headerMediaUrl: "https://www.example.com/image.jpg",
  bodyTextParameters: ["{{contact.firstName}}", "18h00", "{{ contact.customFields.store }}"],
  buttonUrlParameters: ["sale?who={{contact.phone}}", "{{contact.customFields.store}}"],
};

describe("planV1Parameters and renderForContact", () => {
  it("renders contact placeholders per contact, through the same components", () => {
    const p = plan(HOLIDAY_SALE, HOLIDAY_V1);
    expect(renderForContact(p, ALEX)).toEqual({
      ok: true,
      components: [
        {
          type: "header",
          parameters: [{ type: "image", image: { link: "https://www.example.com/image.jpg" } }],
        },
        {
          type: "body",
          parameters: [
            { type: "text", text: "Alex" },
            { type: "text", text: "18h00" },
            { type: "text", text: "City Centre" },
          ],
        },
        {
          type: "button",
          sub_type: "url",
          index: "0",
          parameters: [{ type: "text", text: "sale?who=+447592850122" }],
        },
        {
          type: "button",
          sub_type: "url",
          index: "1",
          parameters: [{ type: "text", text: "City Centre" }],
        },
      ],
    });
  });

  it("renders name, lastName and several fields in one value", () => {
    const p = plan(HOLIDAY_SALE, {
      ...HOLIDAY_V1,
      bodyTextParameters: [
        "{{contact.name}}",
        "{{contact.lastName}}, {{contact.firstName}}",
        "{{contact.FIRSTNAME}}!",
      ],
    });
    const result = renderForContact(p, ALEX);
    expect(result.ok && result.components[1]).toEqual({
      type: "body",
      parameters: [
        { type: "text", text: "Alex Smith" },
        { type: "text", text: "Smith, Alex" },
        { type: "text", text: "Alex!" },
      ],
    });
  });

  it("rejects a contact for whom a value renders empty, and no one else", () => {
    const p = plan(HOLIDAY_SALE, HOLIDAY_V1);
    expect(renderForContact(p, NAMELESS)).toEqual({
      ok: false,
      errors: [
        "bodyTextParameters[0] rendered empty for this contact",
        "bodyTextParameters[2] rendered empty for this contact",
        "buttonUrlParameters[1] rendered empty for this contact",
      ],
    });
    // A value that is only partly empty is fine.
    const partly = plan(HOLIDAY_SALE, {
      ...HOLIDAY_V1,
      bodyTextParameters: ["Hi {{contact.firstName}}", "a", "b"],
    });
    expect(renderForContact(partly, { ...NAMELESS, customFields: { store: "x" } }).ok).toBe(true);
  });

  it("refuses rendered values WhatsApp refuses", () => {
    const p = plan(HOLIDAY_SALE, HOLIDAY_V1);
    expect(renderForContact(p, { ...ALEX, customFields: { store: "City\nCentre" } })).toEqual({
      ok: false,
      errors: [
        "bodyTextParameters[2] contains a line break or tab, which WhatsApp does not allow in a parameter",
        "buttonUrlParameters[1] contains a line break or tab, which WhatsApp does not allow in a parameter",
      ],
    });
    const long = plan(HOLIDAY_SALE, {
      ...HOLIDAY_V1,
      bodyTextParameters: ["{{contact.customFields.bio}}", "a", "b"],
    });
    const result = renderForContact(long, {
      ...ALEX,
      customFields: { ...ALEX.customFields, bio: "x".repeat(1000) },
    });
    expect(result).toEqual({
      ok: false,
      errors: ["Body text is 1053 characters once filled; WhatsApp allows at most 1024"],
    });
  });

  it("names unknown contact fields and placeholders at create", () => {
    expect(
      planErrors(HOLIDAY_SALE, {
        ...HOLIDAY_V1,
        bodyTextParameters: [
          "{{contact.age}}",
          "{{contact.frstName}} {{first_name}}",
          "{{contact.customFields.}}",
        ],
      }),
    ).toEqual([
      "bodyTextParameters[0]: unknown contact field 'age'",
      "bodyTextParameters[1]: unknown contact field 'frstName'",
      "bodyTextParameters[1]: unknown placeholder '{{first_name}}'; use {{contact.firstName}}, {{contact.lastName}}, {{contact.name}}, {{contact.phone}} or {{contact.customFields.<key>}}",
      "bodyTextParameters[2]: unknown contact field 'customFields.'",
    ]);
  });

  it("checks counts and header kinds against the template", () => {
    expect(planErrors(HOLIDAY_SALE, {})).toEqual([
      "headerMediaUrl: the template has an IMAGE header; give the media's http(s) URL",
      "bodyTextParameters: the template has 3 body variables, got 0",
      "buttonUrlParameters: the template has 2 buttons that take a value (url button at index 0, url button at index 1), got 0",
    ]);
    expect(
      planErrors(HOLIDAY_SALE, { ...HOLIDAY_V1, headerMediaUrl: "www.example.com/a.jpg" }),
    ).toEqual(["headerMediaUrl: must be an http(s) URL"]);
    expect(
      planErrors(PLAIN_NOTICE, {
        headerMediaUrl: "https://x.com/a.jpg",
        headerTextParameters: ["x"],
        locationParameters: { latitude: 1, longitude: 2 },
        flowParameters: { flowToken: "t" },
      }),
    ).toEqual([
      "headerMediaUrl: the template has no media header (its header is TEXT)",
      "locationParameters: the template has no LOCATION header",
      "headerTextParameters: the template's header has 0 variables, got 1",
      "flowParameters: the template has no flow button",
    ]);
    expect(planErrors(PRODUCT_CAROUSEL, {})).toEqual([
      "template: carousel templates cannot be sent through the v1 API, which has no per-card parameters",
    ]);
  });

  it("checks literal values at create, since they are the same for everyone", () => {
    expect(
      planErrors(HOLIDAY_SALE, {
        ...HOLIDAY_V1,
        bodyTextParameters: ["", "a\tb", "{{contact.firstName}}"],
      }),
    ).toEqual([
      "bodyTextParameters[0]: must not be empty",
      "bodyTextParameters[1] contains a line break or tab, which WhatsApp does not allow in a parameter",
    ]);
    // With no placeholder at all, the whole message is checked, lengths included.
    expect(
      planErrors(HOLIDAY_SALE, {
        ...HOLIDAY_V1,
        bodyTextParameters: ["x".repeat(1000), "a", "b"],
        buttonUrlParameters: ["a", "b"],
      }),
    ).toEqual(["Body text is 1053 characters once filled; WhatsApp allows at most 1024"]);
  });

  it("fills a text header, a copy code and a URL on a NAMED template", () => {
    const p = plan(ORDER_NAMED, {
      headerTextParameters: ["#{{contact.customFields.order}}"],
      bodyTextParameters: ["{{contact.firstName}}", "#{{contact.customFields.order}}", "Friday"],
      buttonUrlParameters: ["SAVE10", "{{contact.customFields.order}}"],
    });
    expect(renderForContact(p, { ...ALEX, customFields: { order: "1234" } })).toEqual({
      ok: true,
      components: [
        {
          type: "header",
          parameters: [{ type: "text", parameter_name: "order_id", text: "#1234" }],
        },
        {
          type: "body",
          parameters: [
            { type: "text", parameter_name: "first_name", text: "Alex" },
            { type: "text", parameter_name: "order_id", text: "#1234" },
            { type: "text", parameter_name: "date", text: "Friday" },
          ],
        },
        // The quick reply's payload is set per message when it is sent.
        {
          type: "button",
          sub_type: "quick_reply",
          index: "0",
          parameters: [{ type: "payload", payload: "" }],
        },
        {
          type: "button",
          sub_type: "copy_code",
          index: "1",
          parameters: [{ type: "coupon_code", coupon_code: "SAVE10" }],
        },
        {
          type: "button",
          sub_type: "url",
          index: "2",
          parameters: [{ type: "text", text: "1234" }],
        },
      ],
    });
  });

  it("sends locationParameters as a location header", () => {
    const p = plan(STORE_LOCATION, {
      locationParameters: { latitude: 51.51, longitude: -0.13, name: "Soho", address: null },
      bodyTextParameters: ["Monday"],
    });
    expect(renderForContact(p, ALEX)).toEqual({
      ok: true,
      components: [
        {
          type: "header",
          parameters: [
            { type: "location", location: { latitude: 51.51, longitude: -0.13, name: "Soho" } },
          ],
        },
        { type: "body", parameters: [{ type: "text", text: "Monday" }] },
      ],
    });
    expect(planErrors(STORE_LOCATION, { bodyTextParameters: ["Monday"] })).toEqual([
      "locationParameters: the template has a LOCATION header; give its latitude and longitude",
    ]);
    expect(
      planErrors(STORE_LOCATION, {
        bodyTextParameters: ["Monday"],
        locationParameters: { latitude: 100, longitude: 0 },
      }),
    ).toEqual([
      "locationParameters: latitude must be within -90..90 and longitude within -180..180",
    ]);
  });

  it("sends flowParameters as the flow button's action, flowData as a string or an object", () => {
    const fromString = plan(FLOW_SIGNUP, {
      bodyTextParameters: ["{{contact.firstName}}"],
      flowParameters: {
        flowToken: "signup-{{contact.phone}}",
        flowData: '{"name":"{{contact.firstName}}","n":1}',
      },
    });
    expect(renderForContact(fromString, ALEX)).toEqual({
      ok: true,
      components: [
        { type: "body", parameters: [{ type: "text", text: "Alex" }] },
        {
          type: "button",
          sub_type: "flow",
          index: "0",
          parameters: [
            {
              type: "action",
              action: {
                flow_token: "signup-+447592850122",
                flow_action_data: { name: "Alex", n: 1 },
              },
            },
          ],
        },
      ],
    });
    const fromObject = plan(FLOW_SIGNUP, {
      bodyTextParameters: ["x"],
      flowParameters: { flowData: { screen: "A" } },
    });
    const rendered = renderForContact(fromObject, ALEX);
    expect(rendered.ok && rendered.components[1]).toEqual({
      type: "button",
      sub_type: "flow",
      index: "0",
      parameters: [{ type: "action", action: { flow_action_data: { screen: "A" } } }],
    });
    expect(
      planErrors(FLOW_SIGNUP, { bodyTextParameters: ["x"], flowParameters: { flowData: "{oops" } }),
    ).toEqual(["flowParameters.flowData: must be a JSON object (the string is not valid JSON)"]);
    expect(
      planErrors(FLOW_SIGNUP, { bodyTextParameters: ["x"], flowParameters: { flowData: "[1]" } }),
    ).toEqual(["flowParameters.flowData: must be a JSON object"]);
    // Without flowParameters, the optional flow button is simply not parameterised.
    const plain = plan(FLOW_SIGNUP, { bodyTextParameters: ["x"] });
    expect(renderForContact(plain, ALEX)).toEqual({
      ok: true,
      components: [{ type: "body", parameters: [{ type: "text", text: "x" }] }],
    });
  });

  it("keeps the plan as plain data, so that it can be stored and used later", () => {
    const p = plan(HOLIDAY_SALE, HOLIDAY_V1);
    const copy = JSON.parse(JSON.stringify(p)) as V1Plan;
    expect(renderForContact(copy, ALEX)).toEqual(renderForContact(p, ALEX));
  });
});
