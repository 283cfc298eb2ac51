/**
 * `currency` (`fallback_value`, `code`, `amount_1000`) and `date_time`
 * (`fallback_value`) body parameters (REFERENCE.md, "More template
 * components"), on both surfaces: checked like Meta checks them, sent to the
 * sandbox as Meta's payload (the sandbox refuses what Meta refuses) and
 * delivered.
 */
import { describe, expect, it, vi } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import { validateTemplateMessage } from "../../sandbox/validate";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  sandboxMessages,
  setup,
  waitForStatus,
} from "../engine";
import { api, apiKey, bearer, expectStatus, jsonInit } from "../helpers";

const PRICE = { currency: { fallback_value: "$12.50", code: "USD", amount_1000: 12_500 } };
const DUE = { date_time: { fallback_value: "May 1, 2026" } };

const body = (name: string) => ({
  type: "body",
  parameters: [
    { type: "text", text: name },
    { type: "currency", ...PRICE },
    { type: "date_time", ...DUE },
  ],
});

const reminder = BUILT_IN_TEMPLATES.find((t) => t.name === "payment_reminder");

describe("currency and date_time body parameters", () => {
  it("the sandbox refuses a currency without code or amount (131008), or with a bad one (131009)", () => {
    if (!reminder) throw new Error("no payment_reminder built-in");
    const check = (currency: Record<string, unknown>) =>
      validateTemplateMessage(reminder, [
        {
          type: "body",
          parameters: [
            { type: "text", text: "Ada" },
            { type: "currency", currency },
            { type: "date_time", ...DUE },
          ],
        },
      ])?.code ?? null;
    expect(validateTemplateMessage(reminder, [body("Ada")])).toBeNull();
    expect(check({ fallback_value: "$12.50", amount_1000: 12_500 })).toBe(131008);
    expect(check({ fallback_value: "$12.50", code: "USD" })).toBe(131008);
    expect(check({ fallback_value: "$12.50", code: "usd", amount_1000: 12_500 })).toBe(131009);
    expect(check({ fallback_value: "$12.50", code: "USD", amount_1000: 12.5 })).toBe(131009);
    expect(check({ fallback_value: "", code: "USD", amount_1000: 12_500 })).toBe(131008);
  });

  it("Broadcasts API: currency and date_time values are sent and delivered; a bad code or amount rejects that recipient", async () => {
    const s = await setup();
    const [ok, bad] = [mobileNumber(91_001, "0"), mobileNumber(91_002, "0")];
    const created = await createBroadcast(s, {
      channel_type: "whatsapp",
      name: "Reminders",
      template_name: "payment_reminder",
      locale: "en",
      from: s.sender.phoneNumber,
      parameters: { body_order: ["Name", "Amount", "Due"] },
      recipients: [
        { identifier: ok, parameters: { body: { Name: "Ada", Amount: PRICE, Due: DUE } } },
        {
          identifier: bad,
          parameters: {
            body: {
              Name: "Bo",
              Amount: { currency: { fallback_value: "$1", code: "usd", amount_1000: 1.5 } },
              Due: { date_time: { fallback_value: " " } },
            },
          },
        },
      ],
    });
    expect(created).toMatchObject({ recipients: 1, rejected_recipients: 1 });
    expect(created.warnings.recipients[0].errors).toEqual([
      "Empty body parameter 'Due'",
      "Body parameter 'Amount'.currency.code must be an ISO 4217 code (3 capital letters), got 'usd'",
      "Body parameter 'Amount'.currency.amount_1000 must be an integer (the amount × 1000)",
    ]);
    await waitForStatus(s, created.uuid, "completed");
    const [sent] = await sandboxMessages(s.number.phoneNumberId);
    expect(sent.components).toEqual([body("Ada")]);
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await details(s, created.uuid)).delivered === 1, {
      timeout: 10_000,
      interval: 200,
    });
  });

  it("Broadcasts API: a value that is neither text, currency nor date_time is a 400 naming the field", async () => {
    const s = await setup();
    const res = await api(
      "/broadcasts",
      jsonInit(
        "POST",
        {
          channel_type: "whatsapp",
          name: "Reminders",
          template_name: "payment_reminder",
          locale: "en",
          from: s.sender.phoneNumber,
          parameters: { body_order: ["Name", "Amount", "Due"] },
          recipients: [
            {
              identifier: mobileNumber(91_003, "0"),
              parameters: { body: { Name: "Ada", Amount: { money: 1 }, Due: DUE } },
            },
          ],
        },
        bearer(s.account.key),
      ),
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Amount");
  });

  it("v1: currencyParameters and dateTimeParameters type body positions, sent and delivered; a bad code is a 400", async () => {
    const s = await setup();
    const key = apiKey(s.account.key);
    await expectStatus(
      await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key)),
      200,
    );
    const phone = mobileNumber(91_004, "0");
    await expectStatus(
      await api(
        "/v1/contacts/bulk",
        jsonInit("POST", { contacts: [{ phone, firstName: "Ada" }] }, key),
      ),
      200,
    );
    const create = (currency: Record<string, unknown>) =>
      api(
        "/v1/broadcasts",
        jsonInit(
          "POST",
          {
            name: "Reminders",
            type: "client",
            template: { name: "payment_reminder", language: "en" },
            bodyTextParameters: ["{{contact.firstName}}", "$12.50", "May 1, 2026"],
            currencyParameters: [currency],
            dateTimeParameters: [{ index: 2 }],
          },
          key,
        ),
      );
    const refused = await create({ index: 1, code: "usd", amount1000: 12_500 });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(
      "currencyParameters[0].code: must be an ISO 4217 code (3 capital letters), got 'usd'",
    );
    const outOfRange = await create({ index: 3, code: "USD", amount1000: 12_500 });
    expect(outOfRange.status).toBe(400);
    expect(await outOfRange.text()).toContain("currencyParameters[0].index");

    const created = await expectStatus(
      await create({ index: 1, code: "USD", amount1000: 12_500 }),
      200,
    );
    expect(created).toMatchObject({
      currencyParameters: [{ index: 1, code: "USD", amount1000: 12_500 }],
      dateTimeParameters: [{ index: 2 }],
    });
    const get = async () =>
      expectStatus(await api(`/v1/broadcasts/${created.id}`, { headers: key }), 200);
    await vi.waitUntil(async () => (await get()).status === "completed", {
      timeout: 20_000,
      interval: 200,
    });
    const [sent] = await sandboxMessages(s.number.phoneNumberId);
    expect(sent.components).toEqual([body("Ada")]);
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await get()).deliveryStats.deliveredCount === 1, {
      timeout: 10_000,
      interval: 200,
    });
  });
});
