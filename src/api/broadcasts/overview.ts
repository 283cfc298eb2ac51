/**
 * Extensions for people watching broadcasts (the dashboard uses them): every
 * broadcast of the account, both surfaces, filtered and paged from the D1
 * summaries; and one broadcast's activity from its Durable Object: sends per
 * second while it went out, and its failures grouped by Meta's error code.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { listBroadcastOverview } from "../../db/broadcast-lists";
import { isoTime } from "../../domain/message-status";
import { broadcastActivity } from "../../engine/read-broadcast";
import { notFound } from "../../errors";
import { errorResponses, jsonContent } from "../openapi";
import { PaginationSchema, UuidParam } from "./schemas";

const STATES = ["draft", "scheduled", "sending", "paused", "completed", "cancelled"] as const;

const OverviewItem = z
  .object({
    uuid: z.string(),
    surface: z.enum(["broadcasts", "v1"]),
    name: z.string(),
    status: z.string(),
    scheduled_at: z.string().nullable(),
    created_at: z.string(),
    recipients: z.number().int().openapi({ description: "Accepted recipients (rejected apart)" }),
    submitted: z.number().int(),
    delivered: z.number().int(),
    read: z.number().int(),
    replied: z.number().int(),
    failed: z.number().int(),
    rejected: z.number().int(),
  })
  .openapi("BroadcastOverview");

const list = createRoute({
  method: "get",
  path: "/broadcasts",
  operationId: "broadcasts.list",
  tags: ["broadcasts"],
  security: [{ bearer: [] }],
  summary: "Extension: the account's broadcasts of both surfaces, newest first",
  description: "Counts are the D1 summaries, a few seconds behind GET /broadcasts/{uuid}.",
  request: {
    query: z.object({
      status: z.enum(STATES).optional(),
      search: z.string().max(100).optional().openapi({ description: "Part of the name" }),
      limit: z.coerce.number().int().min(1).max(100).default(20),
      offset: z.coerce.number().int().min(0).default(0),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ broadcasts: z.array(OverviewItem), pagination: PaginationSchema }),
      "One page of broadcasts",
    ),
    ...errorResponses,
  },
});

const activity = createRoute({
  method: "get",
  path: "/broadcasts/{uuid}/activity",
  operationId: "broadcasts.activity",
  tags: ["broadcasts"],
  security: [{ bearer: [] }],
  summary: "Extension: sends per second, and failures grouped by Meta's error code",
  request: { params: UuidParam },
  responses: {
    200: jsonContent(
      z.object({
        send_rate: z.array(z.object({ at: z.string(), count: z.number().int() })),
        failures: z.array(
          z.object({
            error_code: z.number().int().nullable(),
            title: z.string(),
            count: z.number().int(),
          }),
        ),
        send_path: z.object({
          latency_ms: z
            .object({ p50: z.number(), p99: z.number(), count: z.number().int() })
            .nullable()
            .describe("Meta's answer times (to 10 ms), over every send so far"),
          in_flight_target: z
            .number()
            .int()
            .describe("Recipients kept queued or claimed now (rate × measured cycle)"),
          slots_missed: z
            .number()
            .int()
            .describe("Sends that gave their slot up, too late to leave within its tolerance"),
          peak_claimed: z.number().int().describe("Most recipients claimed by consumers at once"),
        }),
      }),
      "The broadcast's activity",
    ),
    ...errorResponses,
  },
});

export function registerOverviewRoutes(app: App) {
  app.openapi(list, async (c) => {
    const { status, search, limit, offset } = c.req.valid("query");
    const { rows, total } = await listBroadcastOverview(c.env.DB, c.get("account").accountId, {
      status,
      search,
      limit,
      offset,
    });
    return c.json(
      {
        broadcasts: rows.map((r) => ({
          uuid: r.id,
          surface: r.surface,
          name: r.name,
          status: r.status,
          scheduled_at: isoTime(r.scheduled_at),
          created_at: isoTime(r.created_at),
          recipients: r.total,
          submitted: r.submitted,
          delivered: r.delivered,
          read: r.read,
          replied: r.replied,
          failed: r.failed,
          rejected: r.rejected,
        })),
        pagination: { offset, limit, total },
      },
      200,
    );
  });

  app.openapi(activity, async (c) => {
    const { uuid } = c.req.valid("param");
    const found = await broadcastActivity(c.env, c.get("account").accountId, uuid);
    if (!found) throw notFound(`No broadcast ${uuid}`);
    return c.json(
      {
        send_rate: found.sendRate.map((p) => ({
          at: new Date(p.at).toISOString(),
          count: p.count,
        })),
        failures: found.failures.map((f) => ({
          error_code: f.code,
          title: f.title,
          count: f.count,
        })),
        send_path: {
          latency_ms: found.sendLatencyMs,
          in_flight_target: found.inFlightTarget,
          slots_missed: found.slotsMissed,
          peak_claimed: found.peakClaimed,
        },
      },
      200,
    );
  });
}
