/**
 * Where callbacks may go: https only in production; plain http too elsewhere
 * (http://localhost in `npm run dev`, the sandbox's receivers in the tests).
 */
import { z } from "@hono/zod-openapi";
import type { Bindings } from "../env";
import { badRequest } from "../errors";

export const CallbackUrlSchema = z
  .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
  .max(2048)
  .openapi({ example: "https://example.com/chorus/callbacks" });

/** Throws a 400 naming `field` when the URL may not be used here. */
export function checkCallbackUrl(env: Bindings, url: string, field: string): void {
  if (env.ENVIRONMENT === "production" && new URL(url).protocol !== "https:") {
    throw badRequest("Invalid request body", `${field}: must be an https URL`);
  }
}
