/**
 * The catalog button (`sub_type: "CATALOG"`, an optional
 * `thumbnail_product_retailer_id`) on both surfaces: checked against the
 * template, sent to the sandbox as Meta's payload (REFERENCE.md "More template
 * components"; the sandbox refuses what Meta refuses, P1) and delivered.
 */
import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import { validateTemplateMessage } from "../../sandbox/validate";
import { mobileNumber } from "../domain/phones";
import { setup } from "../engine";
import {
  expectRefused,
  expectV1Refused,
  sendAndDeliver,
  v1SendAndDeliver,
  v1Setup,
} from "./round-trip";

const THUMBNAIL = "2lc20305pt";

const catalogButton = (action: unknown) => ({
  type: "button",
  sub_type: "CATALOG",
  index: "0",
  parameters: [{ type: "action", action }],
});

const body = { type: "body", parameters: [{ type: "text", text: "Ada" }] };

describe("catalog button", () => {
  it("the sandbox takes a thumbnail or none, and refuses an empty one or a catalog action elsewhere", () => {
    const t = BUILT_IN_TEMPLATES.find((x) => x.name === "catalog_offer");
    const coupon = BUILT_IN_TEMPLATES.find((x) => x.name === "coupon_offer");
    if (!t || !coupon) throw new Error("built-ins missing");
    const code = (components: unknown[]) => validateTemplateMessage(t, components)?.code ?? null;
    expect(code([body, catalogButton({ thumbnail_product_retailer_id: THUMBNAIL })])).toBeNull();
    expect(code([body])).toBeNull();
    expect(code([body, catalogButton({ thumbnail_product_retailer_id: "" })])).toBe(131008);
    expect(code([body, { ...catalogButton({}), sub_type: "mpm" }])).toBe(132012);
    expect(
      validateTemplateMessage(coupon, [body, catalogButton({ thumbnail_product_retailer_id: "x" })])
        ?.code,
    ).toBe(132012);
  });

  it("Broadcasts API: parameters.catalog is sent as Meta's CATALOG button and delivered; bad input is a 400 naming the field, nothing written", async () => {
    const s = await setup();
    const request = (extra: Record<string, unknown>, template = "catalog_offer") => ({
      channel_type: "whatsapp",
      name: "Catalog",
      template_name: template,
      locale: "en",
      from: s.sender.phoneNumber,
      parameters: { body_order: ["Name"], ...extra },
      recipients: [
        { identifier: mobileNumber(93_001, "0"), parameters: { body: { Name: "Ada" } } },
      ],
    });
    await expectRefused(
      s,
      request({ catalog: { thumbnail_product_retailer_id: "" } }),
      "parameters.catalog.thumbnail_product_retailer_id: must not be empty",
    );
    await expectRefused(
      s,
      request({ catalog: { thumbnail_product_retailer_id: "x".repeat(101) } }),
      "parameters.catalog.thumbnail_product_retailer_id",
    );
    await expectRefused(
      s,
      request({ catalog: { thumbnail_product_retailer_id: THUMBNAIL } }, "payment_reminder"),
      "parameters.catalog: the template has no CATALOG button",
    );

    const sent = await sendAndDeliver(
      s,
      request({ catalog: { thumbnail_product_retailer_id: THUMBNAIL } }),
    );
    expect(sent.components).toEqual([
      body,
      catalogButton({ thumbnail_product_retailer_id: THUMBNAIL }),
    ]);
  });

  it("v1: catalogThumbnailProductId is sent and delivered; on a template without the button it is a 400, nothing written", async () => {
    const s = await v1Setup(mobileNumber(93_002, "0"));
    await expectV1Refused(
      s,
      {
        template: { name: "payment_reminder", language: "en" },
        catalogThumbnailProductId: THUMBNAIL,
      },
      "catalogThumbnailProductId: the template has no CATALOG or multi-product button",
    );
    await expectV1Refused(
      s,
      { template: { name: "catalog_offer", language: "en" }, catalogThumbnailProductId: " " },
      "catalogThumbnailProductId: must not be empty",
    );
    const { created, sent } = await v1SendAndDeliver(s, {
      template: { name: "catalog_offer", language: "en" },
      catalogThumbnailProductId: THUMBNAIL,
    });
    expect(created.catalogThumbnailProductId).toBe(THUMBNAIL);
    expect(sent.components).toEqual([
      body,
      catalogButton({ thumbnail_product_retailer_id: THUMBNAIL }),
    ]);
  });
});
