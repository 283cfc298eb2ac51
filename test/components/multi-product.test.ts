/**
 * The multi-product button (`sub_type: "mpm"`: a thumbnail and sections of
 * products) on both surfaces: checked against the template and Meta's limits
 * (≤ 10 sections, ≤ 30 products in all, a title ≤ 24 characters), sent to the
 * sandbox as Meta's payload (REFERENCE.md; the sandbox refuses what Meta
 * refuses, P2) and delivered.
 */
import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import { validateTemplateMessage } from "../../sandbox/validate";
import { mobileNumber } from "../domain/phones";
import { setup } from "../engine";
import { api, apiKey, expectStatus, jsonInit } from "../helpers";
import {
  expectRefused,
  expectV1Refused,
  sendAndDeliver,
  v1Create,
  v1SendAndDeliver,
  v1Setup,
} from "./round-trip";

const ACTION = {
  thumbnail_product_retailer_id: "2lc20305pt",
  sections: [
    { title: "Popular Bundles", product_items: [{ product_retailer_id: "2lc20305pt" }] },
    {
      title: "Premium Packages",
      product_items: [{ product_retailer_id: "nqryix03ez" }, { product_retailer_id: "k2x9l0" }],
    },
  ],
};

const mpmButton = (action: unknown) => ({
  type: "button",
  sub_type: "mpm",
  index: "0",
  parameters: [{ type: "action", action }],
});

const body = { type: "body", parameters: [{ type: "text", text: "Ada" }] };

/** `n` sections of `each` products. */
const sections = (n: number, each: number, title = "Deals") =>
  Array.from({ length: n }, (_, i) => ({
    title,
    product_items: Array.from({ length: each }, (_, j) => ({ product_retailer_id: `p${i}-${j}` })),
  }));

describe("multi-product button", () => {
  it("the sandbox wants the thumbnail and sections within Meta's limits", () => {
    const t = BUILT_IN_TEMPLATES.find((x) => x.name === "product_bundle");
    if (!t) throw new Error("built-in missing");
    const code = (action: unknown) =>
      validateTemplateMessage(t, [body, mpmButton(action)])?.code ?? null;
    expect(code(ACTION)).toBeNull();
    expect(validateTemplateMessage(t, [body])?.code).toBe(132000);
    expect(code({ sections: ACTION.sections })).toBe(131008);
    expect(code({ ...ACTION, sections: [] })).toBe(131008);
    expect(code({ ...ACTION, sections: sections(10, 3) })).toBeNull();
    expect(code({ ...ACTION, sections: sections(11, 1) })).toBe(131009);
    expect(code({ ...ACTION, sections: sections(2, 16) })).toBe(131009);
    expect(code({ ...ACTION, sections: sections(1, 1, "x".repeat(25)) })).toBe(131009);
    expect(code({ ...ACTION, sections: sections(1, 1, "x".repeat(24)) })).toBeNull();
  });

  it("Broadcasts API: parameters.multi_product is sent as Meta's mpm button and delivered; missing or over a limit is a 400 naming the field, nothing written", async () => {
    const s = await setup();
    const request = (extra: Record<string, unknown>, template = "product_bundle") => ({
      channel_type: "whatsapp",
      name: "Bundles",
      template_name: template,
      locale: "en",
      from: s.sender.phoneNumber,
      parameters: { body_order: ["Name"], ...extra },
      recipients: [
        { identifier: mobileNumber(93_101, "0"), parameters: { body: { Name: "Ada" } } },
      ],
    });
    await expectRefused(
      s,
      request({}),
      "parameters.multi_product: the template has a multi-product (MPM) button",
    );
    await expectRefused(
      s,
      request({ multi_product: { ...ACTION, sections: sections(11, 1) } }),
      "parameters.multi_product.sections: 11 sections; WhatsApp allows at most 10",
    );
    await expectRefused(
      s,
      request({ multi_product: { ...ACTION, sections: sections(2, 16) } }),
      "parameters.multi_product.sections: 32 products in all; WhatsApp allows at most 30",
    );
    await expectRefused(
      s,
      request({
        multi_product: { ...ACTION, sections: sections(1, 1, "Everything for the garden") },
      }),
      "parameters.multi_product.sections[0].title is 25 characters; WhatsApp allows at most 24",
    );
    await expectRefused(
      s,
      request({ multi_product: { ...ACTION, sections: [{ title: "Empty", product_items: [] }] } }),
      "parameters.multi_product.sections[0].product_items: at least one product is required",
    );
    await expectRefused(
      s,
      request({ multi_product: { sections: ACTION.sections } }),
      "parameters.multi_product.thumbnail_product_retailer_id",
    );
    await expectRefused(
      s,
      request({ multi_product: ACTION }, "payment_reminder"),
      "parameters.multi_product: the template has no multi-product (MPM) button",
    );

    const sent = await sendAndDeliver(s, request({ multi_product: ACTION }));
    expect(sent.components).toEqual([body, mpmButton(ACTION)]);
  });

  it("v1: productSections with catalogThumbnailProductId are sent and delivered; missing or over a limit is a 400, nothing written", async () => {
    const s = await v1Setup(mobileNumber(93_102, "0"));
    const template = { name: "product_bundle", language: "en" };
    const productSections = ACTION.sections.map((x) => ({
      title: x.title,
      productRetailerIds: x.product_items.map((p) => p.product_retailer_id),
    }));
    await expectV1Refused(
      s,
      { template },
      "productSections: the template has a multi-product (MPM) button",
    );
    await expectV1Refused(
      s,
      { template, productSections },
      "catalogThumbnailProductId: the thumbnail product's retailer id is required",
    );
    await expectV1Refused(
      s,
      {
        template,
        catalogThumbnailProductId: "2lc20305pt",
        productSections: [{ title: "x".repeat(25), productRetailerIds: ["a"] }],
      },
      "productSections[0].title is 25 characters; WhatsApp allows at most 24",
    );
    await expectV1Refused(
      s,
      {
        template: { name: "payment_reminder", language: "en" },
        bodyTextParameters: ["a", "b", "c"],
        productSections,
      },
      "productSections: the template has no multi-product (MPM) button",
    );
    // PUT takes back what GET shows, sections included.
    const key = apiKey(s.account.key);
    const draft = await expectStatus(
      await v1Create(s, {
        template,
        status: "draft",
        scheduleDateTime: "2030-01-01T09:00:00Z",
        catalogThumbnailProductId: ACTION.thumbnail_product_retailer_id,
        productSections,
      }),
      200,
    );
    const shown = await expectStatus(
      await api(`/v1/broadcasts/${draft.id}`, { headers: key }),
      200,
    );
    const put = await expectStatus(
      await api(`/v1/broadcasts/${draft.id}`, jsonInit("PUT", shown, key)),
      200,
    );
    expect(put.productSections).toEqual(productSections);
    await expectStatus(
      await api(`/v1/broadcasts/${draft.id}`, { method: "DELETE", headers: key }),
      200,
    );

    const { created, sent } = await v1SendAndDeliver(s, {
      template,
      catalogThumbnailProductId: ACTION.thumbnail_product_retailer_id,
      productSections,
    });
    expect(created.productSections).toEqual(productSections);
    expect(sent.components).toEqual([body, mpmButton(ACTION)]);
  });
});
