/**
 * Sending windows: a broadcast reaches each recipient only between `start`
 * and `end` of the recipient's local clock ("09:00"–"20:00"; an end before
 * the start wraps past midnight, "20:00"–"08:00"). Pure: the time zone is an
 * IANA name, the clock comes from Intl.
 */
import { isBusinessUserId, userIdCountry } from "./business-user-id";
import { classifyPhone } from "./phone";
import { mainZone } from "./region-zones";

export interface SendWindow {
  /** "HH:MM", 24-hour local time, inclusive. */
  start: string;
  /** "HH:MM", exclusive. */
  end: string;
}

/** `"recipient"`: each recipient's own zone; otherwise one IANA zone for all. */
export type WindowZone = "recipient" | string;

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTES_PER_DAY = 24 * 60;

export function parseClock(value: string): number | null {
  const m = HH_MM.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Why a window is unusable, or null when it is fine. */
export function windowProblem(window: SendWindow): string | null {
  const start = parseClock(window.start);
  const end = parseClock(window.end);
  if (start === null) return "start must be a 24-hour time, HH:MM";
  if (end === null) return "end must be a 24-hour time, HH:MM";
  if (start === end) return "start and end must differ";
  return null;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Minutes since local midnight in `zone` at `at` (epoch ms). */
export function localMinutes(at: number, zone: string): number {
  let hour = 0;
  let minute = 0;
  for (const part of formatter(zone).formatToParts(at)) {
    if (part.type === "hour") hour = Number(part.value);
    else if (part.type === "minute") minute = Number(part.value);
  }
  return hour * 60 + minute;
}

function inside(minutes: number, start: number, end: number): boolean {
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

export function isOpen(window: SendWindow, at: number, zone: string): boolean {
  const start = parseClock(window.start) ?? 0;
  const end = parseClock(window.end) ?? MINUTES_PER_DAY;
  return inside(localMinutes(at, zone), start, end);
}

/**
 * When the window next opens in `zone` after `at` (epoch ms, at a whole
 * minute); `at` itself when it is open now. Walks forward to the local start
 * time and re-checks, so a daylight-saving jump moves the answer by its hour
 * rather than breaking it.
 */
export function nextOpening(window: SendWindow, at: number, zone: string): number {
  if (isOpen(window, at, zone)) return at;
  const start = parseClock(window.start) ?? 0;
  const wholeMinute = at - (at % 60_000) + 60_000;
  let candidate = wholeMinute;
  for (let step = 0; step < 4; step++) {
    const ahead = (start - localMinutes(candidate, zone) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    candidate += ahead * 60_000;
    if (isOpen(window, candidate, zone)) {
      // A clock that sprang forward meanwhile reached the start earlier in real time.
      for (const back of [3_600_000, 1_800_000]) {
        if (candidate - back > at && isOpen(window, candidate - back, zone))
          return candidate - back;
      }
      return candidate;
    }
    candidate += 60_000;
  }
  return candidate;
}

/** A recipient's zone when only the number is known: the main zone of its region. */
export function zoneOfPhone(digits: string): string {
  // A user id has no number: its prefix's country stands in (unconfirmed that it is the person's).
  if (isBusinessUserId(digits)) return mainZone(userIdCountry(digits));
  return mainZone(classifyPhone(digits.replace(/^\+/, "")).region);
}
