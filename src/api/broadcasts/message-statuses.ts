/**
 * POST /broadcasts/message_statuses: recipient statuses across all of the
 * account's broadcasts, from the D1 projection (kept within seconds of the
 * DOs by their outbox flush).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
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

interface Row {
  broadcast_id: string;
  seq: number;
  identifier: string;
  status: string;
  delivered_at: string | null;
  read_at: string | null;
  error: string | null;
  client_reference: string | null;
  updated_at: string;
}

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
    const where = ["account_id = ?"];
    const binds: (string | number)[] = [accountId];
    if (filters.broadcastUuid) {
      const exists = await c.env.DB.prepare(
        "SELECT 1 FROM broadcasts WHERE account_id = ? AND id = ?",
      )
        .bind(accountId, filters.broadcastUuid)
        .first();
      if (!exists) throw notFound(`filters.broadcastUuid: no broadcast ${filters.broadcastUuid}`);
      where.push("broadcast_id = ?");
      binds.push(filters.broadcastUuid);
    }
    if (filters.clientReferences) {
      // One JSON parameter instead of up to 1,000 (D1 binds at most 100 per statement).
      where.push("client_reference IN (SELECT value FROM json_each(?))");
      binds.push(JSON.stringify(filters.clientReferences));
    }
    if (filters.updatedSince) {
      where.push("updated_at >= ?");
      binds.push(new Date(filters.updatedSince).toISOString());
    }
    const clause = where.join(" AND ");
    const order = filters.updatedSince ? "updated_at, broadcast_id, seq" : "broadcast_id, seq";
    const [page, count] = await c.env.DB.batch([
      c.env.DB.prepare(
        `SELECT broadcast_id, seq, identifier, status, delivered_at, read_at, error, client_reference, updated_at
         FROM recipient_states WHERE ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`,
      ).bind(...binds, limit, offset),
      c.env.DB.prepare(`SELECT COUNT(*) AS n FROM recipient_states WHERE ${clause}`).bind(...binds),
    ]);
    const rows = (page?.results ?? []) as Row[];
    const retention = pastRetention(
      await retentionView(c.env.DB, accountId, filters.broadcastUuid ?? null),
      filters,
      new Date(),
    );
    const total = Number((count?.results?.[0] as { n: number } | undefined)?.n ?? 0);
    return c.json(
      {
        recipients: rows.map((r) =>
          messageStatusItem({
            broadcastId: r.broadcast_id,
            seq: r.seq,
            identifier: r.identifier,
            status: r.status,
            deliveredAt: r.delivered_at,
            readAt: r.read_at,
            error: r.error,
            clientReference: r.client_reference,
            updatedAt: r.updated_at,
          }),
        ),
        metadata: { filters },
        pagination: { offset, limit, total },
        retention,
      },
      200,
    );
  });
}
