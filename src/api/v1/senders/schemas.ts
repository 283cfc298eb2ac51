import { z } from "@hono/zod-openapi";
import type { Sender } from "../../../db/schema";
import { MESSAGING_LIMITS } from "../../../domain/messaging-limit";
import { RefSchema } from "../../openapi";

const MarketingApi = z.enum(["cloud_api", "marketing_messages"]).openapi({
  description:
    "Which path this sender's MARKETING templates take: `cloud_api` (`POST /{phone-number-id}/messages`, the default) or `marketing_messages` (Meta's Marketing Messages API, `POST /{phone-number-id}/marketing_messages`). Utility and authentication templates always go through `/messages`; the template's current category decides (Meta may recategorise it).",
});

const ProductPolicy = z.enum(["CLOUD_API_FALLBACK", "STRICT"]).openapi({
  description:
    "Marketing Messages API `product_policy`: `CLOUD_API_FALLBACK` (Meta's default: a business not onboarded to the API is sent through the Cloud API) or `STRICT` (not sent then)",
});

export const SenderSchema = z
  .object({
    id: z.string(),
    phoneNumber: z.string().openapi({
      example: "447576209857",
      description: "Display number, E.164 digits: what `from` names",
    }),
    phoneNumberId: z.string(),
    wabaId: z.string(),
    businessId: z.string().nullable().openapi({
      description:
        "The business portfolio that owns the WABA (Meta's owner_business_info, read on template sync); senders of one portfolio share its messaging limit. null: not known yet (the WABA stands for it)",
    }),
    throughputMps: z.number().int(),
    marketingApi: MarketingApi,
    productPolicy: ProductPolicy,
    messageActivitySharing: z.boolean().openapi({
      description:
        "Marketing Messages API `message_activity_sharing`: let Meta use message activity (for ads measurement); off by default",
    }),
    messagingLimit: z.number().int().nullable().openapi({
      description:
        "Unique people the portfolio (businessId, else this WABA) may reach in a moving 24 h; null: unlimited or unknown (not enforced). Set here, or read from Meta on template sync and by its webhooks.",
    }),
    qualityWarning: z
      .object({ event: z.string(), at: z.string(), message: z.string() })
      .nullable()
      .openapi({ description: "Meta's latest quality signal (FLAGGED, DOWNGRADE) until cleared" }),
    isDefault: z.boolean(),
    location: RefSchema.nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Sender");

/** 250, 2000, 10000, 100000, or null for unlimited. */
// zod-to-openapi writes only the first value of a multi-value literal: the enum is spelt out.
const MessagingLimitInput = z
  .literal(MESSAGING_LIMITS)
  .nullable()
  .openapi({ enum: [...MESSAGING_LIMITS, null], example: 2000 });

const digits = (field: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .transform((v) => v.replace(/^\+/, ""))
    .pipe(
      z.string().regex(new RegExp(`^\\d{${min},${max}}$`), `${field} must be ${min}-${max} digits`),
    );

export const SenderWriteSchema = z
  .object({
    phoneNumber: digits("phoneNumber", 8, 15).openapi({ example: "447576209857" }),
    phoneNumberId: digits("phoneNumberId", 1, 30),
    wabaId: digits("wabaId", 1, 30),
    accessToken: z
      .string()
      .min(1)
      .max(4096)
      .openapi({ description: "Write-only: stored encrypted, never returned" }),
    throughputMps: z.number().int().min(1).max(1000).default(80),
    marketingApi: MarketingApi.default("cloud_api"),
    productPolicy: ProductPolicy.default("CLOUD_API_FALLBACK"),
    messageActivitySharing: z.boolean().default(false),
    messagingLimit: MessagingLimitInput.optional(),
    isDefault: z.boolean().default(false),
    location: RefSchema.nullable().optional(),
  })
  .openapi("SenderCreate");

export const SenderUpdateSchema = SenderWriteSchema.partial()
  .extend({
    throughputMps: z.number().int().min(1).max(1000).optional(),
    marketingApi: MarketingApi.optional(),
    productPolicy: ProductPolicy.optional(),
    messageActivitySharing: z.boolean().optional(),
    isDefault: z.boolean().optional(),
  })
  .openapi("SenderUpdate");

export function toSenderJson(s: Sender): z.infer<typeof SenderSchema> {
  return {
    id: s.id,
    phoneNumber: s.phoneNumber,
    phoneNumberId: s.phoneNumberId,
    wabaId: s.wabaId,
    businessId: s.businessId,
    throughputMps: s.throughputMps,
    marketingApi: s.marketingApi,
    productPolicy: s.marketingProductPolicy,
    messageActivitySharing: s.marketingActivitySharing,
    messagingLimit: s.messagingLimit,
    qualityWarning: s.qualityWarning ? JSON.parse(s.qualityWarning) : null,
    isDefault: s.isDefault,
    location: s.locationId ? { id: s.locationId } : null,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}
