/**
 * The Broadcasts API's request and response schemas, field by field as the
 * seed document and API-CONTRACT.md give them. These zod schemas produce
 * exactly the domain's parameter types.
 */
import { z } from "@hono/zod-openapi";
import {
  isBusinessUserId,
  looksLikeBusinessUserId,
  USER_ID_SHAPE,
} from "../../domain/business-user-id";
import { CallbackUrlSchema } from "../callback-url";
import { CostSchema, EstimateSchema } from "../cost";
import { FrequencyCapPolicySchema } from "../frequency-cap";
import { MarketingLimitRetrySchema } from "../marketing-limit-retry";
import { BudgetWarningSchema, TierPolicySchema } from "../messaging-limit";
import { SendWindowSchema, WindowZoneSchema } from "../send-window";

const isoDateTime = z.iso.datetime({ offset: true }).openapi({ example: "2026-12-15T10:00:00Z" });

const LocationValue = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  name: z.string().max(1000).optional(),
  address: z.string().max(1000).optional(),
});

/** A media header by `link` or uploaded media `id` (one of them), and a document's `filename`. */
const MediaValue = z
  .strictObject({
    link: z.string().max(2048).optional(),
    id: z.string().min(1).max(200).optional(),
    filename: z.string().max(240).optional(),
  })
  .openapi({ example: { id: "1234567890", filename: "invoice.pdf" } });

/**
 * A catalog item's retailer id (Commerce Manager's "Content ID"). Meta's own
 * limit on its length is unconfirmed; 100 characters is Commerce Manager's
 * for a content id as far as we know.
 */
const RetailerId = z.string().max(100);

/** A single-product (SPM) template's header: one item of a catalog. */
const ProductValue = z
  .strictObject({
    product_retailer_id: RetailerId.openapi({ description: "The item's retailer id (Content ID)" }),
    catalog_id: z.string().max(64).openapi({ description: "The catalog's id" }),
  })
  .openapi({ example: { product_retailer_id: "nqryix03ez", catalog_id: "194836987003835" } });

const HeaderValue = z.union([z.string().max(2048), LocationValue, MediaValue, ProductValue]);

const HeaderParameter = z.object({
  type: z.enum(["image", "video", "document", "text", "location", "product"]),
  value: HeaderValue,
});

const ProductSection = z.strictObject({
  title: z.string().max(200).openapi({ description: "At most 24 characters (Meta's limit)" }),
  product_items: z
    .array(z.strictObject({ product_retailer_id: RetailerId }))
    .max(100)
    .openapi({ description: "The section's items; at most 30 across all sections" }),
});

const NameList = z.array(z.string().min(1).max(100)).max(20);

const CardParameters = z.object({
  header: HeaderParameter.optional(),
  body_order: NameList.optional(),
  button_order: NameList.optional(),
});

export const BroadcastParametersSchema = z
  .object({
    header: HeaderParameter.optional(),
    body_order: NameList.optional(),
    button_order: NameList.optional(),
    cards: z.array(CardParameters).max(10).optional(),
    flow: z
      .strictObject({
        flow_token: z.string().max(1000).optional().openapi({
          description: "Identifies this flow's session; Meta sends it back in the flow's reply",
        }),
        flow_action_data: z.record(z.string(), z.unknown()).optional().openapi({
          description: "The data the flow's first screen starts with (a JSON object)",
        }),
      })
      .optional()
      .openapi({
        description: "For a template with a FLOW button: its action, the same for every recipient",
        example: { flow_token: "booking-2026", flow_action_data: { class_id: "yoga-101" } },
      }),
    catalog: z
      .strictObject({
        thumbnail_product_retailer_id: RetailerId.optional().openapi({
          description:
            "The item whose image heads the message (left out: the catalog's first item)",
        }),
      })
      .optional()
      .openapi({
        description:
          "For a template with a CATALOG button: its thumbnail, the same for every recipient",
        example: { thumbnail_product_retailer_id: "2lc20305pt" },
      }),
    multi_product: z
      .strictObject({
        thumbnail_product_retailer_id: RetailerId.openapi({
          description: "The item whose image heads the message",
        }),
        sections: z.array(ProductSection).max(50).openapi({
          description: "At most 10 sections (Meta's limit) of at most 30 products in all",
        }),
      })
      .optional()
      .openapi({
        description:
          "For a template with a multi-product (MPM) button, required there: the products it offers, the same for every recipient",
        example: {
          thumbnail_product_retailer_id: "2lc20305pt",
          sections: [
            { title: "Popular Bundles", product_items: [{ product_retailer_id: "2lc20305pt" }] },
          ],
        },
      }),
    limited_time_offer: z
      .strictObject({
        expiration_time_ms: z.number().openapi({
          description:
            "When the offer expires: Unix milliseconds (an integer), as Meta's reference says",
        }),
      })
      .optional()
      .openapi({
        description:
          "For a template with a LIMITED_TIME_OFFER that expires: when, the same for every recipient",
        example: { expiration_time_ms: 1_798_761_600_000 },
      }),
  })
  .openapi("BroadcastParameters");

const ValueMap = z.record(z.string().max(100), z.string().max(4096));

/** Meta's currency body parameter; code and amount are checked per recipient, like every value. */
const CurrencyValue = z
  .strictObject({
    currency: z.strictObject({
      fallback_value: z.string().max(4096).openapi({ description: "What the message shows" }),
      code: z.string().max(10).openapi({ description: "ISO 4217 currency code, e.g. USD" }),
      amount_1000: z.number().openapi({ description: "The amount × 1000, an integer" }),
    }),
  })
  .openapi({
    description: "A localized amount (Meta's `currency` parameter)",
    example: { currency: { fallback_value: "$12.50", code: "USD", amount_1000: 12500 } },
  });

/** Meta's date_time body parameter: only its fallback. */
const DateTimeValue = z
  .strictObject({
    date_time: z.strictObject({
      fallback_value: z.string().max(4096).openapi({ description: "What the message shows" }),
    }),
  })
  .openapi({
    description: "A date (Meta's `date_time` parameter)",
    example: { date_time: { fallback_value: "May 1, 2026" } },
  });

/** A body variable's value: text, or a currency or date_time object. */
const BodyValueMap = z
  .record(z.string().max(100), z.union([z.string().max(4096), CurrencyValue, DateTimeValue]))
  .openapi({
    description:
      "Each body variable's value by its name in body_order: text, or {currency: {fallback_value, code, amount_1000}} or {date_time: {fallback_value}}",
  });

const RecipientCardParameters = z.object({
  header: z.object({ value: HeaderValue }).optional(),
  body: BodyValueMap.optional(),
  button: ValueMap.optional(),
});

const RecipientParameters = z.object({
  header: z.object({ value: HeaderValue }).optional(),
  body: BodyValueMap.optional(),
  button: ValueMap.optional(),
  cards: z.array(RecipientCardParameters).max(10).optional(),
});

/**
 * Identifiers are digits with a country code (a JSON number is accepted and
 * read as digits), or a business-scoped user id (`CC.` + up to 128 letters or
 * digits). A bad number is that recipient's warning; a malformed user id is
 * the request's 400, since no spelling of it can be a phone number.
 */
const Identifier = z
  .union([z.string().max(131), z.number().int().nonnegative().transform(String)])
  .superRefine((value, ctx) => {
    if (looksLikeBusinessUserId(value) && !isBusinessUserId(value))
      ctx.addIssue({ code: "custom", message: USER_ID_SHAPE });
  });

export const RecipientSchema = z.object({
  identifier: Identifier.openapi({
    type: "string",
    example: "447592850122",
    description:
      "The phone number with its country code, or a business-scoped user id (`US.13491208655302741918`), sent as `recipient` instead of `to`",
  }),
  // Any JSON here: a number is read as its decimal string, anything else that
  // is not a string is that recipient's error (domain/recipients.ts), not the request's.
  client_reference: z.unknown().optional().openapi({
    type: "string",
    description: "A string (at most 255 characters) or a number, stored as its decimal string",
  }),
  parameters: RecipientParameters.optional(),
});

function broadcastRequest(maxRecipients: number) {
  return z.object({
    channel_type: z.literal("whatsapp"),
    name: z.string().trim().min(1).max(255),
    template_name: z.string().min(1).max(512),
    locale: z.string().min(1).max(20).default("en"),
    valid_until: isoDateTime.optional(),
    scheduled_for: isoDateTime.optional(),
    from: z.string().min(1).max(32),
    version: z.literal(1).optional(),
    client_unique_identifier: z.string().min(1).max(255).optional(),
    parameters: BroadcastParametersSchema.optional(),
    recipients: z.array(RecipientSchema).min(1).max(maxRecipients),
    send_window: SendWindowSchema.nullable().optional().openapi({
      description:
        "Extension: local hours to send in (absent: the account's default; null: any time)",
    }),
    timezone: WindowZoneSchema.optional(),
    tier_policy: TierPolicySchema.optional(),
    marketing_limit_retry: MarketingLimitRetrySchema.optional(),
    frequency_cap: FrequencyCapPolicySchema.optional(),
    status_callback_url: CallbackUrlSchema.optional().openapi({
      description:
        "Extension: every status change of this broadcast's recipients, and its end, are POSTed here (signed with the account's broadcast secret)",
    }),
  });
}

export const MAX_CREATE_RECIPIENTS = 50_000;
export const MAX_VALIDATE_RECIPIENTS = 20_000;

export const CreateBroadcastSchema =
  broadcastRequest(MAX_CREATE_RECIPIENTS).openapi("CreateBroadcast");
export const ValidateBroadcastSchema = broadcastRequest(MAX_VALIDATE_RECIPIENTS)
  .omit({ client_unique_identifier: true })
  .openapi("ValidateBroadcast");

export type CreateBroadcastBody = z.infer<typeof CreateBroadcastSchema>;

export const WarningsSchema = z
  .object({
    recipients: z.array(z.object({ identifier: z.string(), errors: z.array(z.string()) })),
    messaging_limit: BudgetWarningSchema.optional().openapi({
      description:
        "Extension: present when this audience would take the sender's portfolio over its 24 h messaging limit",
    }),
  })
  .openapi("Warnings");

export const CreatedSchema = z
  .object({
    uuid: z.string(),
    status: z.string(),
    scheduled_at: z.string(),
    recipients: z.number().int().openapi({ description: "Accepted recipients" }),
    rejected_recipients: z.number().int(),
    warnings: WarningsSchema,
    estimate: EstimateSchema.nullable().openapi({
      description: "Extension: what it will cost at most (null: no rate card in force)",
    }),
  })
  .openapi("BroadcastCreated");

export const BroadcastDetailsSchema = z
  .object({
    uuid: z.string(),
    name: z.string(),
    status: z.string(),
    scheduled_at: z.string(),
    valid_until: z.string().nullable(),
    recipients: z
      .number()
      .int()
      .openapi({ description: "Everything submitted: accepted + rejected" }),
    sent: z.number().int(),
    delivered: z.number().int(),
    read: z.number().int(),
    rejected: z.number().int(),
    failed: z
      .number()
      .int()
      .openapi({ description: "Send or delivery failures and validity expiries" }),
    pending: z.number().int().openapi({ description: "Extension: not yet handed to WhatsApp" }),
    submitted: z
      .number()
      .int()
      .openapi({ description: "Extension: accepted by WhatsApp (cumulative)" }),
    cancelled: z.number().int().openapi({ description: "Extension" }),
    held: z.number().int().openapi({
      description:
        "Extension: of the submitted, held by Meta for quality assessment (pacing), neither sent nor failed yet",
    }),
    replied: z.number().int().openapi({ description: "Extension" }),
    pause_reason: z.string().nullable().openapi({ description: "Extension: why it is paused" }),
    send_window: SendWindowSchema.nullable().openapi({ description: "Extension" }),
    timezone: z.string().openapi({ description: "Extension: whose clock the window reads" }),
    tier_policy: z.string().openapi({ description: "Extension" }),
    status_callback_url: z.string().nullable().openapi({ description: "Extension" }),
    tier_notice: z.string().nullable().openapi({
      description: "Extension: what the messaging-limit check found when sending started",
    }),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    estimate: EstimateSchema.nullable().openapi({
      description: "Extension: what sending costs at most (null: no rate card in force)",
    }),
    cost: CostSchema.openapi({ description: "Extension: what Meta's statuses priced so far" }),
  })
  .openapi("BroadcastDetails");

export const RecipientItemSchema = z
  .object({
    identifier: z.string(),
    status: z.enum([
      "pending",
      "submitted",
      "held",
      "sent",
      "delivered",
      "read",
      "rejected",
      "failed",
      "undeliverable",
      "cancelled",
    ]),
    client_reference: z.string().nullable(),
    delivered_at: z.string().optional(),
    read_at: z.string().optional(),
    next_send_at: z
      .string()
      .optional()
      .openapi({ description: "Extension: a held pending recipient goes out no earlier" }),
    endpoint: z.enum(["messages", "marketing_messages"]).optional().openapi({
      description:
        "Extension: the Cloud API path that accepted the message: `messages`, or `marketing_messages` (Meta's Marketing Messages API, for a sender with marketingApi `marketing_messages`); absent until accepted",
    }),
    user_id: z.string().optional().openapi({
      description:
        "Extension: the person's business-scoped user id (the identifier itself, or as Meta's statuses named it)",
    }),
    error: z.string().optional(),
    error_code: z.number().int().optional(),
    updated_at: z.string(),
  })
  .openapi("BroadcastRecipient");

export const PaginationSchema = z
  .object({ offset: z.number().int(), limit: z.number().int(), total: z.number().int() })
  .openapi("Pagination");

export const UuidParam = z.object({ uuid: z.string().min(1).max(64) });
