/**
 * The departure gate (src/queues/departures.ts) on a clock the test drives:
 * what the receiver's one-second window sees is when sends actually leave,
 * so a timer that fires late must not bring the sends after it closer.
 */
import { describe, expect, it } from "vitest";
import { slotIntervalMs } from "../../src/domain/pacing";
import { type Clock, depart } from "../../src/queues/departures";

/** A clock whose sleeps end when the test says, `late` ms after the asked time for the chosen wakes. */
function testClock(lateness: (at: number) => number): Clock & { t: number } {
  const clock = {
    t: 0,
    now: () => clock.t,
    sleepUntil: async (at: number) => {
      clock.t = Math.max(clock.t, at + lateness(at));
    },
  };
  return clock;
}

/** The most departures in any window of one second (what the receiver counts), closed at both ends. */
function mostInOneSecond(times: number[]): number {
  let most = 0;
  for (const start of times) {
    most = Math.max(most, times.filter((t) => t >= start && t <= start + 1000).length);
  }
  return most;
}

describe("departure gate", () => {
  it("one late timer does not bring the next sends closer: any second holds at most the cap", async () => {
    const number = `gate-${Math.random()}`;
    const mps = 2;
    const interval = slotIntervalMs(mps);
    // Slots on the number's grid; the second one's timer fires 60 ms late.
    const slots = [0, 1, 2, 3, 4, 5].map((k) => 10_000 + k * interval);
    const late = slots[1] as number;
    const clock = testClock((at) => (at === late ? 60 : 0));
    const left: number[] = [];
    for (const slot of slots) {
      clock.t = Math.max(clock.t, slot);
      const at = await depart(
        number,
        slot,
        { intervalMs: interval, cap: mps, latest: slot + 1_000 },
        clock,
      );
      if (at === null) throw new Error(`slot ${slot} given up`);
      left.push(at);
    }
    expect(mostInOneSecond(left), JSON.stringify(left)).toBeLessThanOrEqual(mps);
    // …and the lateness does not pile up: the last send leaves on its slot.
    expect(left.at(-1)).toBe(slots.at(-1));
  });

  it("after a stall, the late sends leave paced, not in a burst", async () => {
    const number = `gate-${Math.random()}`;
    const interval = 10;
    const clock = testClock(() => 0);
    clock.t = 5_000;
    // Five slots 10 ms apart whose timers all fired at once, 40 ms late.
    const left: number[] = [];
    await Promise.all(
      [0, 10, 20, 30, 40].map(async (offset) => {
        const at = await depart(
          number,
          4_960 + offset,
          { intervalMs: interval, cap: 100, latest: 10_000 },
          clock,
        );
        left.push(at as number);
      }),
    );
    left.sort((a, b) => a - b);
    for (let i = 1; i < left.length; i++)
      expect((left[i] as number) - (left[i - 1] as number)).toBeGreaterThanOrEqual(interval / 2);
  });

  it("gives a slot up rather than leave after its latest time", async () => {
    const number = `gate-${Math.random()}`;
    const clock = testClock(() => 0);
    clock.t = 20_000;
    const at = await depart(number, 18_000, { intervalMs: 500, cap: 2, latest: 19_000 }, clock);
    expect(at).toBeNull();
  });
});
