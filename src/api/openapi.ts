/**
 * Shared OpenAPI pieces: the app factory with the one validation hook, the
 * error envelope schema, and the response helpers every route uses.
 */
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { ChorusError, fieldPath } from "../errors";

export const ErrorSchema = z
  .object({
    message: z.string(),
    details: z.string(),
    code: z.string().optional(),
  })
  .openapi("Error");

const errorContent = { "application/json": { schema: ErrorSchema } };

/** Standard error responses, for routes to spread into `responses`. */
export const errorResponses = {
  400: { description: "Bad input: the details name the field and why", content: errorContent },
  401: { description: "Missing or invalid API key", content: errorContent },
  404: { description: "Unknown resource, or one of another account", content: errorContent },
} as const;

export const conflictResponse = {
  409: { description: "Conflict with the resource's state", content: errorContent },
} as const;

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
