import type { LatencyModel } from "./latency";

/**
 * A sandbox number's configuration: its identity, throughput, webhook
 * timing and target, and the failures it injects. Pure: defaults and the
 * checking of a (partial) update from POST /__sandbox/numbers/{id}.
 */
export type FailureMode =
  | "token_expired"
  | "account_locked"
  | "template_paused"
  | "spam_limited"
  | "marketing_api_required"
  | null;
const FAILURE_MODES = [
  "token_expired",
  "account_locked",
  "template_paused",
  "spam_limited",
  "marketing_api_required",
] as const;

/** Meta's messaging limit tiers (unique people a portfolio may reach in 24 h). */
export const MESSAGING_LIMIT_TIERS = [
  "TIER_250",
  "TIER_2K",
  "TIER_10K",
  "TIER_100K",
  "TIER_UNLIMITED",
] as const;
export type MessagingLimitTier = (typeof MESSAGING_LIMIT_TIERS)[number];
export const QUALITY_RATINGS = ["GREEN", "YELLOW", "RED"] as const;
export type QualityRating = (typeof QUALITY_RATINGS)[number];

export interface NumberConfig {
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string;
  access_token: string;
  /** Accepted sends allowed in any one-second window. */
  mps: number;
  /** Where webhooks go; null: the WEBHOOK_URL var, and with that empty, the outbox. */
  webhook_url: string | null;
  delays: { sent_ms: number; delivered_ms: number; read_ms: number };
  failure_mode: FailureMode;
  faults: { error_500_rate: number; timeout_rate: number; throttle_rate: number };
  timeout_ms: number;
  shuffle_webhooks: boolean;
  duplicate_webhook_rate: number;
  /** Failed webhook POSTs are retried after base_ms, 2×, 4×… until max_attempts in all. */
  webhook_retry: { max_attempts: number; base_ms: number };
  /** Meta's pair rate limit: a send to one person sooner than this after the last one is 131056 (0: off). */
  pair_rate_limit_ms: number;
  messaging_limit_tier: MessagingLimitTier;
  /**
   * W19: the business portfolio that owns the number's WABA (`owner_business_info.id`);
   * null: one portfolio per WABA (`3` + the WABA id), so numbers share one only when told.
   */
  business_id: string | null;
  quality_rating: QualityRating;
  /** How long an answer takes: log-normal by p50/p99, seeded (0/0: at once). See latency.ts. */
  latency: LatencyModel;
}

export const DEMO_NUMBER = {
  phone_number_id: "100000000000001",
  waba_id: "200000000000001",
  display_phone_number: "447576209857",
  access_token: "sandbox-demo-token",
} as const;

export const isDemo = (phoneNumberId: string) => phoneNumberId === DEMO_NUMBER.phone_number_id;

function defaults(
  phoneNumberId: string,
): Omit<NumberConfig, "waba_id" | "access_token" | "display_phone_number"> {
  return {
    phone_number_id: phoneNumberId,
    mps: 80,
    webhook_url: null,
    delays: { sent_ms: 100, delivered_ms: 300, read_ms: 600 },
    failure_mode: null,
    faults: { error_500_rate: 0, timeout_rate: 0, throttle_rate: 0 },
    timeout_ms: 15_000,
    shuffle_webhooks: false,
    duplicate_webhook_rate: 0,
    webhook_retry: { max_attempts: 6, base_ms: 1000 },
    pair_rate_limit_ms: 0,
    // Unlimited by default, so dev and benchmarks are not held back; tests set a tier.
    messaging_limit_tier: "TIER_UNLIMITED",
    business_id: null,
    quality_rating: "GREEN",
    latency: { p50_ms: 0, p99_ms: 0, seed: 1 },
  };
}

/** The demo number's configuration: it exists without setup. */
export function demoConfig(): NumberConfig {
  return { ...defaults(DEMO_NUMBER.phone_number_id), ...DEMO_NUMBER };
}

/** A stored configuration, completed with the defaults of fields added since it was stored. */
export function withDefaults(stored: NumberConfig): NumberConfig {
  const d = defaults(stored.phone_number_id);
  return {
    ...d,
    ...stored,
    delays: { ...d.delays, ...stored.delays },
    faults: { ...d.faults, ...stored.faults },
    webhook_retry: { ...d.webhook_retry, ...stored.webhook_retry },
    latency: { ...d.latency, ...stored.latency },
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const number = (v: unknown, min: number, max: number, integer = false): v is number =>
  typeof v === "number" &&
  Number.isFinite(v) &&
  v >= min &&
  v <= max &&
  (!integer || Number.isInteger(v));

const KEYS = new Set([
  "phone_number_id",
  "waba_id",
  "display_phone_number",
  "access_token",
  "mps",
  "webhook_url",
  "delays",
  "failure_mode",
  "faults",
  "timeout_ms",
  "shuffle_webhooks",
  "duplicate_webhook_rate",
  "webhook_retry",
  "pair_rate_limit_ms",
  "messaging_limit_tier",
  "business_id",
  "quality_rating",
  "latency",
]);

/** One numeric group (delays, faults, webhook_retry): a partial update of known keys within bounds. */
function group<T extends Record<string, number>>(
  name: string,
  base: T,
  patch: unknown,
  check: (key: string, v: unknown) => boolean,
  expected: string,
): T | string {
  if (!isObj(patch)) return `${name} must be an object`;
  const next: Record<string, number> = { ...base };
  for (const [key, v] of Object.entries(patch)) {
    if (!(key in base))
      return `${name}.${key} is not a setting (expected ${Object.keys(base).join(", ")})`;
    if (typeof v !== "number" || !check(key, v)) return `${name}.${key} must be ${expected}`;
    next[key] = v;
  }
  return next as T;
}

/**
 * Applies a partial update to a number (`base` null: a new number). Returns
 * the new configuration, or a message naming the first field that is wrong.
 */
export function applyPatch(
  phoneNumberId: string,
  base: NumberConfig | null,
  patch: unknown,
): NumberConfig | string {
  if (!/^\d{1,20}$/.test(phoneNumberId)) return "the phone number id must be digits";
  if (!isObj(patch)) return "the body must be a JSON object";
  for (const key of Object.keys(patch)) if (!KEYS.has(key)) return `${key} is not a setting`;
  if (patch.phone_number_id !== undefined && patch.phone_number_id !== phoneNumberId)
    return "phone_number_id differs from the one in the path";
  const next: NumberConfig = base
    ? structuredClone(base)
    : {
        ...defaults(phoneNumberId),
        waba_id: "",
        access_token: "",
        // Meta's test numbers are 555 numbers: a plausible display number until one is given.
        display_phone_number: `1555${phoneNumberId.slice(-7).padStart(7, "0")}`,
      };
  for (const key of ["waba_id", "display_phone_number", "access_token"] as const) {
    const v = patch[key];
    if (v === undefined) continue;
    if (typeof v !== "string" || v === "") return `${key} must be a non-empty string`;
    if (key !== "access_token" && !/^\+?\d{1,20}$/.test(v)) return `${key} must be digits`;
    next[key] = v;
  }
  if (!next.waba_id || !next.access_token) return "a new number needs waba_id and access_token";
  if (patch.mps !== undefined) {
    if (!number(patch.mps, 1, 10_000, true)) return "mps must be an integer from 1 to 10000";
    next.mps = patch.mps;
  }
  if (patch.webhook_url !== undefined) {
    const url = patch.webhook_url;
    if (
      url !== null &&
      (typeof url !== "string" || (url !== "" && !/^https?:\/\/[^\s]+$/.test(url)))
    )
      return 'webhook_url must be an http(s) URL, "" or null';
    next.webhook_url = url || null;
  }
  if (patch.delays !== undefined) {
    const delays = group(
      "delays",
      next.delays,
      patch.delays,
      (_, v) => number(v, 0, 86_400_000),
      "milliseconds from 0 to 86400000",
    );
    if (typeof delays === "string") return delays;
    next.delays = delays;
  }
  if (patch.failure_mode !== undefined) {
    const mode = FAILURE_MODES.find((m) => m === patch.failure_mode);
    if (patch.failure_mode !== null && !mode)
      return `failure_mode must be null or one of ${FAILURE_MODES.join(", ")}`;
    next.failure_mode = mode ?? null;
  }
  if (patch.faults !== undefined) {
    const faults = group(
      "faults",
      next.faults,
      patch.faults,
      (_, v) => number(v, 0, 1),
      "a rate from 0 to 1",
    );
    if (typeof faults === "string") return faults;
    if (faults.error_500_rate + faults.timeout_rate + faults.throttle_rate > 1)
      return "faults: the rates add up to more than 1";
    next.faults = faults;
  }
  if (patch.timeout_ms !== undefined) {
    if (!number(patch.timeout_ms, 0, 120_000)) return "timeout_ms must be from 0 to 120000";
    next.timeout_ms = patch.timeout_ms;
  }
  if (patch.shuffle_webhooks !== undefined) {
    if (typeof patch.shuffle_webhooks !== "boolean") return "shuffle_webhooks must be a boolean";
    next.shuffle_webhooks = patch.shuffle_webhooks;
  }
  if (patch.duplicate_webhook_rate !== undefined) {
    if (!number(patch.duplicate_webhook_rate, 0, 1))
      return "duplicate_webhook_rate must be from 0 to 1";
    next.duplicate_webhook_rate = patch.duplicate_webhook_rate;
  }
  if (patch.webhook_retry !== undefined) {
    const retry = group(
      "webhook_retry",
      next.webhook_retry,
      patch.webhook_retry,
      (key, v) => (key === "max_attempts" ? number(v, 1, 20, true) : number(v, 0, 3_600_000)),
      "max_attempts 1..20, base_ms 0..3600000",
    );
    if (typeof retry === "string") return retry;
    next.webhook_retry = retry;
  }
  if (patch.pair_rate_limit_ms !== undefined) {
    if (!number(patch.pair_rate_limit_ms, 0, 3_600_000))
      return "pair_rate_limit_ms must be from 0 to 3600000";
    next.pair_rate_limit_ms = patch.pair_rate_limit_ms;
  }
  if (patch.business_id !== undefined) {
    const id = patch.business_id;
    if (id !== null && (typeof id !== "string" || !/^\d{1,20}$/.test(id)))
      return "business_id must be digits or null";
    next.business_id = id;
  }
  if (patch.messaging_limit_tier !== undefined) {
    const tier = MESSAGING_LIMIT_TIERS.find((t) => t === patch.messaging_limit_tier);
    if (!tier) return `messaging_limit_tier must be one of ${MESSAGING_LIMIT_TIERS.join(", ")}`;
    next.messaging_limit_tier = tier;
  }
  if (patch.latency !== undefined) {
    const latency = group(
      "latency",
      next.latency,
      patch.latency,
      (key, v) => (key === "seed" ? number(v, 0, 2 ** 31, true) : number(v, 0, 60_000)),
      "milliseconds from 0 to 60000 (seed: an integer)",
    );
    if (typeof latency === "string") return latency;
    if (latency.p99_ms < latency.p50_ms && latency.p99_ms !== 0)
      return "latency.p99_ms must be at least latency.p50_ms";
    next.latency = latency;
  }
  if (patch.quality_rating !== undefined) {
    const rating = QUALITY_RATINGS.find((r) => r === patch.quality_rating);
    if (!rating) return `quality_rating must be one of ${QUALITY_RATINGS.join(", ")}`;
    next.quality_rating = rating;
  }
  return next;
}

/** Meta's throughput level of a number: HIGH at 1,000/s and up. */
export const throughputLevel = (cfg: NumberConfig) => (cfg.mps >= 1000 ? "HIGH" : "STANDARD");

export const QUALITY_EVENTS = [
  "THROUGHPUT_UPGRADE",
  "UPGRADE",
  "DOWNGRADE",
  "FLAGGED",
  "UNFLAGGED",
] as const;

/**
 * What a quality event does to a number (Meta's side), and the webhook value
 * announcing it: THROUGHPUT_UPGRADE lifts it to 1,000/s; UPGRADE/DOWNGRADE
 * move its tier (to the one given, else the next one); FLAGGED/UNFLAGGED
 * turn its quality rating YELLOW/GREEN.
 */
export function qualityChange(
  cfg: NumberConfig,
  input: unknown,
): { config: NumberConfig; value: Record<string, unknown> } | { error: string } {
  const event = isObj(input) ? input.event : undefined;
  const named = QUALITY_EVENTS.find((e) => e === event);
  if (!named) return { error: `event must be one of ${QUALITY_EVENTS.join(", ")}` };
  const next = structuredClone(cfg);
  const old = cfg.messaging_limit_tier;
  if (named === "THROUGHPUT_UPGRADE") next.mps = Math.max(cfg.mps, 1000);
  if (named === "FLAGGED") next.quality_rating = "YELLOW";
  if (named === "UNFLAGGED") next.quality_rating = "GREEN";
  if (named === "UPGRADE" || named === "DOWNGRADE") {
    const given = isObj(input) ? input.messaging_limit_tier : undefined;
    if (given !== undefined) {
      const tier = MESSAGING_LIMIT_TIERS.find((t) => t === given);
      if (!tier)
        return { error: `messaging_limit_tier must be one of ${MESSAGING_LIMIT_TIERS.join(", ")}` };
      next.messaging_limit_tier = tier;
    } else {
      const i = MESSAGING_LIMIT_TIERS.indexOf(old) + (named === "UPGRADE" ? 1 : -1);
      next.messaging_limit_tier =
        MESSAGING_LIMIT_TIERS[Math.min(Math.max(i, 0), MESSAGING_LIMIT_TIERS.length - 1)] ?? old;
    }
  }
  const tier = next.messaging_limit_tier;
  const value: Record<string, unknown> = {
    display_phone_number: next.display_phone_number.replace(/^\+/, ""),
    event: named,
    ...(named === "UPGRADE" || named === "DOWNGRADE" ? { old_limit: old } : {}),
    current_limit: named === "THROUGHPUT_UPGRADE" ? "TIER_UNLIMITED" : tier,
    max_daily_conversations_per_business: tier,
  };
  return { config: next, value };
}
