/**
 * The send engine's arithmetic (src/domain/pacing.ts): the bound that keeps
 * every one-second window at the receiver within the cap, the lease that
 * every send must leave inside, and Little's-law sizing of what is in flight.
 */
import { describe, expect, it } from "vitest";
import {
  BATCH_SIZE,
  CLAIM_LEASE_MS,
  CONNECTIONS_PER_INVOCATION,
  connectionLimit,
  DEPARTURE_TOLERANCE_MS,
  departBy,
  inFlightTarget,
  maxInAnyWindow,
  slotIntervalMs,
} from "../../src/domain/pacing";

describe("pacing", () => {
  it("keeps any one-second window within the cap for every cap from 1 to 1,000 mps", () => {
    for (let mps = 1; mps <= 1000; mps++) {
      expect(maxInAnyWindow(slotIntervalMs(mps)), `${mps} mps`).toBeLessThanOrEqual(mps);
    }
    // …and the bound is tight: double the tolerance and it breaks somewhere.
    const broken = Array.from({ length: 1000 }, (_, i) => i + 1).filter(
      (mps) => maxInAnyWindow(slotIntervalMs(mps), DEPARTURE_TOLERANCE_MS * 2) > mps,
    );
    expect(broken.length).toBeGreaterThan(0);
  });

  it("sends a wave of exactly one invocation's connections", () => {
    expect(CONNECTIONS_PER_INVOCATION).toBe(6);
    expect(BATCH_SIZE).toBe(CONNECTIONS_PER_INVOCATION);
  });

  it("reads the connection limit: six unless CLOUD_API_CONNECTIONS=0 lifts it", () => {
    expect(connectionLimit(undefined)).toBe(CONNECTIONS_PER_INVOCATION);
    expect(connectionLimit("")).toBe(CONNECTIONS_PER_INVOCATION);
    expect(connectionLimit("six")).toBe(CONNECTIONS_PER_INVOCATION);
    expect(connectionLimit("0")).toBe(0);
    expect(connectionLimit("12")).toBe(12);
  });

  it("lets a send leave only while its whole timeout still fits in the claim's lease", () => {
    const claimedAt = 1_000_000;
    expect(departBy(claimedAt, 10_000) + 10_000).toBeLessThan(claimedAt + CLAIM_LEASE_MS);
  });

  it("sizes what is in flight by rate × cycle, within its bounds", () => {
    expect(inFlightTarget(1000, 300)).toBe(600);
    expect(inFlightTarget(80, 300)).toBe(48);
    expect(inFlightTarget(2, 300)).toBe(BATCH_SIZE * 2);
    expect(inFlightTarget(1000, 60_000)).toBe(10_000);
  });
});
