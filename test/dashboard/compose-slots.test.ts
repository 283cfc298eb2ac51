/**
 * The compose page's slots for a single-product template: the product header
 * is asked as "retailer id, catalog id" and sent as the Broadcasts API's
 * product header (an object), for everyone or per recipient.
 */
import { describe, expect, it } from "vitest";
import {
  broadcastParameters,
  type Mapping,
  recipientOf,
  slotsOf,
} from "../../dashboard/src/compose/slots";
import { analyzeTemplate } from "../../src/domain/template";

const spotlight = analyzeTemplate(
  [
    { type: "HEADER", format: "PRODUCT" },
    { type: "BODY", text: "Back in stock: {{1}}" },
    { type: "BUTTONS", buttons: [{ type: "SPM", text: "View" }] },
  ],
  "POSITIONAL",
);

describe("compose: a product header", () => {
  const slots = slotsOf(spotlight);
  const header = slots.find((s) => s.part === "header");

  it("is one slot asking for the retailer id and the catalog id", () => {
    expect(header).toMatchObject({
      headerType: "product",
      label: expect.stringContaining("retailer id, catalog id"),
    });
  });

  it("fixed for everyone, goes as the product object", () => {
    const mapping: Mapping = {
      identifier: 0,
      clientReference: null,
      sources: { header: { fixed: " nqryix03ez , 194836987003835 " }, "body.1": { column: 1 } },
    };
    expect(broadcastParameters(spotlight, slots, mapping)).toMatchObject({
      header: {
        type: "product",
        value: { product_retailer_id: "nqryix03ez", catalog_id: "194836987003835" },
      },
    });
  });

  it("from a column, is each recipient's product", () => {
    const mapping: Mapping = {
      identifier: 0,
      clientReference: null,
      sources: { header: { column: 2 }, "body.1": { column: 1 } },
    };
    const row = ["447700900123", "the blue kettle", "kettle-blue,194836987003835"];
    expect(recipientOf(spotlight, slots, mapping, row)).toMatchObject({
      parameters: {
        header: { value: { product_retailer_id: "kettle-blue", catalog_id: "194836987003835" } },
      },
    });
  });
});
