/**
 * POST /admin/rate-cards: an operator loads Meta's rate card CSV for one
 * currency and the day it takes effect. It then wins over the built-in card
 * from that day on; earlier cards are kept, so past broadcasts keep their price.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { saveRateCard } from "../../db/rate-cards";
import { parseRateCardCsv } from "../../domain/cost-csv";
import { badRequest } from "../../errors";
import { errorResponses, jsonBody, jsonContent } from "../openapi";

/** Meta changes its rates only on these days (REFERENCE.md, "Pricing"). */
const CHANGE_DAYS = new Set(["01-01", "04-01", "07-01", "10-01"]);

const RateCardBody = z.object({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, "an ISO 4217 code in capitals, e.g. USD")
    .openapi({ example: "USD" }),
  effective: z.iso.date().openapi({
    example: "2026-01-01",
    description:
      "The day (UTC) the card takes effect: Meta changes rates on Jan 1, Apr 1, Jul 1 or Oct 1",
  }),
  source: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .default("Meta's rate card CSV, loaded by an operator")
    .openapi({ description: "Where the figures come from (a URL, a file name)" }),
  csv: z
    .string()
    .min(1)
    .max(512 * 1024)
    .openapi({ description: "The CSV exactly as Meta publishes it for this currency" }),
});

const LoadedSchema = z.object({
  currency: z.string(),
  effective: z.string(),
  source: z.string(),
  markets: z.number().int(),
  unknown_rates: z
    .number()
    .int()
    .openapi({ description: "Cells with no figure (n/a, empty): those rates stay unknown" }),
  unmapped_markets: z.array(z.string()).openapi({
    description:
      "Markets Chorus cannot place by calling code (regions such as Rest of Western Europe): their numbers are priced as Other",
  }),
});

export const route = createRoute({
  method: "post",
  path: "/admin/rate-cards",
  operationId: "admin.rateCards.create",
  tags: ["admin"],
  summary: "Load Meta's rate card CSV for a currency and effective day",
  security: [{ admin: [] }],
  request: { body: jsonBody(RateCardBody) },
  responses: {
    201: jsonContent(LoadedSchema, "Loaded; it replaces a card of the same currency and day"),
    400: errorResponses[400],
    401: errorResponses[401],
    413: { description: "Body too large", content: errorResponses[400].content },
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const body = c.req.valid("json");
    if (!CHANGE_DAYS.has(body.effective.slice(5)))
      throw badRequest(
        "Invalid request body",
        `effective: ${body.effective} is not a day Meta changes rates on (Jan 1, Apr 1, Jul 1, Oct 1)`,
      );
    const parsed = parseRateCardCsv(body.csv);
    if (!parsed.ok) throw badRequest("Invalid request body", parsed.error);
    await saveRateCard(c.env.DB, {
      currency: body.currency,
      effective: body.effective,
      source: body.source,
      markets: parsed.markets,
    });
    const unknown = parsed.markets.reduce(
      (n, m) => n + Object.values(m.rates).filter((r) => r === null).length,
      0,
    );
    return c.json(
      {
        currency: body.currency,
        effective: body.effective,
        source: body.source,
        markets: parsed.markets.length,
        unknown_rates: unknown,
        unmapped_markets: parsed.unmappedMarkets,
      },
      201,
    );
  });
}
