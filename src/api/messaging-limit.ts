/**
 * The messaging-limit forecast a create answers with: would this audience,
 * on top of who the sender's portfolio reached in the last 24 h, go over its
 * limit? The broadcast's own check when sending starts is the one that holds
 * people back (src/durable/broadcast-do.ts); this one warns, or refuses.
 */
import { z } from "@hono/zod-openapi";
import { reachedInLast24h } from "../db/reach";
import type { Sender } from "../db/schema";
import { type Budget, budgetFor, budgetMessage } from "../domain/messaging-limit";
import { catchUpPortfolio } from "../durable/broadcast/portfolio-catch-up";
import type { Bindings } from "../env";

export const TierPolicySchema = z.enum(["defer", "refuse"]).openapi({
  description:
    "Over the portfolio's messaging limit: `defer` (default) sends up to it and holds the rest 24 h; `refuse` does not send (a create answers 409; a v1 broadcast pauses when it starts)",
});

export const BudgetWarningSchema = z
  .object({
    limit: z.number().int(),
    reached_24h: z.number().int(),
    new_people: z.number().int(),
    held: z.number().int(),
    message: z.string(),
  })
  .openapi("MessagingLimitWarning");

/** Reads the projection once the portfolio's recent broadcasts have flushed to it (invariant 8). */
export async function forecastBudget(
  env: Bindings,
  sender: Sender,
  people: readonly string[],
): Promise<Budget | null> {
  if (sender.messagingLimit === null) return null;
  await catchUpPortfolio(env, sender.accountId, sender.wabaId);
  const { reached, newPeople } = await reachedInLast24h(
    env,
    sender.accountId,
    sender.wabaId,
    people,
  );
  const budget = budgetFor(sender.messagingLimit, reached, newPeople.size);
  return budget.held > 0 ? budget : null;
}

export function budgetWarning(b: Budget): z.infer<typeof BudgetWarningSchema> {
  return {
    limit: b.limit,
    reached_24h: b.reached,
    new_people: b.newPeople,
    held: b.held,
    message: budgetMessage(b),
  };
}
