/**
 * The account's frequency cap (issue 18 item 9): at most `messages`
 * marketing templates per person in any `days` days, across every broadcast
 * of the account on both surfaces. What counts is a marketing template Meta
 * accepted (a wamid given) for that person; a send Meta refused, or one that
 * ended failed, never reached them and does not count. A person at the cap is
 * skipped with the reason, or, when the broadcast chose `hold`, waits until
 * the oldest counted send ages out, never past the broadcast's valid_until
 * (as a 131049 waits, domain/marketing-limit.ts). Pure.
 */
import { DAY } from "./meta-errors";

export interface FrequencyCap {
  /** Marketing templates a person may get in the window (at least 1). */
  messages: number;
  /** The moving window, in days. */
  days: number;
}

export const FREQUENCY_CAP_POLICIES = ["skip", "hold"] as const;
export type FrequencyCapPolicy = (typeof FREQUENCY_CAP_POLICIES)[number];

/** Bounds of the setting: a window longer than retention could not be counted. */
export const MAX_CAP_MESSAGES = 1_000;
export const MAX_CAP_DAYS = 90;

/**
 * The `error_code` of a person the cap skipped or holds: Chorus's own, not
 * Meta's (Meta has no frequency cap across broadcasts), so no Meta code.
 */
export const FREQUENCY_CAP_CODE = 0;

export function capWindowMs(cap: FrequencyCap): number {
  return cap.days * DAY;
}

/** The earliest send (epoch ms) still inside the window at `now`. */
export function capWindowStart(cap: FrequencyCap, now: number): number {
  return now - capWindowMs(cap);
}

/** The reason a capped person shows (its `error`): it names the cap. */
export function capReason(cap: FrequencyCap): string {
  const messages =
    cap.messages === 1 ? "1 marketing message" : `${cap.messages} marketing messages`;
  const days = cap.days === 1 ? "1 day" : `${cap.days} days`;
  return `Frequency cap: this person already got ${messages} from this account in the last ${days} (at most ${cap.messages} per ${days})`;
}

export type CapVerdict =
  | { kind: "allowed" }
  | { kind: "skip"; reason: string }
  /** Back to pending until `until` (epoch ms), when one counted send has aged out. */
  | { kind: "hold"; until: number; reason: string };

/**
 * The verdict for one person: `sentAt` are the accepted marketing sends to
 * them (epoch ms; those outside the window are ignored).
 */
export function capVerdict(input: {
  cap: FrequencyCap;
  sentAt: readonly number[];
  policy: FrequencyCapPolicy | undefined;
  validUntil: string | null;
  now: number;
}): CapVerdict {
  const { cap, now } = input;
  const start = capWindowStart(cap, now);
  const inWindow = input.sentAt.filter((t) => t >= start).sort((a, b) => a - b);
  if (inWindow.length < cap.messages) return { kind: "allowed" };
  const reason = capReason(cap);
  if ((input.policy ?? "skip") !== "hold") return { kind: "skip", reason };
  // Below the cap again once enough of the oldest sends have left the window.
  const mustAge = inWindow.length - cap.messages + 1;
  const until = (inWindow[mustAge - 1] as number) + capWindowMs(cap) + 1;
  if (input.validUntil !== null && until >= Date.parse(input.validUntil)) {
    return { kind: "skip", reason: `${reason}; allowed again only after valid_until` };
  }
  return { kind: "hold", until, reason: `${reason}: held until allowed` };
}

/** The verdicts of several people; only those not allowed are in the map. */
export function capVerdicts(input: {
  cap: FrequencyCap;
  sends: ReadonlyMap<string, readonly number[]>;
  people: readonly string[];
  policy: FrequencyCapPolicy | undefined;
  validUntil: string | null;
  now: number;
}): Map<string, Exclude<CapVerdict, { kind: "allowed" }>> {
  const out = new Map<string, Exclude<CapVerdict, { kind: "allowed" }>>();
  for (const person of input.people) {
    const sentAt = input.sends.get(person);
    if (!sentAt || sentAt.length === 0) continue;
    const v = capVerdict({ ...input, sentAt });
    if (v.kind !== "allowed") out.set(person, v);
  }
  return out;
}

/** A stored setting (JSON text) as a cap; null when off or unreadable. */
export function parseFrequencyCap(stored: string | null | undefined): FrequencyCap | null {
  if (!stored) return null;
  try {
    const v = JSON.parse(stored) as { messages?: unknown; days?: unknown };
    const { messages, days } = v;
    if (typeof messages !== "number" || typeof days !== "number") return null;
    if (!Number.isInteger(messages) || !Number.isInteger(days) || messages < 1 || days < 1)
      return null;
    return { messages, days };
  } catch {
    return null;
  }
}
