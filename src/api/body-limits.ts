/**
 * Request body limits, one table for every route: a body over its route's
 * limit is a 413 before any handler reads it. The big ones carry up to 50,000
 * recipients (about 250 bytes each with parameters, plus room for carousels);
 * everything else is a few KB in practice, so 1 MB stops abuse early.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../env";
import { ChorusError } from "../errors";

const MB = 1024 * 1024;

export const BODY_LIMITS: ReadonlyArray<{ method: string; path: string; maxBytes: number }> = [
  { method: "POST", path: "/broadcasts", maxBytes: 64 * MB },
  { method: "POST", path: "/broadcasts/validate", maxBytes: 64 * MB },
  { method: "POST", path: "/v1/contacts/bulk", maxBytes: 32 * MB },
];
export const DEFAULT_BODY_LIMIT = 1 * MB;

const limiters = new Map<number, MiddlewareHandler<AppEnv>>();
function limiterFor(maxBytes: number): MiddlewareHandler<AppEnv> {
  let limiter = limiters.get(maxBytes);
  if (!limiter) {
    limiter = bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new ChorusError(
          "PAYLOAD_TOO_LARGE",
          "Request body too large",
          `This route accepts bodies of at most ${formatBytes(maxBytes)}`,
        );
      },
    });
    limiters.set(maxBytes, limiter);
  }
  return limiter;
}

export function bodyLimitFor(method: string, path: string): number {
  const route = BODY_LIMITS.find((r) => r.method === method && r.path === path.replace(/\/$/, ""));
  return route?.maxBytes ?? DEFAULT_BODY_LIMIT;
}

export const limitBodies: MiddlewareHandler<AppEnv> = (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  return limiterFor(bodyLimitFor(c.req.method, c.req.path))(c, next);
};

const formatBytes = (bytes: number) =>
  bytes >= MB ? `${bytes / MB} MB` : `${Math.round(bytes / 1024)} KB`;
