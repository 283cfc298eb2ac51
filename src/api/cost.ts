/**
 * The schemas of the `estimate` and `cost` both surfaces answer (the figures
 * come from engine/cost.ts).
 */
import { z } from "@hono/zod-openapi";

export const EstimateSchema = z
  .object({
    currency: z.string(),
    total: z.number().openapi({ description: "Sum over the lines whose rate is known" }),
    card_effective: z.string().openapi({ description: "Effective day of the rate card used" }),
    upper_bound: z.literal(true).openapi({
      description:
        "Always true: free entry points, open customer-service windows and volume tiers are not predictable, and only lower what Meta bills",
    }),
    unpriced_recipients: z
      .number()
      .int()
      .openapi({ description: "Recipients whose market has no known rate, left out of total" }),
    by_market: z.array(
      z.object({
        market: z.string(),
        category: z.string(),
        recipients: z.number().int(),
        rate: z.number().nullable().openapi({ description: "null: unknown on this card" }),
        cost: z.number().nullable(),
      }),
    ),
  })
  .openapi("Estimate", {
    description: "What sending would cost at most: accepted recipients × the list rate",
  });

export const CostSchema = z
  .object({
    currency: z.string(),
    total: z.number(),
    card_effective: z.string().nullable().openapi({
      description: "The card in force when the broadcast started (null: none yet in force)",
    }),
    billable_messages: z.number().int(),
    free_messages: z.number().int(),
    free_by_type: z
      .record(z.string(), z.number().int())
      .openapi({ description: "Free messages by Meta's pricing.type (free_entry_point…)" }),
    unpriced_messages: z
      .number()
      .int()
      .openapi({ description: "Billable messages whose rate is unknown, left out of total" }),
    by_market: z.array(
      z.object({
        market: z.string(),
        category: z.string(),
        messages: z.number().int(),
        billable: z.number().int(),
        rate: z.number().nullable(),
        cost: z.number().nullable(),
      }),
    ),
  })
  .openapi("Cost", {
    description: "What Meta's statuses priced so far: billable messages × the rate in force",
  });
