/**
 * GET /v1/usage: what the account's broadcasts cost over a period, from
 * Meta's pricing on their statuses (each day priced with the card then in
 * force), grouped by day, broadcast, market or pricing category.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { rateCardsOf } from "../../../db/rate-cards";
import { usageBetween } from "../../../db/usage";
import { DEFAULT_CURRENCY, USAGE_GROUPS, usageTotals } from "../../../domain/cost";
import { badRequest } from "../../../errors";
import { errorResponses, jsonContent } from "../../openapi";

/** A year of days at most: the rows read stay bounded. */
const MAX_DAYS = 366;
const DAY_MS = 86_400_000;

const UsageQuery = z.object({
  from: z.iso.date().openapi({ example: "2026-11-01", description: "First day (UTC), included" }),
  to: z.iso.date().openapi({ example: "2026-11-30", description: "Last day (UTC), included" }),
  groupBy: z.enum(USAGE_GROUPS).default("day"),
});

const BucketSchema = z.object({
  key: z.string().openapi({
    description: "The day (YYYY-MM-DD), broadcast id, market or pricing category",
  }),
  messages: z.number().int().openapi({ description: "Messages Meta priced" }),
  billable_messages: z.number().int(),
  free_messages: z.number().int(),
  cost: z.number().openapi({ description: "Billable messages × the rate in force that day" }),
  unpriced_messages: z
    .number()
    .int()
    .openapi({ description: "Billable messages whose rate is unknown, left out of cost" }),
});

export const UsageSchema = z
  .object({
    currency: z.string(),
    from: z.string(),
    to: z.string(),
    groupBy: z.enum(USAGE_GROUPS),
    total: z.number(),
    buckets: z.array(BucketSchema),
  })
  .openapi("Usage");

export const route = createRoute({
  method: "get",
  path: "/v1/usage",
  operationId: "v1.usage.get",
  tags: ["v1 usage"],
  security: [{ apiKey: [] }],
  summary:
    "What the account's broadcasts cost over a period, by day, broadcast, market or category",
  request: { query: UsageQuery },
  responses: {
    200: jsonContent(UsageSchema, "Totals; buckets in key order"),
    400: errorResponses[400],
    401: errorResponses[401],
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
    const days = (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS + 1;
    if (days < 1) throw badRequest("Invalid query", "to: must be on or after from");
    if (days > MAX_DAYS)
      throw badRequest("Invalid query", `to: at most ${MAX_DAYS} days after from`);
    const { accountId } = c.get("account");
    const [rows, cards] = await Promise.all([
      usageBetween(c.env.DB, accountId, q.from, q.to),
      rateCardsOf(c.env.DB, DEFAULT_CURRENCY),
    ]);
    const totals = usageTotals(cards, DEFAULT_CURRENCY, rows, q.groupBy);
    return c.json({ ...totals, from: q.from, to: q.to, groupBy: q.groupBy }, 200);
  });
}
