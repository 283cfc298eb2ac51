import { z } from "@hono/zod-openapi";
import type { Location } from "../../../db/schema";
import { PageQuery, RefSchema } from "../../openapi";

/**
 * An IANA time zone name, as the runtime's Intl knows it, stored in its
 * canonical spelling ("europe/london" → "Europe/London"). UTC offsets such as
 * "+01:00" are refused: a location's offset changes with daylight saving.
 */
export const TimeZone = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .transform((value, ctx) => {
    if (/^[A-Za-z]/.test(value)) {
      try {
        return new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
      } catch {
        // RangeError: not a time zone this runtime knows.
      }
    }
    ctx.addIssue({
      code: "custom",
      message: `'${value}' is not an IANA time zone name (like Europe/London)`,
    });
    return z.NEVER;
  })
  .openapi({ type: "string", example: "Europe/London" });

export const LocationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    timezone: z.string().openapi({ example: "Europe/London" }),
    sender: RefSchema.nullable().openapi({
      description: "The sender this location's broadcasts go from (else the account's default)",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Location");

export const LocationWriteSchema = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: "Soho studio" }),
    timezone: TimeZone.default("UTC"),
    sender: RefSchema.nullable().optional(),
  })
  .openapi("LocationCreate");

export const LocationUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    timezone: TimeZone.optional(),
    sender: RefSchema.nullable().optional(),
  })
  .openapi("LocationUpdate");

export const LocationListQuery = PageQuery.extend({
  searchText: z.string().max(200).optional().openapi({ description: "Part of the name, any case" }),
});

export function toLocationJson(l: Location): z.infer<typeof LocationSchema> {
  return {
    id: l.id,
    name: l.name,
    timezone: l.timezone,
    sender: l.senderId ? { id: l.senderId } : null,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
  };
}
