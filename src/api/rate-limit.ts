/**
 * Per-API-key request rate limit, on the Workers Rate Limiting binding
 * (`API_RATE_LIMIT` in wrangler.toml: 200 requests per 10 s per key by
 * default). The binding counts per Cloudflare location in fixed windows and
 * answers only yes or no, so `Retry-After` is the time to the end of the
 * current window: the earliest moment a retry can succeed.
 */
import type { AppEnv } from "../env";
import { ChorusError } from "../errors";

/** Must equal `ratelimits.simple.period` in wrangler.toml (the binding does not expose it). */
export const RATE_LIMIT_PERIOD_S = 10;
export const RATE_LIMIT_REQUESTS = 200;

export async function enforceRateLimit(
  env: AppEnv["Bindings"],
  apiKeyId: string,
  now = Date.now(),
): Promise<void> {
  const limiter = env.API_RATE_LIMIT;
  if (!limiter) return;
  const { success } = await limiter.limit({ key: apiKeyId });
  if (success) return;
  const periodMs = RATE_LIMIT_PERIOD_S * 1000;
  const retryAfter = Math.max(1, Math.ceil((periodMs - (now % periodMs)) / 1000));
  throw new ChorusError(
    "RATE_LIMITED",
    "Too many requests",
    `This API key may make ${RATE_LIMIT_REQUESTS} requests per ${RATE_LIMIT_PERIOD_S} s; retry after ${retryAfter} s`,
    { "Retry-After": String(retryAfter) },
  );
}
