/**
 * Messaging limits: how many unique people a business portfolio may reach in
 * a moving 24 h (250 → 2,000 → 10,000 → 100,000 → unlimited), and what a
 * broadcast may send now within what is left of it. Pure.
 */
export const MESSAGING_LIMITS = [250, 2_000, 10_000, 100_000] as const;
export type MessagingLimit = (typeof MESSAGING_LIMITS)[number];

const TIERS: Readonly<Record<string, MessagingLimit | null>> = {
  TIER_250: 250,
  TIER_1K: 2_000, // the 1K tier was folded into 2K in 2025
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: null,
};

/**
 * Meta's tier name as a limit: a number, null for unlimited, undefined for a
 * name that says nothing (TIER_NOT_SET, TIER_50 of unverified test numbers, junk).
 */
export function limitOfTier(tier: string | null | undefined): MessagingLimit | null | undefined {
  if (!tier || !(tier in TIERS)) return undefined;
  return TIERS[tier];
}

/** Meta's throughput levels: STANDARD, and HIGH that an upgrade brings (messages per second). */
export const STANDARD_MPS = 80;
export const HIGH_MPS = 1_000;

export type TierPolicy = "defer" | "refuse";

export interface Budget {
  limit: number;
  /** Unique people the portfolio reached in the last 24 h. */
  reached: number;
  /** People of this broadcast not among them: each one uses up the limit. */
  newPeople: number;
  /** How many of those may be sent now; the rest wait (defer) or the broadcast is refused. */
  allowed: number;
  held: number;
}

export function budgetFor(limit: number, reached: number, newPeople: number): Budget {
  const allowed = Math.max(0, Math.min(newPeople, limit - reached));
  return { limit, reached, newPeople, allowed, held: newPeople - allowed };
}

export function budgetMessage(b: Budget): string {
  return `The portfolio may reach ${b.limit.toLocaleString("en")} people in 24 h; it reached ${b.reached.toLocaleString("en")} and this broadcast adds ${b.newPeople.toLocaleString("en")}: ${b.held.toLocaleString("en")} over`;
}
