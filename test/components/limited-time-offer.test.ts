/**
 * `limited_time_offer` (`expiration_time_ms`, Unix milliseconds as Meta's
 * reference page says; its own example and pywa differ, REFERENCE.md) on both
 * surfaces: checked against the template, sent to the sandbox as Meta's
 * payload (the sandbox refuses what Meta refuses) and delivered.
 */
import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import { validateTemplateMessage } from "../../sandbox/validate";
import { mobileNumber } from "../domain/phones";
import { setup } from "../engine";
import { api, bearer, jsonInit } from "../helpers";
import { sendAndDeliver, v1Create, v1SendAndDeliver, v1Setup } from "./round-trip";

/** 2027-01-01T00:00:00Z in milliseconds. */
const EXPIRES = 1_798_761_600_000;

const offer = (ms: unknown) => ({
  type: "limited_time_offer",
  parameters: [{ type: "limited_time_offer", limited_time_offer: { expiration_time_ms: ms } }],
});

const rest = (name: string) => [
  { type: "body", parameters: [{ type: "text", text: name }] },
  {
    type: "button",
    sub_type: "copy_code",
    index: "0",
    parameters: [{ type: "coupon_code", coupon_code: "SAVE30" }],
  },
];

describe("limited-time offers", () => {
  it("the sandbox wants expiration_time_ms in milliseconds where the offer expires, and no offer elsewhere", () => {
    const t = BUILT_IN_TEMPLATES.find((x) => x.name === "limited_offer");
    const coupon = BUILT_IN_TEMPLATES.find((x) => x.name === "coupon_offer");
    if (!t || !coupon) throw new Error("built-ins missing");
    const code = (components: unknown[]) => validateTemplateMessage(t, components)?.code ?? null;
    expect(code([offer(EXPIRES), ...rest("Ada")])).toBeNull();
    expect(code(rest("Ada"))).toBe(131008);
    expect(code([offer(Math.floor(EXPIRES / 1000)), ...rest("Ada")])).toBe(131009);
    expect(validateTemplateMessage(coupon, [offer(EXPIRES), ...rest("Ada")])?.code).toBe(132012);
  });

  it("Broadcasts API: parameters.limited_time_offer is sent and delivered; seconds or a missing one is a 400", async () => {
    const s = await setup();
    const body = (extra: Record<string, unknown>) => ({
      channel_type: "whatsapp",
      name: "Offer",
      template_name: "limited_offer",
      locale: "en",
      from: s.sender.phoneNumber,
      parameters: { body_order: ["Name"], button_order: ["coupon"], ...extra },
      recipients: [
        {
          identifier: mobileNumber(92_001, "0"),
          parameters: { body: { Name: "Ada" }, button: { coupon: "SAVE30" } },
        },
      ],
    });
    const missing = await api("/broadcasts", jsonInit("POST", body({}), bearer(s.account.key)));
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain(
      "parameters.limited_time_offer.expiration_time_ms: the template's limited-time offer expires",
    );
    const seconds = await api(
      "/broadcasts",
      jsonInit(
        "POST",
        body({ limited_time_offer: { expiration_time_ms: EXPIRES / 1000 } }),
        bearer(s.account.key),
      ),
    );
    expect(seconds.status).toBe(400);
    expect(await seconds.text()).toContain("must be Unix milliseconds");

    const sent = await sendAndDeliver(
      s,
      body({ limited_time_offer: { expiration_time_ms: EXPIRES } }),
    );
    expect(sent.components).toContainEqual(offer(EXPIRES));
  });

  it("v1: expirationTimeMs is sent and delivered; on a template without an offer it is a 400", async () => {
    const s = await v1Setup(mobileNumber(92_002, "0"));
    const offerBody = (template: string) => ({
      name: "Offer",
      template: { name: template, language: "en" },
      buttonUrlParameters: ["SAVE30"],
      expirationTimeMs: EXPIRES,
    });
    const refused = await v1Create(s, offerBody("coupon_offer"));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(
      "expirationTimeMs: the template has no limited-time offer with an expiration",
    );
    const { created, sent } = await v1SendAndDeliver(s, offerBody("limited_offer"));
    expect(created.expirationTimeMs).toBe(EXPIRES);
    expect(sent.components).toContainEqual(offer(EXPIRES));
  });
});
