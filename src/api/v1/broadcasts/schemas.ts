/**
 * The v1 broadcast object, field by field as the seed document shows it.
 */

import { z } from "@hono/zod-openapi";
import { AUDIENCE_TYPES, CLASS_STATUSES, ENGAGEMENT_TYPES } from "../../../domain/v1-broadcast";
import { CallbackUrlSchema } from "../../callback-url";
import { CostSchema, EstimateSchema } from "../../cost";
import { FrequencyCapPolicySchema } from "../../frequency-cap";
import { MarketingLimitRetrySchema } from "../../marketing-limit-retry";
import { TierPolicySchema } from "../../messaging-limit";
import { RefSchema } from "../../openapi";
import { SendWindowSchema, WindowZoneSchema } from "../../send-window";

const LocationParameters = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  address: z.string().max(1000).nullable().optional(),
  name: z.string().max(1000).nullable().optional(),
});

const FlowParameters = z.object({
  flowToken: z.string().max(1000).nullable().optional(),
  flowData: z
    .union([z.string().max(10_000), z.record(z.string(), z.unknown())])
    .nullable()
    .optional(),
});

const CurrencyParameter = z
  .object({
    index: z.number().int().openapi({
      description:
        "The body variable (0-based position in bodyTextParameters, which gives the fallback text)",
    }),
    code: z.string().max(10).openapi({ description: "ISO 4217 currency code, e.g. USD" }),
    amount1000: z
      .number()
      .openapi({ description: "The amount × 1000, an integer (12.50 is 12500)" }),
  })
  .openapi({ example: { index: 1, code: "USD", amount1000: 12500 } });

const DateTimeParameter = z.object({
  index: z.number().int().openapi({
    description:
      "The body variable (0-based position in bodyTextParameters, which gives the fallback text)",
  }),
});

const TextList = z.array(z.string().max(4096)).max(20);

/** A catalog item's retailer id ("Content ID"); Meta's length limit is unconfirmed. */
const RetailerId = z.string().max(100);

const ProductSection = z
  .object({
    title: z.string().max(200).openapi({ description: "At most 24 characters (Meta's limit)" }),
    productRetailerIds: z.array(RetailerId).max(100).openapi({
      description: "The section's items; at most 30 across all sections (Meta's limit)",
    }),
  })
  .openapi({ example: { title: "Popular Bundles", productRetailerIds: ["2lc20305pt"] } });

/** UTC only: `Z` or `+00:00`; any other offset is refused (the seed: "adheres to UTC"). */
const UtcDateTime = z.iso
  .datetime({ offset: true })
  .refine((v) => /(Z|[+-]00:?00)$/i.test(v), "must be in UTC (end with Z or +00:00)")
  .openapi({ example: "2026-12-15T10:00:00Z" });

export const V1BroadcastWriteSchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    type: z.enum(AUDIENCE_TYPES),
    status: z
      .enum(["draft", "scheduled", "sending", "paused", "completed", "cancelled"])
      .optional(),
    segments: z.array(RefSchema).max(50).optional(),
    targetClass: RefSchema.nullable().optional(),
    // Nullable because GET shows null for the audience fields another type leaves unused,
    // and PUT must take back whatever GET returned.
    targetClassStatus: z.enum(CLASS_STATUSES).nullable().optional(),
    retargetBroadcast: RefSchema.nullable().optional(),
    retargetEngagementType: z.enum(ENGAGEMENT_TYPES).nullable().optional(),
    scheduleDateTime: UtcDateTime.nullable().optional(),
    template: z.object({
      name: z.string().min(1).max(512),
      language: z.string().min(1).max(20).default("en"),
    }),
    headerMediaUrl: z.string().max(2048).nullable().optional(),
    headerMediaId: z.string().max(200).nullable().optional().openapi({
      description: "Extension: an uploaded media id for the header (instead of headerMediaUrl)",
    }),
    headerDocumentFilename: z
      .string()
      .max(240)
      .nullable()
      .optional()
      .openapi({ description: "Extension: a DOCUMENT header's file name" }),
    headerTextParameters: TextList.nullable().optional(),
    bodyTextParameters: TextList.nullable().optional(),
    buttonUrlParameters: TextList.nullable().optional(),
    locationParameters: LocationParameters.nullable().optional(),
    flowParameters: FlowParameters.nullable().optional(),
    currencyParameters: z.array(CurrencyParameter).max(20).nullable().optional().openapi({
      description: "Extension: body variables sent as Meta's currency parameter",
    }),
    dateTimeParameters: z.array(DateTimeParameter).max(20).nullable().optional().openapi({
      description: "Extension: body variables sent as Meta's date_time parameter",
    }),
    expirationTimeMs: z.number().nullable().optional().openapi({
      description:
        "Extension: when the template's limited-time offer expires, Unix milliseconds (an integer)",
    }),
    catalogThumbnailProductId: RetailerId.nullable().optional().openapi({
      description:
        "Extension: the CATALOG or multi-product (MPM) button's thumbnail, an item's retailer id (required for MPM; for CATALOG, left out: the catalog's first item)",
    }),
    productSections: z.array(ProductSection).max(50).nullable().optional().openapi({
      description:
        "Extension: a multi-product (MPM) template's products, at most 10 sections (Meta's limit)",
    }),
    productRetailerId: RetailerId.nullable().optional().openapi({
      description: "Extension: a single-product (PRODUCT header) template's item",
    }),
    catalogId: z.string().max(64).nullable().optional().openapi({
      description: "Extension: the catalog of productRetailerId",
    }),
    location: RefSchema.nullable().optional(),
    sendWindow: SendWindowSchema.nullable().optional().openapi({
      description:
        "Extension: local hours to send in (absent: the account's default; null: any time)",
    }),
    timezone: WindowZoneSchema.optional(),
    tierPolicy: TierPolicySchema.optional(),
    marketingLimitRetry: MarketingLimitRetrySchema.optional(),
    frequencyCap: FrequencyCapPolicySchema.optional(),
    statusCallbackUrl: CallbackUrlSchema.nullable().optional().openapi({
      description:
        "Extension: every status change of this broadcast's recipients, and its end, are POSTed here",
    }),
  })
  .openapi("V1BroadcastWrite");

export type V1BroadcastWrite = z.infer<typeof V1BroadcastWriteSchema>;

export const V1BroadcastSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(AUDIENCE_TYPES),
    status: z.string(),
    segments: z.array(RefSchema),
    targetClass: RefSchema.nullable(),
    targetClassStatus: z.string().nullable(),
    retargetBroadcast: RefSchema.nullable(),
    retargetEngagementType: z.string().nullable(),
    scheduleDateTime: z.string().nullable(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    template: z.object({ name: z.string(), language: z.string() }),
    headerMediaUrl: z.string().nullable(),
    headerMediaId: z.string().nullable().openapi({ description: "Extension" }),
    headerDocumentFilename: z.string().nullable().openapi({ description: "Extension" }),
    headerTextParameters: z.array(z.string()),
    bodyTextParameters: z.array(z.string()),
    buttonUrlParameters: z.array(z.string()),
    locationParameters: LocationParameters.nullable(),
    flowParameters: FlowParameters.nullable(),
    currencyParameters: z.array(CurrencyParameter).openapi({ description: "Extension" }),
    dateTimeParameters: z.array(DateTimeParameter).openapi({ description: "Extension" }),
    expirationTimeMs: z.number().nullable().openapi({ description: "Extension" }),
    catalogThumbnailProductId: z.string().nullable().openapi({ description: "Extension" }),
    productSections: z.array(ProductSection).openapi({ description: "Extension" }),
    productRetailerId: z.string().nullable().openapi({ description: "Extension" }),
    catalogId: z.string().nullable().openapi({ description: "Extension" }),
    location: RefSchema.nullable(),
    processedStats: z.object({
      totalCount: z.number().int(),
      successCount: z.number().int(),
      failureCount: z.number().int(),
    }),
    deliveryStats: z.object({
      sentCount: z.number().int(),
      deliveredCount: z.number().int(),
      readCount: z.number().int(),
      failedCount: z.number().int(),
      repliedCount: z.number().int(),
      heldCount: z.number().int().optional().openapi({
        description:
          "Extension (GET, POST and PUT of one broadcast; not the list): of the accepted (successCount), held by Meta for quality assessment (pacing): neither sent nor failed yet",
      }),
    }),
    pauseReason: z.string().nullable().openapi({ description: "Extension: why it is paused" }),
    sendWindow: SendWindowSchema.nullable().openapi({ description: "Extension" }),
    timezone: z.string().openapi({ description: "Extension: whose clock the window reads" }),
    tierPolicy: z.string().openapi({ description: "Extension" }),
    statusCallbackUrl: z.string().nullable().openapi({ description: "Extension" }),
    estimate: EstimateSchema.nullable().optional().openapi({
      description:
        "Extension (GET, POST and PUT of one broadcast; not the list): what sending costs at most, once the audience is resolved (when sending starts; null before: POST /v1/broadcasts/{id}/estimate prices a draft)",
    }),
    cost: CostSchema.optional().openapi({
      description:
        "Extension (GET, POST and PUT of one broadcast; not the list): what Meta's statuses priced so far",
    }),
  })
  .openapi("V1Broadcast");

export type V1Broadcast = z.infer<typeof V1BroadcastSchema>;

export const V1LogSchema = z
  .object({
    broadcast: z.object({ id: z.string(), name: z.string() }),
    recepientName: z.string().nullable(),
    countryCode: z.string(),
    phone: z.string(),
    status: z.enum(["pending", "sent", "delivered", "read", "replied", "failed"]),
    reply: z.string().nullable(),
    error: z.string().nullable(),
    endpoint: z.enum(["messages", "marketing_messages"]).optional().openapi({
      description:
        "Extension: the Cloud API path that accepted the message: `messages`, or `marketing_messages` (Meta's Marketing Messages API); absent until accepted",
    }),
    userId: z.string().optional().openapi({
      description: "Extension: the person's business-scoped user id, when Meta gave one",
    }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("V1BroadcastLog");
