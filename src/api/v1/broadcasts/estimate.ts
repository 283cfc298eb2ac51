/**
 * POST /v1/broadcasts/{id}/estimate: what a v1 broadcast would cost at most,
 * for a draft or a scheduled one too. Before sending starts its audience is
 * read from D1 as it is now, the way sending will resolve it (nothing is
 * stored); afterwards the recipients it resolved are priced.
 */
import { createRoute } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { draftEstimate } from "../../../engine/cost";
import { notFound } from "../../../errors";
import { EstimateSchema } from "../../cost";
import { errorResponses, IdParam, jsonContent } from "../../openapi";

export const route = createRoute({
  method: "post",
  path: "/v1/broadcasts/{id}/estimate",
  operationId: "v1.broadcasts.estimate",
  tags: ["v1 broadcasts"],
  security: [{ apiKey: [] }],
  summary: "What the broadcast would cost at most, its audience as it is now",
  request: { params: IdParam },
  responses: {
    200: jsonContent(EstimateSchema.nullable(), "The estimate (null: no rate card in force)"),
    400: errorResponses[400],
    401: errorResponses[401],
    404: errorResponses[404],
  },
});

export function register(app: App) {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const found = await draftEstimate(c.env, c.get("account").accountId, id, "v1");
    if (!found) throw notFound(`No broadcast ${id}`);
    return c.json(found.estimate, 200);
  });
}
