/**
 * The single-product template (a PRODUCT header: `product_retailer_id` and
 * `catalog_id`; its SPM button takes nothing) on both surfaces: checked
 * against the template, sent to the sandbox as Meta's payload (REFERENCE.md;
 * the sandbox refuses what Meta refuses, P3) and delivered.
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

const PRODUCT = { product_retailer_id: "nqryix03ez", catalog_id: "194836987003835" };

const productHeader = (product: unknown) => ({
  type: "header",
  parameters: [{ type: "product", product }],
});

const body = { type: "body", parameters: [{ type: "text", text: "Ada" }] };

describe("single-product template", () => {
  it("the sandbox wants the product header with both ids", () => {
    const t = BUILT_IN_TEMPLATES.find((x) => x.name === "product_spotlight");
    if (!t) throw new Error("built-in missing");
    const code = (components: unknown[]) => validateTemplateMessage(t, components)?.code ?? null;
    expect(code([productHeader(PRODUCT), body])).toBeNull();
    expect(code([body])).toBe(132000);
    expect(code([productHeader({ product_retailer_id: "x" }), body])).toBe(131008);
    expect(
      code([
        { type: "header", parameters: [{ type: "image", image: { link: "https://x.y/a.png" } }] },
        body,
      ]),
    ).toBe(132012);
    // Its SPM button takes nothing.
    expect(
      code([
        productHeader(PRODUCT),
        body,
        { type: "button", sub_type: "spm", index: "0", parameters: [] },
      ]),
    ).toBeNull();
  });

  it("Broadcasts API: a product header is sent and delivered; an empty or oversized id is a 400 naming the field, nothing written", async () => {
    const s = await setup();
    const request = (header: unknown, template = "product_spotlight") => ({
      channel_type: "whatsapp",
      name: "Spotlight",
      template_name: template,
      locale: "en",
      from: s.sender.phoneNumber,
      parameters: { header, body_order: ["Name"] },
      recipients: [
        { identifier: mobileNumber(93_201, "0"), parameters: { body: { Name: "Ada" } } },
      ],
    });
    await expectRefused(
      s,
      request({ type: "product", value: { ...PRODUCT, catalog_id: "" } }),
      "parameters.header.value.catalog_id: the catalog id is required",
    );
    await expectRefused(
      s,
      request({ type: "product", value: { ...PRODUCT, product_retailer_id: "x".repeat(101) } }),
      "parameters.header.value",
    );
    await expectRefused(
      s,
      request({ type: "image", value: "https://www.example.com/a.png" }),
      "parameters.header.type: the template has a PRODUCT header, got image",
    );
    await expectRefused(
      s,
      request({ type: "product", value: PRODUCT }, "holiday_sale_template"),
      "parameters.header.type: the template has an IMAGE header, got product",
    );

    const sent = await sendAndDeliver(s, request({ type: "product", value: PRODUCT }));
    expect(sent.components).toEqual([productHeader(PRODUCT), body]);
  });

  it("v1: productRetailerId and catalogId are sent and delivered; missing is a 400, nothing written", async () => {
    const s = await v1Setup(mobileNumber(93_202, "0"));
    const template = { name: "product_spotlight", language: "en" };
    await expectV1Refused(
      s,
      { template, productRetailerId: PRODUCT.product_retailer_id },
      "catalogId: the catalog id is required (the template has a PRODUCT header)",
    );
    await expectV1Refused(
      s,
      { template: { name: "catalog_offer", language: "en" }, ...v1Product() },
      "productRetailerId: the template has no PRODUCT header",
    );
    const { created, sent } = await v1SendAndDeliver(s, { template, ...v1Product() });
    expect(created).toMatchObject(v1Product());
    expect(sent.components).toEqual([productHeader(PRODUCT), body]);
  });
});

function v1Product() {
  return { productRetailerId: PRODUCT.product_retailer_id, catalogId: PRODUCT.catalog_id };
}
