/**
 * The delivery log's pure rules: a shard delivery's id names its month; a
 * page across months; the replay window's cutoff and the months it sweeps.
 */
import { describe, expect, it } from "vitest";
import {
  bodyAgedOut,
  CALLBACK_REPLAY_DAYS,
  deliveryMonth,
  monthsBetween,
  monthsToSweep,
  pageSlices,
  replayCutoff,
  shardDeliveryId,
} from "../../src/domain/delivery-log";

describe("delivery ids", () => {
  it("carry the shard's month; a D1 id, or anything else, names none", () => {
    const id = shardDeliveryId("2026-12");
    expect(id).toMatch(/^2026-12_[0-9a-f-]{36}$/);
    expect(deliveryMonth(id)).toBe("2026-12");
    expect(deliveryMonth(crypto.randomUUID())).toBeNull();
    expect(deliveryMonth("no-delivery-yet")).toBeNull();
    expect(deliveryMonth(`2026-13_${crypto.randomUUID()}`)).toBeNull();
    expect(deliveryMonth(`2026-00_${crypto.randomUUID()}`)).toBeNull();
    expect(deliveryMonth("2026-12_not-a-uuid")).toBeNull();
  });
});

describe("monthsBetween", () => {
  it("lists every month from the first to the last, newest first, across a year's end", () => {
    expect(monthsBetween("2025-11-30T23:59:59.000Z", "2026-02-01T00:00:00.000Z")).toEqual([
      "2026-02",
      "2026-01",
      "2025-12",
      "2025-11",
    ]);
    expect(monthsBetween("2026-12-02T00:00:00.000Z", "2026-12-02T01:00:00.000Z")).toEqual([
      "2026-12",
    ]);
    expect(monthsBetween("2027-01-01T00:00:00.000Z", "2026-12-02T00:00:00.000Z")).toEqual([]);
  });
});

describe("pageSlices", () => {
  const counts = [
    { month: "2026-12", total: 3 },
    { month: "2026-11", total: 0 },
    { month: "2026-10", total: 5 },
  ];
  it("reads only the months a page covers, at their own offsets", () => {
    expect(pageSlices(counts, 2, 0)).toEqual([{ month: "2026-12", offset: 0, limit: 2 }]);
    expect(pageSlices(counts, 4, 2)).toEqual([
      { month: "2026-12", offset: 2, limit: 1 },
      { month: "2026-10", offset: 0, limit: 3 },
    ]);
    expect(pageSlices(counts, 10, 4)).toEqual([{ month: "2026-10", offset: 1, limit: 4 }]);
    expect(pageSlices(counts, 10, 8)).toEqual([]);
  });
});

describe("the replay window", () => {
  it("cuts off CALLBACK_REPLAY_DAYS before now", () => {
    expect(CALLBACK_REPLAY_DAYS).toBe(3);
    expect(replayCutoff(new Date("2026-12-10T09:30:00.000Z"))).toBe("2026-12-07T09:30:00.000Z");
  });

  it("sweeps the cutoff's month and the one before, across a year's end", () => {
    expect(monthsToSweep(new Date("2026-12-20T00:00:00.000Z"))).toEqual(["2026-12", "2026-11"]);
    // Early in a month the cutoff is still in the last one: this month has nothing past the window.
    expect(monthsToSweep(new Date("2026-12-02T08:00:00.000Z"))).toEqual(["2026-11", "2026-10"]);
    expect(monthsToSweep(new Date("2027-01-02T08:00:00.000Z"))).toEqual(["2026-12", "2026-11"]);
    expect(monthsToSweep(new Date("2027-01-04T08:00:00.000Z"))).toEqual(["2027-01", "2026-12"]);
  });

  it("knows an aged-out body from a kept one", () => {
    expect(bodyAgedOut({ body: "" })).toBe(true);
    expect(bodyAgedOut({ body: '{"events":[]}' })).toBe(false);
  });
});
