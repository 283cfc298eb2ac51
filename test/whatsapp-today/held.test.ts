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
import { api, apiKey, bearer, call, expectStatus } from "../helpers";

async function byIdentifier(s: Setup, uuid: string): Promise<Record<string, any>> {
  const page = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100`, { headers: bearer(s.account.key) }),
    200,
  );
  return Object.fromEntries(page.recipients.map((r: any) => [r.identifier, r]));
}

async function filtered(s: Setup, uuid: string, status: string): Promise<any[]> {
  const page = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100&status=${status}`, {
      headers: bearer(s.account.key),
    }),
    200,
  );
  return page.recipients;
}

describe("held for quality assessment", () => {
  it("W7/W8: held until the next status; released to read, or failed 132015 when Meta drops it", async () => {
    const s = await setup();
    const released = mobileNumber(Math.floor(Math.random() * 60_000), "7072");
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
    // The status filter: `held` selects them, `submitted` (the others) does not.
    expect((await filtered(s, created.uuid, "held")).map((r) => r.identifier).sort()).toEqual(
      [released, dropped].sort(),
    );
    expect(await filtered(s, created.uuid, "submitted")).toEqual([]);

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
    expect(await filtered(s, created.uuid, "held")).toEqual([]);
  }, 30_000);

  it("v1: the funnel counts held messages (deliveryStats.heldCount) until Meta releases them", async () => {
    const s = await setup();
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
    const held = mobileNumber(Math.floor(Math.random() * 60_000), "7072");
    const plain = mobileNumber(Math.floor(Math.random() * 60_000), "0");
    await call(s.account, "POST", "/v1/contacts/bulk", {
      contacts: [
        { phone: held, firstName: "Hal" },
        { phone: plain, firstName: "Pia" },
      ],
    });
    const promo = await call(s.account, "POST", "/v1/broadcasts", {
      name: "Promo",
      type: "client",
      template: { name: "class_booking_flow", language: "en" },
      bodyTextParameters: ["{{contact.firstName}}"],
    });
    const v1 = async () =>
      expectStatus(
        await api(`/v1/broadcasts/${promo.id}`, { headers: apiKey(s.account.key) }),
        200,
      );
    await vi.waitUntil(async () => (await v1()).processedStats.successCount === 2, {
      timeout: 10_000,
      interval: 200,
    });
    expect((await v1()).deliveryStats).toMatchObject({ heldCount: 1, sentCount: 0 });

    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await v1()).deliveryStats.readCount === 2, {
      timeout: 10_000,
      interval: 200,
    });
    expect((await v1()).deliveryStats.heldCount).toBe(0);
  }, 30_000);
});
