/**
 * The Hono app: middleware, auth, the one error handler, every route, and the
 * OpenAPI document generated from the same schemas that validate requests.
 */
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { registerAdminRoutes } from "./api/admin";
import { requireApiKey } from "./api/auth";
import { limitBodies } from "./api/body-limits";
import { registerBroadcastRoutes } from "./api/broadcasts";
import { createRouter } from "./api/openapi";
import { seedMessage } from "./api/seed-errors";
import { registerSystemRoutes } from "./api/system";
import { registerV1Routes } from "./api/v1";
import { registerWebhookRoutes } from "./api/webhooks";
import { ChorusError, type ErrorBody } from "./errors";
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

  app.notFound((c) =>
    c.json<ErrorBody>(
      {
        message: "Resource not found",
        details: `No route for ${c.req.method} ${c.req.path}`,
        code: "NOT_FOUND",
      },
      404,
    ),
  );

  app.onError((err, c) => {
    const seed = (status: number) => seedMessage(c.req.method, c.req.path, status);
    if (err instanceof ChorusError) {
      for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
      return c.json({ ...err.toBody(), message: seed(err.status) ?? err.message }, err.status);
    }
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
      const answered = status === 413 || status === 401 ? status : 400;
      return c.json<ErrorBody>(
        { message: seed(answered) ?? message, details: err.message, code },
        answered,
      );
    }
    log("error", "request failed", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      ...errorFields(err),
    });
    return c.json<ErrorBody>(
      {
        message: "Internal error",
        details: `Request ${c.get("requestId")} failed; it has been logged`,
        code: "INTERNAL",
      },
      500,
    );
  });

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Chorus",
      version: "1.0.0",
      description:
        "WhatsApp template broadcasts at scale. Two surfaces over one engine: the Broadcasts API (`Authorization: Bearer YOUR_KEY`) and the v1 API (`x-api-key: YOUR_KEY`).",
    },
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

  return app;
}

export type App = ReturnType<typeof createApp>;
