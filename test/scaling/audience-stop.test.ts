/**
 * Invariant 9 while an audience moves between stores: on "dual" the
 * audience refuses writes (503 AUDIENCE_MOVING), so a STOP reply cannot opt
 * the contact out yet, but the suppression it writes first in D1's control
 * plane stops every later broadcast at once; the event is retried for the
 * contact.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import { createBroadcast, deliverWebhooks, helloBody, setup, waitForStatus } from "../engine";
import { putOnPlane } from "./projection";

describe("a STOP while the audience moves", () => {
  it("suppresses the number at once although the audience refuses the contact's opt-out", async () => {
    const s = await setup();
    await putOnPlane(s.account.accountId, "dual");
    const stopper = mobileNumber(410, "5555");
    const first = await createBroadcast(s, helloBody(s.sender.phoneNumber, [stopper]));
    await waitForStatus(s, first.uuid, "completed");
    await vi.waitUntil(
      async () => {
        await deliverWebhooks(s.number.phoneNumberId);
        return (
          (await env.DB.prepare("SELECT 1 FROM suppressions WHERE account_id = ? AND phone = ?")
            .bind(s.account.accountId, stopper)
            .first()) !== null
        );
      },
      { timeout: 20_000, interval: 250 },
    );
    const later = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [stopper, mobileNumber(411)]),
    );
    expect(later.warnings.recipients).toEqual([
      { identifier: stopper, errors: ["Recipient has opted out"] },
    ]);
  });
});
