/**
 * The `estimate` and `cost` both surfaces answer: the rate cards from D1 (and
 * the built-in one), the pure figures from domain/cost.ts, and their schemas.
 */
import { z } from "@hono/zod-openapi";
import { database } from "../db/client";
import { rateCardsOf } from "../db/rate-cards";
import { resolveTemplate } from "../db/templates";
import {
  type AudienceCount,
  type Cost,
  cardInForce,
  costOf,
  DEFAULT_CURRENCY,
  type Estimate,
  estimateCost,
  type PricedMessages,
  templatePricingCategory,
} from "../domain/cost";
import type { BroadcastSummary } from "../durable/broadcast/types";
import type { BroadcastDO } from "../durable/broadcast-do";

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

/** The estimate for sending a template of `templateCategory` to this audience, now. */
export async function estimateFor(
  d1: D1Database,
  templateCategory: string,
  audience: AudienceCount[],
): Promise<Estimate | null> {
  const card = cardInForce(
    await rateCardsOf(d1, DEFAULT_CURRENCY),
    DEFAULT_CURRENCY,
    new Date().toISOString(),
  );
  return card ? estimateCost(card, templatePricingCategory(templateCategory), audience) : null;
}

/** The category of the template a broadcast sends ("" when the template is gone). */
export async function templateCategoryOf(
  d1: D1Database,
  accountId: string,
  wabaId: string,
  template: { name: string; language: string },
): Promise<string> {
  const found = await resolveTemplate(
    database(d1),
    accountId,
    wabaId,
    template.name,
    template.language,
  );
  return found.template?.category ?? "";
}

/** A broadcast's cost, priced with the card in force when it started (else when it was made). */
export async function costFor(
  d1: D1Database,
  summary: { startedAt: string | null; createdAt: string },
  priced: PricedMessages[],
): Promise<Cost> {
  const card = cardInForce(
    await rateCardsOf(d1, DEFAULT_CURRENCY),
    DEFAULT_CURRENCY,
    summary.startedAt ?? summary.createdAt,
  );
  return costOf(card, DEFAULT_CURRENCY, priced);
}

/**
 * A broadcast's `estimate` (null until its audience is resolved: at create
 * for inline recipients, when sending starts for v1; POST
 * /v1/broadcasts/{id}/estimate prices a v1 draft) and its `cost`.
 */
export async function costing(
  d1: D1Database,
  summary: BroadcastSummary,
  stub: DurableObjectStub<BroadcastDO>,
): Promise<{ estimate: Estimate | null; cost: Cost }> {
  const [audience, priced] = await Promise.all([stub.estimateAudience(), stub.pricedMessages()]);
  const estimate = audience
    ? await estimateFor(
        d1,
        await templateCategoryOf(d1, summary.accountId, summary.sender.wabaId, summary.template),
        audience,
      )
    : null;
  return { estimate, cost: await costFor(d1, summary, priced ?? []) };
}
