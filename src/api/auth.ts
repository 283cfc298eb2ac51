/**
 * API key authentication for both surfaces: `Authorization: Bearer <key>`
 * (Broadcasts API) and `x-api-key: <key>` (v1 API); the same key works on both.
 * Only the SHA-256 of a key is stored; the lookup is by that hash through a
 * unique index, so no comparison of the secret itself depends on its bytes.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { ChorusError } from "../errors";
import { enforceRateLimit } from "./rate-limit";

const LAST_USED_RESOLUTION_MS = 60_000;

export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new API key: `chorus_` and 32 random bytes, base64url. */
export function generateApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const b64 = btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replaceAll("=", "");
  return `chorus_${b64}`;
}

export const keyPrefix = (key: string) => key.slice(0, 12);

export function readPresentedKey(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return match?.[1]?.trim() || null;
  }
  return headers.get("x-api-key")?.trim() || null;
}

interface KeyRow {
  id: string;
  account_id: string;
  last_used_at: string | null;
}

export const requireApiKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const presented = readPresentedKey(c.req.raw.headers);
  if (!presented) {
    throw new ChorusError(
      "UNAUTHORIZED",
      "Missing API key",
      "Send your key as 'Authorization: Bearer <key>' or 'x-api-key: <key>'",
    );
  }
  const hash = await sha256Hex(presented);
  const row = await c.env.DB.prepare(
    "SELECT id, account_id, last_used_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
  )
    .bind(hash)
    .first<KeyRow>();
  if (!row)
    throw new ChorusError("UNAUTHORIZED", "Invalid API key", "The key is unknown or revoked");
  c.set("account", { accountId: row.account_id, apiKeyId: row.id });
  await enforceRateLimit(c.env, row.id);

  const now = Date.now();
  if (!row.last_used_at || now - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
    // Bookkeeping only: never delay or fail the request for it.
    c.executionCtx.waitUntil(
      c.env.DB.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
        .bind(new Date(now).toISOString(), row.id)
        .run()
        .catch(() => undefined),
    );
  }
  await next();
};

/** Constant-time string comparison (for the admin token). */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const ab = enc.encode(a);
  const bb = enc.encode(b);
  if (ab.byteLength !== bb.byteLength) {
    // Still spend the time of a comparison, then fail.
    crypto.subtle.timingSafeEqual(ab, ab);
    return false;
  }
  return crypto.subtle.timingSafeEqual(ab, bb);
}

export const requireAdmin: MiddlewareHandler<AppEnv> = async (c, next) => {
  const presented = readPresentedKey(c.req.raw.headers);
  const expected = c.env.ADMIN_TOKEN;
  if (!presented || !expected || !timingSafeEqualStrings(presented, expected)) {
    throw new ChorusError(
      "UNAUTHORIZED",
      "Invalid admin token",
      "Send 'Authorization: Bearer <ADMIN_TOKEN>'",
    );
  }
  await next();
};
