/**
 * The Hono app: middleware, auth, the one error handler, every route, and the
 * OpenAPI document generated from the same schemas that validate requests.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { registerAdminRoutes } from "./api/admin";
import { requireApiKey } from "./api/auth";
import { limitBodies } from "./api/body-limits";
import { registerBroadcastRoutes } from "./api/broadcasts";
import { createRouter, declareSharedAnswers } from "./api/openapi";
import { seedMessage } from "./api/seed-errors";
import { registerSystemRoutes } from "./api/system";
import { registerV1Routes } from "./api/v1";
import { registerWebhookRoutes } from "./api/webhooks";
import type { AppEnv } from "./env";
import { ChorusError, type ErrorBody, notFound } from "./errors";
import { errorFields, log } from "./log";

export function createApp() {
  const app = createRouter();

  app.use("*", async (c, next) => {
    const requestId = c.req.header("x-request-id") ?? crypto.randomUUID();
    c.set("requestId", requestId);
    await next();
    c.header("x-request-id", requestId);
  });
  app.use("*", secureHeaders());
  app.use("*", limitBodies);

  registerSystemRoutes(app);
  registerAdminRoutes(app);
  app.use("/broadcasts", requireApiKey);
  app.use("/broadcasts/*", requireApiKey);
  registerBroadcastRoutes(app);
  registerV1Routes(app);
  registerWebhookRoutes(app);

  app.notFound((c) => answerError(c, notFound(`No route for ${c.req.method} ${c.req.path}`)));

  app.onError((err, c) => {
    const seed = (status: number) => seedMessage(c.req.method, c.req.path, status);
    if (err instanceof ChorusError) return answerError(c, err, seed(err.status) ?? err.message);
    if (err instanceof HTTPException) {
      // Raised by Hono itself: malformed JSON, body limits, wrong content type.
      const status = err.status;
      const message =
        status === 413
          ? "Request body too large"
          : /json/i.test(err.message)
            ? "Invalid JSON body"
            : "Bad request";
      const code =
        status === 413 ? "PAYLOAD_TOO_LARGE" : status === 401 ? "UNAUTHORIZED" : "BAD_REQUEST";
      const answered = new ChorusError(code, message, err.message);
      return answerError(c, answered, seed(answered.status) ?? message);
    }
    log("error", "request failed", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      ...errorFields(err),
    });
    return answerError(
      c,
      new ChorusError(
        "INTERNAL",
        "Internal error",
        `Request ${c.get("requestId")} failed; it has been logged`,
      ),
    );
  });

  // Every route is registered by now: add what the middleware answers on each.
  declareSharedAnswers(app);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Chorus",
      version: "1.0.0",
      description:
        "WhatsApp template broadcasts at scale. Two surfaces over one engine: the Broadcasts API (`Authorization: Bearer YOUR_KEY`) and the v1 API (`x-api-key: YOUR_KEY`).",
    },
    // Relative: the deployment that serves this document is the one it describes.
    servers: [{ url: "/", description: "This deployment" }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "admin", {
    type: "http",
    scheme: "bearer",
    description: "The ADMIN_TOKEN secret",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "metaSignature", {
    type: "apiKey",
    in: "header",
    name: "X-Hub-Signature-256",
    description: "Meta's `sha256=` HMAC-SHA256 of the raw body, keyed with the app secret",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "verifyToken", {
    type: "apiKey",
    in: "query",
    name: "hub.verify_token",
    description: "The WEBHOOK_VERIFY_TOKEN secret, as configured in Meta's app dashboard",
  });

  return app;
}

export type App = ReturnType<typeof createApp>;

/** The one way an error leaves: the contract's envelope, with its status and headers. */
function answerError(c: Context<AppEnv>, err: ChorusError, message = err.message) {
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  return c.json<ErrorBody>({ ...err.toBody(), message }, err.status);
}
