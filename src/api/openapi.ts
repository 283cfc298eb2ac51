/**
 * Shared OpenAPI pieces: the app factory with the one validation hook, the
 * error envelope schema, the response helpers every route uses, and the
 * answers the shared middleware gives on every route it covers.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { ChorusError, ERROR_CODES, type ErrorCode, fieldPath } from "../errors";

const ERROR_CODE_NAMES = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export const ErrorSchema = z
  .object({
    message: z.string(),
    details: z.string(),
    code: z.enum(ERROR_CODE_NAMES).openapi({
      description:
        "Machine-readable; one status each: BAD_REQUEST 400, UNAUTHORIZED 401, FORBIDDEN 403, NOT_FOUND 404, CONFLICT 409, PAYLOAD_TOO_LARGE 413, RATE_LIMITED 429, INTERNAL 500, UPSTREAM_ERROR 502, AUDIENCE_MOVING 503",
    }),
  })
  .openapi("Error");

/** A response whose body is the error envelope. */
export function errorResponse(description: string) {
  return { description, content: { "application/json": { schema: ErrorSchema } } } as const;
}

/** Standard error responses, for routes to spread into `responses`. */
export const errorResponses = {
  400: errorResponse("Bad input: the details name the field and why"),
  401: errorResponse("Missing or invalid API key"),
  404: errorResponse("Unknown resource, or one of another account"),
} as const;

/** An audience write while the account's audience moves between stores (src/db/audience-store.ts). */
export const audienceMovingResponse = {
  503: {
    ...errorResponse(
      "AUDIENCE_MOVING: the account's audience is being copied between stores; nothing was changed",
    ),
    headers: {
      "Retry-After": {
        description: "Seconds to wait before trying again",
        schema: { type: "integer" },
      },
    },
  },
} as const;

export const conflictResponse = {
  409: errorResponse("Conflict with the resource's state"),
} as const;

/**
 * What the middleware in front of the routes answers (app.ts): the key check
 * and its rate limit, the body limits, and the one error handler's 500.
 * Declared here, once, for every route the middleware covers, so that no
 * route can leave them out of its contract.
 */
export function declareSharedAnswers(app: OpenAPIHono<AppEnv>): void {
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== "route") continue;
    const route = def.route;
    const schemes = new Set((route.security ?? []).flatMap((s) => Object.keys(s)));
    type Answer = ReturnType<typeof errorResponse> & { headers?: object };
    // The key check's answers are the middleware's alone: they replace a route's own.
    const owned: Record<number, Answer> = {};
    if (schemes.has("bearer") || schemes.has("apiKey")) {
      owned[401] = errorResponse("Missing or invalid API key");
      owned[429] = {
        ...errorResponse("Too many requests for this API key"),
        headers: {
          "Retry-After": {
            description: "Seconds until the rate limit's window ends",
            schema: { type: "integer" },
          },
        },
      };
    }
    if (schemes.has("admin")) owned[401] = errorResponse("Missing or invalid admin token");
    // These a route may describe more closely (its own body limit).
    const defaults: Record<number, Answer> = {
      500: errorResponse("A bug: logged, with the request id in details"),
    };
    if (route.method !== "get") defaults[413] = errorResponse("Body over this route's limit");
    route.responses = { ...defaults, ...route.responses, ...owned };
  }
}

/** One message for all zod issues, each naming its field. */
export function describeIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): string {
  return issues
    .slice(0, 20)
    .map((issue) => `${fieldPath(issue.path)}: ${issue.message}`)
    .join("; ");
}

/** Every router is made here so that validation errors look the same everywhere. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        throw new ChorusError(
          "BAD_REQUEST",
          `Invalid ${result.target === "json" ? "request body" : result.target}`,
          describeIssues(result.error.issues),
        );
      }
    },
  });
}

/** JSON request body that must be present and must be JSON. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    description,
    content: { "application/json": { schema } },
  } as const;
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}

/** Paging for v1 lists: `limit` (default 20, max 100) and 1-based `page`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  page: z.coerce.number().int().min(1).default(1).openapi({ example: 1 }),
});

export const IdParam = z.object({ id: z.string().min(1).max(100) });

export const RefSchema = z.object({ id: z.string() });
