/**
 * Meta's quality signals, as signed webhooks: a paused template pauses the
 * broadcasts using it; a throughput upgrade raises the number's pace; a flag
 * or a downgrade lowers it and leaves a warning; the messaging limit follows.
 */
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  configureNumber,
  createBroadcast,
  deliverWebhooks,
  details,
  future,
  helloBody,
  holidayBody,
  postSigned,
  type Setup,
  sandbox,
  sandboxStats,
  setup,
  waitForStatus,
} from "../engine";
import { call, jsonInit } from "../helpers";

const people = (n: number) => {
  const base = Math.floor(Math.random() * 50_000);
  return Array.from({ length: n }, (_, i) => mobileNumber(base + i, "0"));
};

function wabaEvent(s: Setup, field: string, value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      { id: s.sender.wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] },
    ],
  };
}

const quality = (s: Setup, event: string, extra: Record<string, unknown> = {}) =>
  wabaEvent(s, "phone_number_quality_update", {
    display_phone_number: s.sender.phoneNumber,
    event,
    ...extra,
  });

async function sender(s: Setup) {
  return call(s.account, "GET", `/v1/senders/${s.sender.id}`);
}

describe("quality signals from Meta", () => {
  it("a paused template pauses every live broadcast using it, with the reason", async () => {
    const s = await setup({ throughputMps: 5 });
    const sending = await createBroadcast(s, holidayBody(s.sender.phoneNumber, people(100)));
    const scheduled = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, people(3), { scheduled_for: future(3_600_000) }),
    );
    const other = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, people(3), { scheduled_for: future(3_600_000) }),
    );
    await vi.waitUntil(async () => (await details(s, sending.uuid)).submitted > 0, {
      timeout: 10_000,
      interval: 250,
    });

    await postSigned(
      wabaEvent(s, "message_template_status_update", {
        event: "PAUSED",
        message_template_id: 1234,
        message_template_name: "holiday_sale_template",
        message_template_language: "en",
        reason: "LOW_QUALITY",
      }),
    );
    for (const uuid of [sending.uuid, scheduled.uuid]) {
      const paused = await waitForStatus(s, uuid, "paused", 10_000);
      expect(paused.pause_reason).toBe(
        "Template holiday_sale_template (en) paused by Meta: LOW_QUALITY",
      );
    }
    expect((await details(s, other.uuid)).status).toBe("scheduled");
    const templates = await call(s.account, "GET", "/v1/templates?limit=100");
    expect(templates.find((t: any) => t.name === "holiday_sale_template").status).toBe("PAUSED");
  }, 40_000);

  it("a throughput upgrade raises the pace of a broadcast already sending on the number", async () => {
    const s = await setup({ throughputMps: 5, sandbox: { mps: 1000 } });
    // The sync reads Meta's level (HIGH at 1,000/s): set the registered 5/s after it.
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { throughputMps: 5 }, 200);
    const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, people(120)));
    await vi.waitUntil(async () => (await details(s, created.uuid)).submitted > 0, {
      timeout: 10_000,
      interval: 250,
    });
    await postSigned(quality(s, "THROUGHPUT_UPGRADE", { current_limit: "TIER_UNLIMITED" }));
    await vi.waitUntil(async () => (await sender(s)).throughputMps === 1000, {
      timeout: 10_000,
      interval: 250,
    });
    await waitForStatus(s, created.uuid, "completed", 30_000);
    // At the registered 5/s, 120 sends take 24 s and no second holds more than 5.
    expect((await sandboxStats(s.number.phoneNumberId)).max_per_second).toBeGreaterThan(5);
  }, 40_000);

  it("a flag lowers the pace to the standard rate with a warning; unflagged clears it", async () => {
    const s = await setup({ throughputMps: 1000 });
    await postSigned(quality(s, "FLAGGED", { current_limit: "TIER_10K" }));
    await vi.waitUntil(async () => (await sender(s)).qualityWarning !== null, {
      timeout: 10_000,
      interval: 250,
    });
    const flagged = await sender(s);
    expect(flagged.throughputMps).toBe(80);
    expect(flagged.qualityWarning).toMatchObject({ event: "FLAGGED" });
    expect(flagged.qualityWarning.message).toContain("slowed to the standard rate");
    await postSigned(quality(s, "UNFLAGGED", { current_limit: "TIER_10K" }));
    await vi.waitUntil(async () => (await sender(s)).qualityWarning === null, {
      timeout: 10_000,
      interval: 250,
    });
  });

  it("a downgrade sets the portfolio's messaging limit on every sender of the WABA", async () => {
    const s = await setup();
    await postSigned(
      quality(s, "DOWNGRADE", {
        old_limit: "TIER_10K",
        current_limit: "TIER_2K",
        max_daily_conversations_per_business: "TIER_2K",
      }),
    );
    await vi.waitUntil(async () => (await sender(s)).messagingLimit === 2000, {
      timeout: 10_000,
      interval: 250,
    });
    expect((await sender(s)).qualityWarning).toMatchObject({ event: "DOWNGRADE" });
    await postSigned(
      quality(s, "UPGRADE", {
        old_limit: "TIER_2K",
        max_daily_conversations_per_business: "TIER_UNLIMITED",
      }),
    );
    await vi.waitUntil(async () => (await sender(s)).messagingLimit === null, {
      timeout: 10_000,
      interval: 250,
    });
  });
});

describe("signals end to end through the sandbox", () => {
  it("131048 on a send pauses every live broadcast of that sender", async () => {
    const s = await setup({ throughputMps: 50 });
    const scheduled = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, people(3), { scheduled_for: future(3_600_000) }),
    );
    await configureNumber(s.number.phoneNumberId, { failure_mode: "spam_limited" });
    const sending = await createBroadcast(s, helloBody(s.sender.phoneNumber, people(20)));
    const paused = await waitForStatus(s, sending.uuid, "paused", 15_000);
    expect(paused.pause_reason).toMatch(/^131048: /);
    expect(paused.submitted).toBe(0);
    const other = await waitForStatus(s, scheduled.uuid, "paused", 15_000);
    expect(other.pause_reason).toContain(`every broadcast of ${s.sender.phoneNumber} is paused`);
  }, 40_000);

  it("131056 from Meta reschedules only that recipient, who goes out later", async () => {
    const s = await setup({ throughputMps: 1000 });
    // Meta's window here is longer than Chorus's own spacing, so Meta refuses once.
    await configureNumber(s.number.phoneNumberId, { pair_rate_limit_ms: 8_000 });
    const [again, ...others] = people(6);
    const first = await createBroadcast(s, helloBody(s.sender.phoneNumber, [again as string]));
    await waitForStatus(s, first.uuid, "completed");
    const second = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [again as string, ...others]),
    );
    await vi.waitUntil(async () => (await details(s, second.uuid)).submitted === 5, {
      timeout: 10_000,
      interval: 250,
    });
    const done = await waitForStatus(s, second.uuid, "completed", 30_000);
    expect(done).toMatchObject({ submitted: 6, failed: 0 });
    expect((await sandboxStats(s.number.phoneNumberId)).pair_rate_limited).toBeGreaterThanOrEqual(
      1,
    );
  }, 40_000);

  it("the sandbox's template-paused webhook pauses the broadcast; its quality event raises the pace", async () => {
    const s = await setup({ throughputMps: 50 });
    const created = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, people(3), { scheduled_for: future(3_600_000) }),
    );
    await sandbox(
      "/__sandbox/templates/status",
      jsonInit("POST", {
        phone_number_id: s.number.phoneNumberId,
        name: "holiday_sale_template",
        language: "en",
        event: "PAUSED",
        reason: "LOW_QUALITY",
      }),
    );
    await sandbox(
      `/__sandbox/numbers/${s.number.phoneNumberId}/quality`,
      jsonInit("POST", { event: "THROUGHPUT_UPGRADE" }),
    );
    expect(await deliverWebhooks(s.number.phoneNumberId)).toBe(2);
    const paused = await waitForStatus(s, created.uuid, "paused", 10_000);
    expect(paused.pause_reason).toContain("paused by Meta: LOW_QUALITY");
    await vi.waitUntil(async () => (await sender(s)).throughputMps === 1000, {
      timeout: 10_000,
      interval: 250,
    });
  });

  it("a template sync reads the portfolio's messaging limit from the number's fields", async () => {
    const s = await setup({ sandbox: { messaging_limit_tier: "TIER_10K" } });
    expect((await sender(s)).messagingLimit).toBe(10_000);
  });
});
