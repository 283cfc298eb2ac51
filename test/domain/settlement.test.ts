/**
 * The outcome → transition table (src/domain/settlement.ts) and the breaker.
 */
import { describe, expect, it } from "vitest";
import {
  BREAKER_WINDOW,
  breakerTrips,
  MAX_RESCHEDULES,
  type SettlingRow,
  settle,
} from "../../src/domain/settlement";

const now = "2026-12-01T00:00:00.000Z";
const claimed: SettlingRow = { status: "sending", attempts: 0, wamid: null, claimedAt: 100 };
const ctx = { stopped: false, claim: 100, now };

describe("settlement", () => {
  it("accepts a claimed row once; a repeat of the same answer is no second verdict", () => {
    const first = settle(claimed, { seq: 1, outcome: "accepted", wamid: "w1" }, ctx);
    expect(first).toMatchObject({ to: "submitted", verdict: "ok", counted: true });
    const repeat = settle(
      { status: "submitted", attempts: 1, wamid: "w1", claimedAt: null },
      { seq: 1, outcome: "accepted", wamid: "w1" },
      ctx,
    );
    expect(repeat).toBeNull();
  });

  it("applies Meta's verdicts whoever holds the row, but a give-back only under its own claim", () => {
    const reclaimed = { ...claimed, claimedAt: 200 };
    expect(settle(reclaimed, { seq: 1, outcome: "released" }, ctx)).toBeNull();
    expect(
      settle(reclaimed, { seq: 1, outcome: "reschedule", notBefore: 0, code: 0, title: "x" }, ctx),
    ).toBeNull();
    expect(settle(reclaimed, { seq: 1, outcome: "accepted", wamid: "w" }, ctx)?.to).toBe(
      "submitted",
    );
    expect(
      settle(reclaimed, { seq: 1, outcome: "failed", code: 131026, title: "t", details: "" }, ctx)
        ?.to,
    ).toBe("failed");
  });

  it("keeps an answer without a message id claimed: the webhook or the lease decides", () => {
    const s = settle(claimed, { seq: 1, outcome: "unconfirmed" }, ctx);
    expect(s).toMatchObject({ to: "sending", verdict: null, counted: false });
    expect(s?.change.claimedAt).toBeUndefined();
  });

  it("ends a give-back cancelled once the broadcast is cancelled, and gives up after MAX_RESCHEDULES", () => {
    expect(settle(claimed, { seq: 1, outcome: "released" }, { ...ctx, stopped: true })?.to).toBe(
      "cancelled",
    );
    const tired = { ...claimed, attempts: MAX_RESCHEDULES - 1 };
    expect(
      settle(tired, { seq: 1, outcome: "reschedule", notBefore: 0, code: 0, title: "t" }, ctx)?.to,
    ).toBe("failed");
  });

  it("trips the breaker only on a full window with more than half failed", () => {
    expect(breakerTrips(Array(BREAKER_WINDOW - 1).fill(false))).toBeNull();
    const half = [...Array(50).fill(true), ...Array(50).fill(false)];
    expect(breakerTrips(half)).toBeNull();
    expect(breakerTrips([...half.slice(1), false])).toMatch(/51 of the last 100/);
  });
});
