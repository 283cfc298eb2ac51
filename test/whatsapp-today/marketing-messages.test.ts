/**
 * The Marketing Messages API (item 1 of issue 18) end to end through the
 * sandbox (W11–W13, W7): a sender with marketingApi "marketing_messages" sends
 * its marketing templates to `/marketing_messages` (with product_policy and
 * message_activity_sharing) and its utility templates to `/messages`; a
 * refusal as not marketing (134100) is sent once through `/messages`; a
 * template still syncing (134101) waits 10 minutes, never past valid_until.
 * Recategorisation, 131063 and the v1 surface: marketing-messages-sender.test.ts.
 */
import { describe, expect, it, vi } from "vitest";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  helloBody,
  holidayBody,
  sandbox,
  sandboxMessages,
  sandboxStats,
  setup,
} from "../engine";
import { call, jsonInit } from "../helpers";
import { marketingSetup, person, recipients, untilSubmitted } from "./marketing-messages-helpers";

describe("Marketing Messages API", () => {
  it("a sender's settings default to the Cloud API and are validated by name", async () => {
    const s = await setup();
    expect(await call(s.account, "GET", `/v1/senders/${s.sender.id}`)).toMatchObject({
      marketingApi: "cloud_api",
      productPolicy: "CLOUD_API_FALLBACK",
      messageActivitySharing: false,
    });
    const bad = await call(
      s.account,
      "PUT",
      `/v1/senders/${s.sender.id}`,
      { marketingApi: "whatsapp_ads" },
      400,
    );
    expect(JSON.stringify(bad)).toContain("marketingApi");
  }, 20_000);

  it("W11: marketing goes to /marketing_messages with the sender's options, utility to /messages; priced marketing_lite", async () => {
    const s = await marketingSetup({ productPolicy: "STRICT", messageActivitySharing: true });
    const promo = person();
    const receipt = person();
    const marketing = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [promo]));
    const utility = await createBroadcast(s, helloBody(s.sender.phoneNumber, [receipt]));
    await untilSubmitted(s, marketing.uuid, 1);
    await untilSubmitted(s, utility.uuid, 1);

    expect((await recipients(s, marketing.uuid))[promo]).toMatchObject({
      status: "submitted",
      endpoint: "marketing_messages",
    });
    expect((await recipients(s, utility.uuid))[receipt]).toMatchObject({ endpoint: "messages" });
    const sent = await sandboxMessages(s.number.phoneNumberId);
    const byTo = Object.fromEntries(sent.map((m: any) => [m.wa_id, m]));
    expect(byTo[promo]).toMatchObject({
      template: "holiday_sale_template",
      endpoint: "marketing_messages",
      product_policy: "STRICT",
      message_activity_sharing: true,
    });
    expect(byTo[receipt]).toMatchObject({ template: "hello_world", endpoint: "messages" });
    expect(sent).toHaveLength(2);

    // Meta prices it marketing_lite; the built-in card knows no figure: unpriced, not guessed.
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(
      async () => (await recipients(s, marketing.uuid))[promo]?.status === "read",
      {
        timeout: 10_000,
        interval: 150,
      },
    );
    const cost = (await details(s, marketing.uuid)).cost;
    expect(cost.by_market).toEqual(
      expect.arrayContaining([expect.objectContaining({ category: "marketing_lite", rate: null })]),
    );
    expect(cost.unpriced_messages).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("W11: refused as not marketing (134100), the message is sent once through /messages", async () => {
    const s = await marketingSetup();
    // Meta recategorised the template without Chorus hearing of it: Chorus still thinks MARKETING.
    const { data } = await sandbox(`/__sandbox/templates?waba_id=${s.sender.wabaId}`);
    const holiday = data.find(
      (t: any) => t.name === "holiday_sale_template" && t.language === "en",
    );
    await sandbox(
      "/__sandbox/templates",
      jsonInit("POST", { waba_id: s.sender.wabaId, template: { ...holiday, category: "UTILITY" } }),
    );
    const who = person();
    const created = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [who]));
    await untilSubmitted(s, created.uuid, 1);
    expect((await recipients(s, created.uuid))[who]).toMatchObject({
      status: "submitted",
      endpoint: "messages",
    });
    const sent = (await sandboxMessages(s.number.phoneNumberId)).filter((m) => m.wa_id === who);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ endpoint: "messages", attempts: 1 });
    // The refusal came from /marketing_messages: it was tried there first.
    expect((await sandboxStats(s.number.phoneNumberId)).rejected_other).toBe(1);
  }, 30_000);

  it("W12: a template still syncing (134101) puts the recipient back 10 minutes, visibly", async () => {
    const s = await marketingSetup();
    const syncing = person("3411");
    const plain = person();
    const created = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [syncing, plain]));
    await untilSubmitted(s, created.uuid, 1);
    let waiting: any;
    await vi.waitUntil(
      async () => {
        waiting = (await recipients(s, created.uuid))[syncing];
        return waiting?.next_send_at !== undefined;
      },
      { timeout: 10_000, interval: 150 },
    );
    expect(waiting).toMatchObject({ status: "pending", error_code: 134101 });
    const wait = Date.parse(waiting.next_send_at) - Date.now();
    expect(wait).toBeGreaterThan(8 * 60_000);
    expect(wait).toBeLessThanOrEqual(10 * 60_000);
    expect((await details(s, created.uuid)).status).toBe("sending");
    const sent = (await sandboxMessages(s.number.phoneNumberId)).map((m) => m.wa_id);
    expect(sent).toEqual([plain]);
  }, 30_000);

  it("W12: a wait that would end past valid_until fails the recipient now, with the reason", async () => {
    const s = await marketingSetup();
    const syncing = person("3411");
    const created = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, [syncing], {
        valid_until: new Date(Date.now() + 5 * 60_000).toISOString(),
      }),
    );
    let row: any;
    await vi.waitUntil(
      async () => {
        row = (await recipients(s, created.uuid))[syncing];
        return row?.status === "failed";
      },
      { timeout: 10_000, interval: 150 },
    );
    expect(row).toMatchObject({ error_code: 134101 });
  }, 30_000);

  it("W13/W7: `paused` and `held_for_quality_assessment` answers show the recipient held", async () => {
    const s = await marketingSetup();
    const paused = person("7074");
    const held = person("7072");
    const created = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [paused, held]));
    await untilSubmitted(s, created.uuid, 2);
    const rows = await recipients(s, created.uuid);
    expect(rows[paused]).toMatchObject({ status: "held", endpoint: "marketing_messages" });
    expect(rows[held]).toMatchObject({ status: "held", endpoint: "marketing_messages" });
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await recipients(s, created.uuid))[paused]?.status === "read", {
      timeout: 10_000,
      interval: 150,
    });
  }, 30_000);
});
