/**
 * The departure gate: within one isolate, sends to one number leave the way
 * the receiver counts them. Slots from the SenderDO are already spaced; the
 * gate keeps them so *as they actually leave*, when a busy event loop fires
 * a timer late or wakes several at once. It counts real departures, not
 * slot times: one timer firing late must not bring the sends after it
 * closer to it (that put a third send into one second at 2 mps).
 */
import { DEPARTURE_TOLERANCE_MS } from "../domain/pacing";

export interface Clock {
  now(): number;
  sleepUntil(at: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleepUntil: (at) => {
    const ms = at - Date.now();
    return ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
  },
};

/**
 * The window the gate counts departures over: one second at the receiver,
 * plus the lateness the pacing tolerates between isolates (domain/pacing.ts).
 */
const GATE_WINDOW_MS = 1000 + DEPARTURE_TOLERANCE_MS;

/** Per number, this isolate's last departures (at most the cap of them), oldest first. */
const recent = new Map<string, number[]>();

/**
 * The earliest a send with this slot may leave, given the departures already
 * made: not before its slot; not sooner than half an interval after the last
 * one (late timers leave paced, never in a burst, yet catch up on the grid
 * instead of pushing every later send back); and never as the cap + 1-th
 * departure within GATE_WINDOW_MS.
 */
export function earliestDeparture(
  departures: readonly number[],
  slot: number,
  intervalMs: number,
  cap: number,
  now: number,
): number {
  const last = departures.at(-1) ?? Number.NEGATIVE_INFINITY;
  const capAgo =
    departures.length >= cap ? (departures.at(-cap) as number) : Number.NEGATIVE_INFINITY;
  return Math.max(slot, now, last + intervalMs / 2, capAgo + GATE_WINDOW_MS);
}

/**
 * Waits until a send with this slot may leave, and records its departure.
 * Answers when it left, or null when it could not leave by `latest` (the
 * slot is then given up, back to pending).
 */
export async function depart(
  phoneNumberId: string,
  slot: number,
  o: { intervalMs: number; cap: number; latest: number },
  clock: Clock = realClock,
): Promise<number | null> {
  const cap = Math.max(1, Math.floor(o.cap));
  for (;;) {
    const now = clock.now();
    const departures = recent.get(phoneNumberId) ?? [];
    const at = earliestDeparture(departures, slot, o.intervalMs, cap, now);
    if (at > o.latest) return null;
    if (at <= now) {
      departures.push(now);
      if (departures.length > cap) departures.splice(0, departures.length - cap);
      recent.set(phoneNumberId, departures);
      return now;
    }
    // Another send may leave meanwhile: look again on waking.
    await clock.sleepUntil(at);
  }
}
