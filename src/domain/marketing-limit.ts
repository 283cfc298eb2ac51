/**
 * Meta's per-user marketing limit (131049) is not final: the person has had
 * their share of marketing from every business lately, and Meta says a retry
 * sooner than 24 h only fails again (REFERENCE.md, "Per-user limit"). So a
 * 131049 puts the recipient back for a day, at most MARKETING_LIMIT_RETRIES
 * more times and never past the broadcast's valid_until, when the broadcast's
 * `marketing_limit_retry` is `next_day` (the default); `none` fails it at once. Pure.
 */
import { DAY } from "./meta-errors";

export type MarketingLimitRetry = "next_day" | "none";
export const MARKETING_LIMIT_RETRY_POLICIES = ["next_day", "none"] as const;

/** Tries after the first 131049. */
export const MARKETING_LIMIT_RETRIES = 2;
/** Not sooner than Meta's 24 h. */
export const MARKETING_LIMIT_DELAY_MS = DAY;

/**
 * When to try again after a 131049 (epoch ms), or null when the recipient fails now.
 * `retried`: how many times this recipient was already put back for it.
 */
export function marketingLimitRetryAt(input: {
  policy: MarketingLimitRetry | undefined;
  retried: number;
  validUntil: string | null;
  now: number;
}): number | null {
  if ((input.policy ?? "next_day") !== "next_day") return null;
  if (input.retried >= MARKETING_LIMIT_RETRIES) return null;
  const at = input.now + MARKETING_LIMIT_DELAY_MS;
  if (input.validUntil !== null && at >= Date.parse(input.validUntil)) return null;
  return at;
}

/** What the recipient shows while it waits (its `error`, beside `next_send_at`). */
export function marketingLimitWaitTitle(retried: number): string {
  return `Per-user marketing limit (131049): tried again in 24 h (retry ${retried + 1} of ${MARKETING_LIMIT_RETRIES})`;
}
