/**
 * Meta's messaging limit per business portfolio (since 2025-10-07), as its
 * fields and webhooks give it (REFERENCE.md, "Messaging limits"): the
 * `whatsapp_business_manager_messaging_limit` field (v24.0+) with the
 * deprecated `messaging_limit_tier` as a fallback, and
 * `max_daily_conversations_per_business`, which the docs give as a `TIER_*`
 * string and Meta's own example as a number: both are read. Pure.
 */
import { limitOfTier, MESSAGING_LIMITS, type MessagingLimit } from "./messaging-limit";

/**
 * A tier string or a number as a limit: null for unlimited, undefined when
 * it says nothing. A number between tiers counts as the tier below it (never
 * more than Meta allows); one under 250 says nothing usable.
 */
export function limitOfValue(value: unknown): MessagingLimit | null | undefined {
  if (typeof value === "string") {
    const trimmed = value.trim().toUpperCase();
    if (/^\d+$/.test(trimmed)) return limitOfValue(Number(trimmed));
    if (trimmed === "UNLIMITED") return null;
    return limitOfTier(trimmed);
  }
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) return undefined;
  const below = MESSAGING_LIMITS.filter((l) => l <= value);
  // Above the largest limited tier (100K) is unlimited.
  if (value > 100_000) return null;
  return below.length > 0 ? (below[below.length - 1] as MessagingLimit) : undefined;
}

/** The portfolio's limit from a number's fields: the new field first, else the deprecated one. */
export function limitOfFields(fields: {
  businessManagerLimit: unknown;
  messagingLimitTier: unknown;
}): MessagingLimit | null | undefined {
  const current = limitOfValue(fields.businessManagerLimit);
  return current !== undefined ? current : limitOfValue(fields.messagingLimitTier);
}
