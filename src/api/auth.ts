/**
 * API key authentication for both surfaces: `Authorization: Bearer <key>`
 * (Broadcasts API) and `x-api-key: <key>` (v1 API); the same key works on both.
 * Only the SHA-256 of a key is stored (see db/api-keys.ts).
 */
import type { MiddlewareHandler } from "hono";
import { findActiveKey, markKeyUsed } from "../db/api-keys";
import { sha256Hex, timingSafeEqualStrings } from "../domain/crypto";
import type { AppEnv } from "../env";
import { ChorusError } from "../errors";
import { enforceRateLimit } from "./rate-limit";

const LAST_USED_RESOLUTION_MS = 60_000;

export function readPresentedKey(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return match?.[1]?.trim() || null;
  }
  return headers.get("x-api-key")?.trim() || null;
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
  const row = await findActiveKey(c.env.DB, hash);
  if (!row)
    throw new ChorusError("UNAUTHORIZED", "Invalid API key", "The key is unknown or revoked");
  c.set("account", { accountId: row.accountId, apiKeyId: row.id });
  await enforceRateLimit(c.env, row.id);

  const now = Date.now();
  if (!row.lastUsedAt || now - Date.parse(row.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
    // Bookkeeping only: never delay or fail the request for it.
    c.executionCtx.waitUntil(
      markKeyUsed(c.env.DB, row.id, new Date(now).toISOString()).catch(() => undefined),
    );
  }
  await next();
};

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
