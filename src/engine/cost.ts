/**
 * What a broadcast costs, before and after: the rate cards from D1 (and the
 * built-in one) with the pure figures of domain/cost.ts. Both surfaces answer
 * these as their `estimate` and `cost`.
 */
import { database } from "../db/client";
import { rateCardsOf } from "../db/rate-cards";
import { resolveTemplate } from "../db/templates";
import type { BroadcastSummary } from "../domain/broadcast";
import {
  type AudienceCount,
  type Cost,
  cardInForce,
  costOf,
  countByCallingCode,
  DEFAULT_CURRENCY,
  type Estimate,
  estimateCost,
  type PricedMessages,
  templatePricingCategory,
} from "../domain/cost";
import type { V1Definition } from "../domain/v1-broadcast";
import { resolveAudience } from "../durable/broadcast/audience";
import { broadcastStub } from "../durable/stubs";
import type { Bindings } from "../env";

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
export async function broadcastCosting(
  env: Bindings,
  summary: BroadcastSummary,
): Promise<{ estimate: Estimate | null; cost: Cost }> {
  const d1 = env.DB;
  const stub = broadcastStub(env, summary.accountId, summary.broadcastId);
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

/**
 * What a broadcast would cost at most, for a draft or a scheduled one too
 * (null when it is not found on this surface). Before sending starts its
 * audience is read from D1 as it is now, the way sending will resolve it
 * (nothing is stored); afterwards the recipients it resolved are priced.
 */
export async function draftEstimate(
  env: Bindings,
  accountId: string,
  broadcastId: string,
  surface: BroadcastSummary["surface"],
): Promise<{ estimate: Estimate | null } | null> {
  const stub = broadcastStub(env, accountId, broadcastId);
  const summary = await stub.summary();
  if (summary?.surface !== surface) return null;
  let audience: AudienceCount[] | null = await stub.estimateAudience();
  if (!audience) {
    const numbers: string[] = [];
    const definition = JSON.parse(summary.definition ?? "null") as V1Definition | null;
    if (definition)
      await resolveAudience(env, accountId, definition, (rows) => {
        for (const r of rows) if (!r.rejected) numbers.push(r.identifier);
        return true;
      });
    audience = countByCallingCode(numbers);
  }
  const category = await templateCategoryOf(
    env.DB,
    accountId,
    summary.sender.wabaId,
    summary.template,
  );
  return { estimate: await estimateFor(env.DB, category, audience) };
}
