import { z } from "@hono/zod-openapi";
import type { Suppression } from "../../../db/suppression-list";
import { e164, PhoneInput } from "../contacts/schemas";

export const SuppressionSchema = z
  .object({
    phone: z.string().openapi({ example: "+447700900123", description: "E.164, with '+'" }),
    reason: z.string().openapi({ example: "opt-out" }),
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
  return { phone: e164(s.phone), reason: s.reason, createdAt: s.createdAt };
}
