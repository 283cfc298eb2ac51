/**
 * PUT /admin/accounts/{id}/data-plane: moves an account's projection one
 * step between D1 and its month shards, and its audience between D1 and its
 * AccountAudienceDO (src/durable/data-plane-move.ts; docs/SCALING.md §5).
 * GET answers where it is.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { DATA_PLANES, dataPlaneState } from "../../db/data-plane";
import { moveDataPlane } from "../../durable/data-plane-move";
import { conflict, notFound } from "../../errors";
import { conflictResponse, errorResponses, jsonBody, jsonContent } from "../openapi";
import { AccountIdParam } from "./schemas";

const Plane = z.enum(DATA_PLANES).openapi({
  description:
    "d1: D1 only; dual: written to both, read from D1; shards-dual: written to both, read from the shards; shards: the shards only (D1's rows deleted)",
});

const PlaneState = z
  .object({
    plane: Plane,
    changedAt: z.string().nullable(),
  })
  .openapi("DataPlaneState");

const getRoute = createRoute({
  method: "get",
  path: "/admin/accounts/{id}/data-plane",
  operationId: "admin.accounts.dataPlane.get",
  tags: ["admin"],
  summary: "Where an account's recipient projection is written and read",
  security: [{ admin: [] }],
  request: { params: AccountIdParam },
  responses: { 200: jsonContent(PlaneState, "The account's data plane"), ...errorResponses },
});

const putRoute = createRoute({
  method: "put",
  path: "/admin/accounts/{id}/data-plane",
  operationId: "admin.accounts.dataPlane.move",
  tags: ["admin"],
  summary: "Move an account's projection one step: d1 → dual → shards-dual → shards",
  description:
    "Moving to shards-dual backfills the shards and verifies them equal to D1 before reads move, and copies the account's audience into its own store; moving back to dual copies the audience back into D1; moving to shards deletes the account's rows from D1 (not reversible), and is refused (409) while callback deliveries logged in D1 are still being retried. Each forward step waits until the last has settled (10 s). While the account is on dual, and while its audience is copied, audience writes answer 503 AUDIENCE_MOVING with Retry-After.",
  security: [{ admin: [] }],
  request: { params: AccountIdParam, body: jsonBody(z.object({ plane: Plane })) },
  responses: {
    200: jsonContent(
      z
        .object({
          from: Plane,
          plane: Plane,
          copied: z.object({ broadcasts: z.number().int(), rows: z.number().int() }).nullable(),
          deletedFromD1: z.number().int(),
          deletedDeliveriesFromD1: z.number().int().openapi({
            description:
              "Callback deliveries deleted from D1 by the move to shards (new ones are logged in the shards from shards-dual on)",
          }),
          audience: z
            .object({
              copied: z
                .object({
                  to: z.enum(["store", "d1"]).openapi({
                    description:
                      "store: into the account's AccountAudienceDO (to shards-dual); d1: back into D1 (to dual)",
                  }),
                  rows: z.object({
                    contacts: z.number().int(),
                    segments: z.number().int(),
                    classes: z.number().int(),
                    segment_members: z.number().int(),
                    enrolments: z.number().int(),
                  }),
                })
                .nullable(),
              deletedFromD1: z.number().int().openapi({
                description:
                  "Audience rows deleted from D1 (to shards): contacts, segments, members, classes, enrolments",
              }),
            })
            .openapi({
              description:
                "The account's audience (contacts, segments, classes) moves with the same steps",
            }),
        })
        .openapi("DataPlaneMove"),
      "Moved (or already there)",
    ),
    ...errorResponses,
    ...conflictResponse,
  },
});

export function register(app: App) {
  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const state = await dataPlaneState(c.env.DB, id);
    if (!state) throw notFound(`id: no account ${id}`);
    return c.json(state, 200);
  });

  app.openapi(putRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { plane } = c.req.valid("json");
    const outcome = await moveDataPlane(c.env, id, plane);
    if (!outcome.ok) {
      if (outcome.reason === "not_found") throw notFound(`id: no account ${id}`);
      throw conflict(outcome.message, outcome.details);
    }
    const { ok: _, ...moved } = outcome;
    return c.json(moved, 200);
  });
}
