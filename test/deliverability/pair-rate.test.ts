/**
 * Pair-rate spacing: one person never gets two messages from the same number
 * less than 6 s apart, even from two broadcasts sending at once; only that
 * person waits, everyone else goes at the number's pace.
 */
import { describe, expect, it } from "vitest";
import { mobileNumber } from "../domain/phones";
import { createBroadcast, helloBody, sandboxMessages, setup, waitForStatus } from "../engine";

describe("pair-rate spacing", () => {
  it("spaces two concurrent broadcasts to the same people at least 6 s apart per person", async () => {
    const s = await setup({ throughputMps: 1000 });
    const base = Math.floor(Math.random() * 60_000);
    const shared = Array.from({ length: 10 }, (_, i) => mobileNumber((base + i) % 61_000, "0"));
    const onlyB = Array.from({ length: 10 }, (_, i) =>
      mobileNumber((base + 100 + i) % 61_000, "0"),
    );
    const [a, b] = await Promise.all([
      createBroadcast(s, helloBody(s.sender.phoneNumber, shared)),
      createBroadcast(s, helloBody(s.sender.phoneNumber, [...shared, ...onlyB])),
    ]);
    await waitForStatus(s, a.uuid, "completed");
    await waitForStatus(s, b.uuid, "completed");

    const sent = await sandboxMessages(s.number.phoneNumberId);
    const times = new Map<string, number[]>();
    for (const m of sent) {
      const to = String(m.to).replace("+", "");
      times.set(to, [...(times.get(to) ?? []), Date.parse(m.accepted_at)]);
    }
    for (const person of shared) {
      const [first, second] = (times.get(person) ?? []).sort((x, y) => x - y);
      expect(second, person).toBeDefined();
      expect((second ?? 0) - (first ?? 0), person).toBeGreaterThanOrEqual(6_000);
    }
    // The people only B has were not held back behind the shared ones' spacing.
    const firstShared = Math.min(...shared.map((p) => Math.min(...(times.get(p) ?? [Infinity]))));
    const lastOnlyB = Math.max(...onlyB.map((p) => Math.max(...(times.get(p) ?? [0]))));
    expect(lastOnlyB - firstShared).toBeLessThan(6_000);
  }, 40_000);
});
