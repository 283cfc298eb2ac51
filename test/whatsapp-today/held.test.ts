/**
 * Pacing (item 5 of issue 18, in part): Meta's send answer
 * `held_for_quality_assessment` is neither sent nor failed. The recipient
 * shows `held` (and the broadcast's `held` count) until Meta's next status
 * releases it (W7) or drops it with 132015 after pausing the template (W8).
 */
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  holidayBody,
  type Setup,
  setup,
} from "../engine";
import { api, bearer, expectStatus } from "../helpers";

async function byIdentifier(s: Setup, uuid: string): Promise<Record<string, any>> {
  const page = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100`, { headers: bearer(s.account.key) }),
    200,
  );
  return Object.fromEntries(page.recipients.map((r: any) => [r.identifier, r]));
}

describe("held for quality assessment", () => {
  it("W7/W8: held until the next status; released to read, or failed 132015 when Meta drops it", async () => {
    const s = await setup();
    const released = mobileNumber(Math.floor(Math.random() * 60_000), "7070");
    const dropped = mobileNumber(Math.floor(Math.random() * 60_000), "7071");
    const created = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, [released, dropped]),
    );
    await vi.waitUntil(async () => (await details(s, created.uuid)).submitted === 2, {
      timeout: 10_000,
      interval: 100,
    });
    const held = await byIdentifier(s, created.uuid);
    expect(held[released].status).toBe("held");
    expect(held[dropped].status).toBe("held");
    expect((await details(s, created.uuid)).held).toBe(2);

    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(
      async () => {
        const now = await byIdentifier(s, created.uuid);
        return now[released]?.status === "read" && now[dropped]?.status === "failed";
      },
      { timeout: 10_000, interval: 100 },
    );
    const after = await byIdentifier(s, created.uuid);
    expect(after[dropped]).toMatchObject({ error_code: 132015, error: "Template is Paused" });
    expect((await details(s, created.uuid)).held).toBe(0);
  }, 30_000);
});
