/**
 * POST /broadcasts/message_statuses: recipient statuses across all of the
 * account's broadcasts, from the D1 projection (kept within seconds of the
 * DOs by their outbox flush).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { broadcastExists } from "../../db/broadcast-lists";
import { findMessageStatuses } from "../../db/message-statuses";
import { retentionView } from "../../db/retention";
import { messageStatusItem } from "../../domain/message-status";
import { pastRetention } from "../../domain/retention";
import { ChorusError, notFound } from "../../errors";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import { PaginationSchema } from "./schemas";

const Filters = z.object({
  broadcastUuid: z.string().min(1).max(64).optional(),
  clientReferences: z.array(z.string().min(1).max(255)).min(1).max(1000).optional(),
  updatedSince: z.iso.datetime({ offset: true }).optional(),
});

const Body = z
  .object({
    filters: Filters,
    limit: z.number().int().min(1).max(1000),
    offset: z.number().int().min(0),
  })
  .openapi("MessageStatusesRequest");

const Item = z
  .object({
    uuid: z.string(),
    identifier: z.string(),
    status: z.string(),
    delivered_at: z.string().nullable(),
    read_at: z.string().nullable(),
    error: z.string().nullable(),
    client_reference: z.string().nullable(),
    broadcast_uuid: z.string(),
    updated_at: z.string(),
  })
  .openapi("MessageStatus");

const route = createRoute({
  method: "post",
  path: "/broadcasts/message_statuses",
  operationId: "broadcasts.messageStatuses",
  tags: ["broadcasts"],
  security: [{ bearer: [] }],
  summary: "Recipient statuses across broadcasts, by broadcast, client references or update time",
  request: { body: jsonBody(Body) },
  responses: {
    200: jsonContent(
      z.object({
        recipients: z.array(Item),
        metadata: z.object({ filters: Filters }),
        pagination: PaginationSchema,
        retention: z
          .object({
            recipient_retention_days: z.number().int(),
            archived_before: z.string(),
            past_retention: z.boolean(),
            note: z.string().nullable(),
          })
          .openapi({
            description:
              "Recipients of broadcasts finished before `archived_before` are archived and not listed here; `past_retention` says the filter may have matched some of them (export reads them)",
          }),
      }),
      "One page of statuses",
    ),
    ...errorResponses,
  },
});

export function registerMessageStatusRoute(app: App) {
  app.openapi(route, async (c) => {
    const { filters, limit, offset } = c.req.valid("json");
    const { accountId } = c.get("account");
    if (!filters.broadcastUuid && !filters.clientReferences && !filters.updatedSince) {
      throw new ChorusError(
        "BAD_REQUEST",
        "Invalid request body",
        "filters: give at least one of broadcastUuid, clientReferences, updatedSince",
      );
    }
    if (
      filters.broadcastUuid &&
      !(await broadcastExists(c.env.DB, accountId, filters.broadcastUuid))
    ) {
      throw notFound(`filters.broadcastUuid: no broadcast ${filters.broadcastUuid}`);
    }
    const { rows, total } = await findMessageStatuses(
      c.env,
      accountId,
      {
        broadcastId: filters.broadcastUuid,
        clientReferences: filters.clientReferences,
        updatedSince: filters.updatedSince && new Date(filters.updatedSince).toISOString(),
      },
      limit,
      offset,
    );
    const retention = pastRetention(
      await retentionView(c.env.DB, accountId, filters.broadcastUuid ?? null),
      filters,
      new Date(),
    );
    return c.json(
      {
        recipients: rows.map(messageStatusItem),
        metadata: { filters },
        pagination: { offset, limit, total },
        retention,
      },
      200,
    );
  });
}
