/**
 * Invariants 1 and 2 under injected faults: the sandbox fails 10% of sends
 * with 500, 5% with timeouts and 5% with 130429, and duplicates (30%) and
 * shuffles its webhooks. The broadcast still ends with every recipient in a
 * final state, each accepted message accepted once, the status each one
 * ends in matching what the sandbox did with it, and counters equal to rows.
 * (`npm run test:reliability` runs the same mix at 5,000 over real HTTP.)
 */
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  expectCountersMatchRows,
  helloBody,
  sandboxMessages,
  sandboxStats,
  setup,
  waitForStatus,
} from "../engine";
import { api, bearer, expectStatus } from "../helpers";

const RECIPIENTS = 500;

describe("dispatch under injected faults", () => {
  it("ends every recipient once and correctly despite 500s, timeouts, throttling and messy webhooks", async () => {
    const s = await setup({
      throughputMps: 1000,
      sandbox: {
        faults: { error_500_rate: 0.1, timeout_rate: 0.05, throttle_rate: 0.05 },
        // Longer than Chorus's send timeout in the tests (1.5 s): Chorus gives up first.
        timeout_ms: 3_000,
        shuffle_webhooks: true,
        duplicate_webhook_rate: 0.3,
      },
    });
    const base = Math.floor(Math.random() * 50_000);
    // Ending in 0: none of the sandbox's scripted behaviours (1111 fails, 4444 is never read…).
    const people = Array.from({ length: RECIPIENTS }, (_, i) => mobileNumber(base + i, "0"));
    const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, people));
    await waitForStatus(s, created.uuid, "completed", 90_000);

    // Deliver the (duplicated, shuffled) webhooks until every accepted message has read.
    await vi.waitUntil(
      async () => {
        await deliverWebhooks(s.number.phoneNumberId);
        const d = await details(s, created.uuid);
        return d.read + d.failed === RECIPIENTS;
      },
      { timeout: 30_000, interval: 300 },
    );

    const stats = await sandboxStats(s.number.phoneNumberId);
    expect(stats.duplicates).toBe(0);
    expect(stats.rejected_other + stats.rejected_throughput).toBeGreaterThan(0); // faults happened
    const accepted = new Set(
      (await sandboxMessages(s.number.phoneNumberId)).map((m: any) => m.wa_id as string),
    );
    const page = await expectStatus(
      await api(`/broadcasts/${created.uuid}/recipients?limit=1000`, {
        headers: bearer(s.account.key),
      }),
      200,
    );
    expect(page.recipients).toHaveLength(RECIPIENTS);
    for (const r of page.recipients) {
      // What the sandbox accepted ended read; what it never accepted failed, with Meta's code.
      if (accepted.has(r.identifier)) expect(r.status, r.identifier).toBe("read");
      else expect(r.status, r.identifier).toBe("failed");
    }
    expect(accepted.size).toBe(stats.accepted);
    await expectCountersMatchRows(s.account.accountId, created.uuid);
  }, 150_000);
});
