/**
 * Copy-code coupons up to 20 characters (Meta's limit since December 2025,
 * 15 before), on both surfaces: created, sent to the sandbox (which refuses
 * what Meta refuses) and delivered.
 */
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  sandboxMessages,
  setup,
  waitForStatus,
} from "../engine";
import { api, apiKey, expectStatus } from "../helpers";
import { v1Create, v1Setup } from "./round-trip";

/** Twenty characters: the longest code Meta takes. */
const CODE = "WINTER2026SALE123456";

const couponComponent = (code: string) => ({
  type: "button",
  sub_type: "copy_code",
  index: "0",
  parameters: [{ type: "coupon_code", coupon_code: code }],
});

describe("copy_code coupons", () => {
  it("Broadcasts API: a 20-character code is sent and delivered; 21 rejects that recipient", async () => {
    expect(CODE).toHaveLength(20);
    const s = await setup();
    const [ok, tooLong] = [mobileNumber(90_001, "0"), mobileNumber(90_002, "0")];
    const created = await createBroadcast(s, {
      channel_type: "whatsapp",
      name: "Coupons",
      template_name: "coupon_offer",
      locale: "en",
      from: s.sender.phoneNumber,
      parameters: { body_order: ["Name"], button_order: ["coupon"] },
      recipients: [
        { identifier: ok, parameters: { body: { Name: "Ada" }, button: { coupon: CODE } } },
        {
          identifier: tooLong,
          parameters: { body: { Name: "Bo" }, button: { coupon: `${CODE}X` } },
        },
      ],
    });
    expect(created).toMatchObject({ recipients: 1, rejected_recipients: 1 });
    expect(created.warnings.recipients[0].errors).toEqual([
      "Button parameter 'coupon' is 21 characters; WhatsApp allows at most 20 in a coupon code",
    ]);
    await waitForStatus(s, created.uuid, "completed");
    const [sent] = await sandboxMessages(s.number.phoneNumberId);
    expect(sent.components).toContainEqual(couponComponent(CODE));
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await details(s, created.uuid)).delivered === 1, {
      timeout: 10_000,
      interval: 200,
    });
  });

  it("v1: buttonUrlParameters fills the copy-code button with a 20-character code, sent and delivered; 21 fails the contact", async () => {
    const s = await v1Setup(mobileNumber(90_003, "0"));
    const key = apiKey(s.account.key);
    const create = (code: string) =>
      v1Create(s, {
        name: "Coupons",
        template: { name: "coupon_offer", language: "en" },
        buttonUrlParameters: [code],
      });
    const get = async (id: string) =>
      expectStatus(await api(`/v1/broadcasts/${id}`, { headers: key }), 200);
    const completed = (id: string) =>
      vi.waitUntil(async () => (await get(id)).status === "completed", {
        timeout: 20_000,
        interval: 200,
      });
    // A code over 20 characters: the contact's rendering fails (said in the logs), nothing is sent.
    const tooLong = await expectStatus(await create(`${CODE}X`), 200);
    await completed(tooLong.id);
    const logs = await expectStatus(
      await api(`/v1/broadcasts/${tooLong.id}/logs`, { headers: key }),
      200,
    );
    expect(logs[0]).toMatchObject({ status: "failed" });
    expect(JSON.stringify(logs[0])).toContain("at most 20 in a coupon code");
    expect(await sandboxMessages(s.number.phoneNumberId)).toEqual([]);

    const created = await expectStatus(await create(CODE), 200);
    await completed(created.id);
    const [sent] = await sandboxMessages(s.number.phoneNumberId);
    expect(sent.components).toContainEqual(couponComponent(CODE));
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await get(created.id)).deliveryStats.deliveredCount === 1, {
      timeout: 10_000,
      interval: 200,
    });
  });
});
