/**
 * US numbers (item 3 of issue 18): Meta has delivered no marketing template
 * to a US +1 number since 2025-04-01 (131049), so Chorus refuses them at
 * create and validate, on both surfaces, while the account's
 * `blockUsMarketing` is on (the default). Canada's +1 numbers and utility
 * templates are not affected.
 */
import { describe, expect, it, vi } from "vitest";
import { isUsNumber, marketingBlock, US_MARKETING_BLOCKED } from "../../src/domain/marketing-rules";
import { mobileNumber } from "../domain/phones";
import { createBroadcast, helloBody, holidayBody, type Setup, setup } from "../engine";
import { api, apiKey, bearer, call, expectStatus, jsonInit } from "../helpers";

const US = "14155552671";
const CANADA = "14165550123";
const PUERTO_RICO = "17875551234";

describe("US numbers (pure)", () => {
  it("tells US area codes from Canada's and the other +1 regions", () => {
    expect(isUsNumber(US)).toBe(true);
    expect(isUsNumber("12125550199")).toBe(true);
    expect(isUsNumber(CANADA)).toBe(false);
    expect(isUsNumber("16045551234")).toBe(false);
    expect(isUsNumber(PUERTO_RICO)).toBe(false);
    expect(isUsNumber("447592850122")).toBe(false);
  });

  it("blocks marketing only, and only while the setting is on", () => {
    const rules = { blockUs: true, optedOut: new Set<string>() };
    expect(marketingBlock(US, "MARKETING", rules)).toBe(US_MARKETING_BLOCKED);
    expect(marketingBlock(US, "UTILITY", rules)).toBeNull();
    expect(marketingBlock(US, "AUTHENTICATION", rules)).toBeNull();
    expect(marketingBlock(US, "MARKETING", { ...rules, blockUs: false })).toBeNull();
  });
});

async function v1Setup(): Promise<Setup> {
  const s = await setup();
  await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
  return s;
}

describe("US numbers through the API", () => {
  it("Broadcasts API: a marketing template to a US number is rejected at create and validate with 131049; Canada and utility go", async () => {
    const s = await setup();
    const uk = mobileNumber(Math.floor(Math.random() * 60_000), "0");
    const created = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [US, CANADA, uk]));
    expect(created).toMatchObject({ recipients: 2, rejected_recipients: 1 });
    expect(created.warnings.recipients).toEqual([
      { identifier: US, errors: [US_MARKETING_BLOCKED] },
    ]);

    const validated = await expectStatus(
      await api(
        "/broadcasts/validate",
        jsonInit("POST", holidayBody(s.sender.phoneNumber, [US]), bearer(s.account.key)),
      ),
      200,
    );
    expect(JSON.stringify(validated)).toContain(US_MARKETING_BLOCKED);

    // Utility: not Meta's block.
    const utility = await createBroadcast(s, helloBody(s.sender.phoneNumber, [US]));
    expect(utility).toMatchObject({ recipients: 1, rejected_recipients: 0 });
  });

  it("the account setting turns it off (when Meta lifts the block)", async () => {
    const s = await setup();
    expect(await call(s.account, "GET", "/v1/settings")).toMatchObject({ blockUsMarketing: true });
    expect(await call(s.account, "PUT", "/v1/settings", { blockUsMarketing: false })).toMatchObject(
      { blockUsMarketing: false },
    );
    const created = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [US]));
    expect(created).toMatchObject({ recipients: 1, rejected_recipients: 0 });
    const bad = await call(s.account, "PUT", "/v1/settings", { blockUsMarketing: "yes" }, 400);
    expect(JSON.stringify(bad)).toContain("blockUsMarketing");
  });

  it("v1: a US contact of a marketing broadcast is rejected with the reason when the audience loads", async () => {
    const s = await v1Setup();
    const uk = mobileNumber(Math.floor(Math.random() * 60_000), "0");
    await call(s.account, "POST", "/v1/contacts/bulk", {
      contacts: [
        { phone: US, firstName: "Sam" },
        { phone: CANADA, firstName: "Cam" },
        { phone: uk, firstName: "Ada" },
      ],
    });
    const created = await call(s.account, "POST", "/v1/broadcasts", {
      name: "Promo",
      type: "client",
      template: { name: "class_booking_flow", language: "en" },
      bodyTextParameters: ["{{contact.firstName}}"],
    });
    let logs: any[] = [];
    await vi.waitUntil(
      async () => {
        logs = await expectStatus(
          await api(`/v1/broadcasts/${created.id}/logs?limit=100`, {
            headers: apiKey(s.account.key),
          }),
          200,
        );
        return logs.length === 3 && logs.filter((l) => l.status === "sent").length === 2;
      },
      { timeout: 20_000, interval: 250 },
    );
    const us = logs.find((l) => `${l.countryCode}${l.phone}` === US);
    expect(us.status).not.toBe("sent");
    expect(us.error).toContain("131049");
  });
});
