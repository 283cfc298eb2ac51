/**
 * Messaging limits per business portfolio (item 7 of issue 18): the sync
 * reads `whatsapp_business_manager_messaging_limit` (sandbox W5), falling
 * back to the deprecated `messaging_limit_tier`; `business_capability_update`
 * (W6) and the new `phone_number_quality_update` give the limit as a tier or
 * as a number, and both are read.
 */
import { describe, expect, it, vi } from "vitest";
import { limitOfFields, limitOfValue } from "../../src/domain/portfolio-limit";
import { configureNumber, deliverWebhooks, type Setup, sandbox, setup } from "../engine";
import { api, apiKey, call, expectStatus, jsonInit } from "../helpers";

const sender = (s: Setup) => call(s.account, "GET", `/v1/senders/${s.sender.id}`);

describe("portfolio limits (pure)", () => {
  it("reads a tier or a number; the new field first, else the deprecated one", () => {
    expect(limitOfValue("TIER_10K")).toBe(10_000);
    expect(limitOfValue(10_000)).toBe(10_000);
    expect(limitOfValue("2000")).toBe(2_000);
    expect(limitOfValue(5_000)).toBe(2_000); // between tiers: the one below
    expect(limitOfValue("TIER_UNLIMITED")).toBeNull();
    expect(limitOfValue(1_000_000)).toBeNull();
    expect(limitOfValue("TIER_NOT_SET")).toBeUndefined();
    expect(limitOfValue(50)).toBeUndefined();
    expect(limitOfFields({ businessManagerLimit: "TIER_2K", messagingLimitTier: "TIER_250" })).toBe(
      2_000,
    );
    expect(limitOfFields({ businessManagerLimit: null, messagingLimitTier: "TIER_250" })).toBe(250);
  });
});

describe("portfolio limits through the sandbox", () => {
  it("W5: the sync reads the portfolio's limit; W6: business_capability_update moves it, as a tier or a number", async () => {
    const s = await setup();
    await configureNumber(s.number.phoneNumberId, { messaging_limit_tier: "TIER_2K" });
    await expectStatus(
      await api(
        "/v1/templates/sync",
        jsonInit("POST", { senderId: s.sender.id }, apiKey(s.account.key)),
      ),
      200,
    );
    expect((await sender(s)).messagingLimit).toBe(2_000);

    for (const [given, limit] of [
      ["TIER_10K", 10_000],
      [100_000, 100_000],
    ] as const) {
      await sandbox(
        `/__sandbox/numbers/${s.number.phoneNumberId}/capability`,
        jsonInit("POST", { max_daily_conversations_per_business: given }),
      );
      await deliverWebhooks(s.number.phoneNumberId);
      await vi.waitUntil(async () => (await sender(s)).messagingLimit === limit, {
        timeout: 10_000,
        interval: 100,
      });
    }
    const bad = await env_fetch(s, { max_daily_conversations_per_business: true });
    expect(bad.status).toBe(400);
  }, 30_000);
});

async function env_fetch(s: Setup, body: unknown) {
  const { env } = await import("cloudflare:workers");
  return env.WHATSAPP_API.fetch(
    `http://sandbox.test/__sandbox/numbers/${s.number.phoneNumberId}/capability`,
    jsonInit("POST", body),
  );
}
