/**
 * Meta's time-to-live for a template message (issue 18 item 6). `valid_until`
 * is Chorus's promise about *sending*; the TTL is how long Meta keeps trying
 * to *deliver* what it accepted. A message past its TTL is dropped silently:
 * no `failed`, no code (REFERENCE.md, "Marketing Messages API"). So a message
 * neither delivered nor failed by send + TTL + a margin is taken as dropped.
 */

/** Meta's defaults when the template sets no `message_send_ttl_seconds`: 30 d, 30 d, 10 min. */
const DEFAULT_TTL_SECONDS: Readonly<Record<string, number>> = {
  MARKETING: 30 * 86_400,
  UTILITY: 30 * 86_400,
  AUTHENTICATION: 600,
};

/** Any other category (or none known): the longest default, so nothing is given up too early. */
const FALLBACK_TTL_SECONDS = 30 * 86_400;

/**
 * How long after the TTL a status may still arrive (statuses lag; a webhook
 * retried by Meta comes later still). Meta documents no figure: an hour is
 * our choice, Meta's own p99 delivery aim for held messages.
 */
export const EXPIRY_MARGIN_MS = 3_600_000;

export const EXPIRED_AT_META_TITLE =
  "Expired at Meta: not delivered within the template's time-to-live (message_send_ttl_seconds); Meta drops such messages without a status";

/** The TTL that applies: the template's own, else Meta's default for its category. */
export function sendTtlSeconds(category: string | undefined, templateTtl: number | null): number {
  if (templateTtl !== null && templateTtl > 0) return templateTtl;
  return DEFAULT_TTL_SECONDS[(category ?? "").toUpperCase()] ?? FALLBACK_TTL_SECONDS;
}

/** When a message submitted at `submittedAt` (epoch ms) counts as dropped by Meta. */
export function expiredAtMetaAt(submittedAt: number, ttlSeconds: number): number {
  return submittedAt + ttlSeconds * 1000 + EXPIRY_MARGIN_MS;
}

/** Messages submitted before this instant (epoch ms) and still undelivered are dropped by now. */
export function submittedBeforeExpired(now: number, ttlSeconds: number): number {
  return now - ttlSeconds * 1000 - EXPIRY_MARGIN_MS;
}
