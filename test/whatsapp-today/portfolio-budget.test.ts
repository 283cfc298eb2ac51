/**
 * Messaging limits per business portfolio (item 7 of issue 18): the sync
 * reads the business that owns each sender's WABA (sandbox W19,
 * `GET /{waba-id}?fields=owner_business_info`), and the budget counts the
 * people the whole portfolio reached, across its WABAs: two senders of one
 * portfolio share one budget; a sender of another portfolio does not.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { limitOfValue } from "../../src/domain/portfolio-limit";
import { splitEnvelope } from "../../src/whatsapp/webhooks";
import { mobileNumber } from "../domain/phones";
import { configureNumber, createBroadcast, helloBody, setup, waitForStatus } from "../engine";
import {
  api,
  apiKey,
  bearer,
  call,
  createSender,
  expectStatus,
  jsonInit,
  type TestAccount,
  uniqueDigits,
} from "../helpers";

const people = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => mobileNumber((from + i) % 61_000, "0"));

async function sync(account: TestAccount, senderId: string) {
  await expectStatus(
    await api("/v1/templates/sync", jsonInit("POST", { senderId }, apiKey(account.key))),
    200,
  );
}

const envelope = (field: string, value: Record<string, unknown>) => ({
  object: "whatsapp_business_account",
  entry: [{ id: "200000000000009", time: 1_767_000_000, changes: [{ field, value }] }],
});

describe("portfolio webhooks (pure)", () => {
  it("the new phone_number_quality_update shape (no current_limit) and a numeric business_capability_update both give the limit", () => {
    const [quality] = splitEnvelope(
      envelope("phone_number_quality_update", {
        display_phone_number: "447576209857",
        event: "ONBOARDING",
        max_daily_conversations_per_business: 10_000,
      }),
    );
    expect(quality).toMatchObject({ kind: "quality", event: "ONBOARDING", limit: "10000" });
    expect(limitOfValue((quality as { limit: string }).limit)).toBe(10_000);
    const [capability] = splitEnvelope(
      envelope("business_capability_update", {
        max_daily_conversations_per_business: "TIER_2K",
        max_daily_conversation_per_phone: 1000,
      }),
    );
    expect(capability).toMatchObject({ kind: "capability", limit: "TIER_2K" });
  });
});

describe("portfolio budget through the sandbox", () => {
  it("W19: the WABA node answers its owner portfolio; a wrong token is 190", async () => {
    const s = await setup({ sandbox: { business_id: "987654321012345" } });
    const get = (token: string) =>
      env.WHATSAPP_API.fetch(
        `http://sandbox.test/v24.0/${s.sender.wabaId}?fields=owner_business_info`,
        { headers: { authorization: `Bearer ${token}` } },
      );
    expect(await expectStatus(await get(s.number.accessToken), 200)).toEqual({
      id: s.sender.wabaId,
      owner_business_info: { id: "987654321012345", name: "Chorus Sandbox Business" },
    });
    const bad = await get("nope");
    expect(bad.status).toBe(401);
    expect(JSON.stringify(await bad.json())).toContain("190");
  });

  it("W19: two senders on two WABAs of one portfolio share one messaging limit; another portfolio's sender does not", async () => {
    const portfolio = uniqueDigits(15);
    const s = await setup();
    const other = await createSender(s.account, {
      throughputMps: 1000,
      sandbox: { mps: 1000, business_id: portfolio },
    });
    const elsewhere = await createSender(s.account, {
      throughputMps: 1000,
      sandbox: { mps: 1000 },
    });
    await configureNumber(s.number.phoneNumberId, { business_id: portfolio });
    for (const id of [s.sender.id, other.sender.id, elsewhere.sender.id]) {
      await sync(s.account, id);
      await call(s.account, "PUT", `/v1/senders/${id}`, { messagingLimit: 250 }, 200);
    }
    expect(await call(s.account, "GET", `/v1/senders/${other.sender.id}`)).toMatchObject({
      businessId: portfolio,
    });
    // Without a portfolio of its own given, a WABA is a portfolio by itself.
    const alone = await call(s.account, "GET", `/v1/senders/${elsewhere.sender.id}`);
    expect(alone.businessId).not.toBe(portfolio);

    const base = Math.floor(Math.random() * 50_000);
    const first = await createBroadcast(s, helloBody(s.sender.phoneNumber, people(base, 248)));
    await waitForStatus(s, first.uuid, "completed", 40_000);

    // The other WABA's sender counts what the first one reached: 248 + 5 > 250.
    const refused = await expectStatus(
      await api(
        "/broadcasts",
        jsonInit(
          "POST",
          helloBody(other.sender.phoneNumber, people(base + 1_000, 5), { tier_policy: "refuse" }),
          bearer(s.account.key),
        ),
      ),
      409,
    );
    expect(refused.details).toContain("may reach 250 people in 24 h; it reached 248");

    // Another portfolio's sender starts from nobody reached.
    const fine = await createBroadcast(
      s,
      helloBody(elsewhere.sender.phoneNumber, people(base + 2_000, 5), { tier_policy: "refuse" }),
    );
    expect(fine.warnings?.messaging_limit).toBeUndefined();
  }, 60_000);
});
