/**
 * Unauthenticated system routes: health and the offline API reference.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import type { App } from "../../app";
import { jsonContent } from "../openapi";

const health = createRoute({
  method: "get",
  path: "/health",
  operationId: "system.health",
  tags: ["system"],
  security: [],
  summary: "Liveness check",
  responses: { 200: jsonContent(z.object({ ok: z.literal(true) }), "The Worker is up") },
});

export function registerSystemRoutes(app: App) {
  app.openapi(health, (c) => c.json({ ok: true as const }, 200));

  // The reference page loads Scalar's standalone bundle from our own assets
  // (copied from node_modules by scripts/copy-assets.mjs), never from a CDN.
  app.get(
    "/docs",
    Scalar({
      url: "/openapi.json",
      cdn: "/assets/scalar.js",
      pageTitle: "Chorus API reference",
      withDefaultFonts: false,
    }),
  );
}
