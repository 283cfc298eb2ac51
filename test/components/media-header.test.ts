/**
 * Media headers by `link` or uploaded media `id`, and a document's
 * `filename` (REFERENCE.md, "More template components"), on both surfaces:
 * created, sent to the sandbox as Meta's payload, and delivered.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  holidayBody,
  type Setup,
  sandboxMessages,
  setup,
  waitForStatus,
} from "../engine";
import { api, apiKey, bearer, expectStatus, jsonInit } from "../helpers";

const INVOICE = "invoice_document";
const MEDIA_ID = "4490709327384033";

/** A template with a DOCUMENT header on the sender's WABA, synced to Chorus. */
async function invoiceSetup(): Promise<Setup> {
  const s = await setup();
  await expectStatus(
    await env.WHATSAPP_API.fetch(
      "http://sandbox.test/__sandbox/templates",
      jsonInit("POST", {
        waba_id: s.sender.wabaId,
        template: {
          name: INVOICE,
          language: "en",
          category: "UTILITY",
          components: [
            { type: "HEADER", format: "DOCUMENT" },
            { type: "BODY", text: "Your invoice is attached." },
          ],
        },
      }),
    ),
    200,
  );
  await expectStatus(
    await api(
      "/v1/templates/sync",
      jsonInit("POST", { senderId: s.sender.id }, apiKey(s.account.key)),
    ),
    200,
  );
  return s;
}

const documentHeader = (document: Record<string, string>) => ({
  type: "header",
  parameters: [{ type: "document", document }],
});

describe("media headers", () => {
  it("Broadcasts API: a document by uploaded id with its filename, or by link, sent and delivered", async () => {
    const s = await invoiceSetup();
    const [a, b] = [mobileNumber(91_001, "0"), mobileNumber(91_002, "0")];
    const created = await createBroadcast(s, {
      channel_type: "whatsapp",
      name: "Invoices",
      template_name: INVOICE,
      locale: "en",
      from: s.sender.phoneNumber,
      parameters: {
        header: { type: "document", value: { id: MEDIA_ID, filename: "invoice.pdf" } },
      },
      recipients: [
        { identifier: a },
        {
          identifier: b,
          parameters: {
            header: { value: { link: "https://example.com/b.pdf", filename: "b.pdf" } },
          },
        },
      ],
    });
    expect(created).toMatchObject({ recipients: 2, rejected_recipients: 0 });
    await waitForStatus(s, created.uuid, "completed");
    const sent = await sandboxMessages(s.number.phoneNumberId);
    const byTo = Object.fromEntries(sent.map((m: any) => [m.wa_id, m.components]));
    expect(byTo[a]).toContainEqual(documentHeader({ id: MEDIA_ID, filename: "invoice.pdf" }));
    expect(byTo[b]).toContainEqual(
      documentHeader({ link: "https://example.com/b.pdf", filename: "b.pdf" }),
    );
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await details(s, created.uuid)).delivered === 2, {
      timeout: 10_000,
      interval: 200,
    });
  });

  it("Broadcasts API: refuses a filename on an image header and a media object with both link and id", async () => {
    const s = await setup();
    const validate = async (header: unknown) =>
      expectStatus(
        await api(
          "/broadcasts",
          jsonInit(
            "POST",
            holidayBody(s.sender.phoneNumber, [mobileNumber(91_003, "0")], {
              parameters: {
                header,
                body_order: ["Name", "Time", "Place"],
                button_order: ["url_1", "url_2"],
              },
            }),
            bearer(s.account.key),
          ),
        ),
        400,
      );
    const named = await validate({
      type: "image",
      value: { link: "https://example.com/a.jpg", filename: "a.jpg" },
    });
    expect(named.details).toContain("filename: only a document header has a filename");
    const both = await validate({
      type: "image",
      value: { link: "https://example.com/a.jpg", id: MEDIA_ID },
    });
    expect(both.details).toContain("give a link or an id, not both");
  });

  it("v1: headerMediaId and headerDocumentFilename, sent and delivered; a filename on an image header is a 400", async () => {
    const s = await invoiceSetup();
    const key = apiKey(s.account.key);
    await expectStatus(
      await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key)),
      200,
    );
    const phone = mobileNumber(91_004, "0");
    await expectStatus(
      await api("/v1/contacts/bulk", jsonInit("POST", { contacts: [{ phone }] }, key)),
      200,
    );
    const refused = await expectStatus(
      await api(
        "/v1/broadcasts",
        jsonInit(
          "POST",
          {
            name: "Bad",
            type: "client",
            status: "draft",
            template: { name: "holiday_sale_template", language: "en" },
            headerMediaUrl: "https://example.com/a.jpg",
            headerDocumentFilename: "a.jpg",
            bodyTextParameters: ["a", "b", "c"],
            buttonUrlParameters: ["x", "y"],
          },
          key,
        ),
      ),
      400,
    );
    expect(refused.details).toContain("headerDocumentFilename: only a DOCUMENT header");

    const created = await expectStatus(
      await api(
        "/v1/broadcasts",
        jsonInit(
          "POST",
          {
            name: "Invoices",
            type: "client",
            template: { name: INVOICE, language: "en" },
            headerMediaId: MEDIA_ID,
            headerDocumentFilename: "invoice.pdf",
          },
          key,
        ),
      ),
      200,
    );
    expect(created).toMatchObject({
      headerMediaId: MEDIA_ID,
      headerDocumentFilename: "invoice.pdf",
    });
    const get = async () =>
      expectStatus(await api(`/v1/broadcasts/${created.id}`, { headers: key }), 200);
    await vi.waitUntil(async () => (await get()).status === "completed", {
      timeout: 20_000,
      interval: 200,
    });
    const [sent] = await sandboxMessages(s.number.phoneNumberId);
    expect(sent.components).toContainEqual(
      documentHeader({ id: MEDIA_ID, filename: "invoice.pdf" }),
    );
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await get()).deliveryStats.deliveredCount === 1, {
      timeout: 10_000,
      interval: 200,
    });
  });
});
