import { z } from "@hono/zod-openapi";
import {
  STOP_REPLY_REASON,
  type Suppression,
  type SuppressionEntry,
} from "../../../db/suppression-list";
import { e164, PhoneInput } from "../contacts/schemas";

export const SuppressionSchema = z
  .object({
    phone: z.string().nullable().openapi({
      example: "+447700900123",
      description: "E.164, with '+'; null for a marketing opt-out Meta gave by user id only",
    }),
    reason: z.string().openapi({ example: "opt-out" }),
    scope: z.enum(["all", "marketing"]).openapi({
      description:
        "`all`: nothing is sent (a STOP reply, a manual entry); `marketing`: no marketing template (Meta's opt-out), utility still goes",
    }),
    source: z.enum(["stop_reply", "manual", "user_preferences", "131050"]).openapi({
      description:
        "Where it came from: a STOP reply, an entry made here, Meta's user_preferences webhook, or a failed status with 131050",
    }),
    userId: z
      .string()
      .nullable()
      .openapi({ description: "Meta's business-scoped user id, if any" }),
    createdAt: z.string(),
  })
  .openapi("Suppression");

export const SuppressionWriteSchema = z
  .object({
    phone: PhoneInput,
    reason: z.string().trim().min(1).max(200).default("manual").openapi({
      description: 'Why; default "manual"',
      example: "asked by phone not to be messaged",
    }),
  })
  .openapi("SuppressionCreate");

/** The number in the path: digits with the country code, '+' optional (%2B or literally). */
export const PhoneParam = z.object({
  phone: z
    .string()
    .trim()
    .regex(/^\+?\d{1,20}$/, "must be digits with the country code, optionally after a '+'")
    .transform((value) => value.replace(/^\+/, ""))
    .openapi({ type: "string", example: "447700900123" }),
});

export function toSuppressionJson(s: Suppression): z.infer<typeof SuppressionSchema> {
  return entryJson({
    phone: s.phone,
    userId: null,
    reason: s.reason,
    scope: "all",
    source: s.reason === STOP_REPLY_REASON ? "stop_reply" : "manual",
    createdAt: s.createdAt,
  });
}

export function entryJson(s: SuppressionEntry): z.infer<typeof SuppressionSchema> {
  return {
    phone: s.phone === null ? null : e164(s.phone),
    reason: s.reason,
    scope: s.scope,
    source: s.source,
    userId: s.userId,
    createdAt: s.createdAt,
  };
}
