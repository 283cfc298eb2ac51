/**
 * /v1/erasures: erase a person, by phone number, from the account: the
 * contact, and their number, name and replies in every broadcast.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { audienceMovingResponse, errorResponses, jsonBody, jsonContent } from "../../openapi";
import { erasePerson } from "./erase-person";

export const ErasureReportSchema = z
  .object({
    contacts: z.number().int().openapi({ description: "Contacts deleted (0 or 1)" }),
    broadcasts: z.number().int().openapi({ description: "Broadcasts that held the person" }),
    recipients: z.number().int().openapi({ description: "Recipient rows scrubbed" }),
  })
  .openapi("ErasureReport");

/** Any spelling of a number a client may have sent, reduced to its digits. */
const ErasedPhone = z
  .string()
  .trim()
  .regex(
    /^\+?[\d\s().-]{6,30}$/,
    "must be a phone number: digits with the country code, optionally after a '+'",
  )
  .transform((value) => value.replace(/\D/g, ""))
  .refine((digits) => digits.length >= 6 && digits.length <= 15, "must have 6 to 15 digits")
  .openapi({ type: "string", example: "+447700900123" });

const erase = createRoute({
  method: "post",
  path: "/v1/erasures",
  operationId: "v1.erasures.create",
  tags: ["erasures"],
  security: [{ apiKey: [] }],
  summary: "Erase a person from the account by phone number",
  description:
    "Deletes the contact with this number and removes the number, name, rendered parameters and replies from every broadcast of the account (statuses and counts stay). The suppression list keeps the number.",
  request: { body: jsonBody(z.object({ phone: ErasedPhone })) },
  responses: {
    200: jsonContent(ErasureReportSchema, "What was erased"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

export function registerErasureRoutes(app: App) {
  app.openapi(erase, async (c) => {
    const { phone } = c.req.valid("json");
    const report = await erasePerson(c.env, c.get("account").accountId, phone);
    return c.json(report, 200);
  });
}
