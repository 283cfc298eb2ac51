/**
 * Template quality (item 5 of issue 18): Meta's
 * `message_template_quality_update` (sandbox W9) is kept on the template and
 * shown by /v1/templates; RED pauses the live broadcasts of that template
 * with the reason, unless the account's `pauseOnRedQuality` is off.
 */
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  future,
  holidayBody,
  type Setup,
  sandbox,
  setup,
} from "../engine";
import { call, jsonInit } from "../helpers";

const people = (n: number) => {
  const base = Math.floor(Math.random() * 50_000);
  return Array.from({ length: n }, (_, i) => mobileNumber(base + i, "0"));
};

async function rate(s: Setup, score: string) {
  await sandbox(
    "/__sandbox/templates/quality",
    jsonInit("POST", {
      phone_number_id: s.number.phoneNumberId,
      name: "holiday_sale_template",
      language: "en",
      new_quality_score: score,
    }),
  );
  await deliverWebhooks(s.number.phoneNumberId);
}

const quality = async (s: Setup) =>
  (await call(s.account, "GET", "/v1/templates?limit=100")).find(
    (t: any) => t.name === "holiday_sale_template" && t.language === "en",
  )?.qualityScore;

describe("template quality", () => {
  it("W9: the rating is kept on the template; RED pauses its live broadcasts with the reason", async () => {
    const s = await setup();
    expect(await quality(s)).toBeNull();
    await rate(s, "YELLOW");
    await vi.waitUntil(async () => (await quality(s)) === "YELLOW", { timeout: 10_000 });
    const scheduled = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, people(2), { scheduled_for: future(3_600_000) }),
    );
    await rate(s, "RED");
    await vi.waitUntil(async () => (await details(s, scheduled.uuid)).status === "paused", {
      timeout: 10_000,
      interval: 100,
    });
    expect((await details(s, scheduled.uuid)).pause_reason).toContain("quality rated RED");
    expect(await quality(s)).toBe("RED");
  }, 30_000);

  it("pauseOnRedQuality off: RED is only recorded", async () => {
    const s = await setup();
    await call(s.account, "PUT", "/v1/settings", { pauseOnRedQuality: false });
    const scheduled = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, people(2), { scheduled_for: future(3_600_000) }),
    );
    await rate(s, "RED");
    await vi.waitUntil(async () => (await quality(s)) === "RED", { timeout: 10_000 });
    // The pause would follow the rating in the same event: give it a moment.
    await new Promise((r) => setTimeout(r, 500));
    expect((await details(s, scheduled.uuid)).status).toBe("scheduled");
  }, 30_000);
});
