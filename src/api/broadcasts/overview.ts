/**
 * Extensions for people watching broadcasts (the dashboard uses them): every
 * broadcast of the account, both surfaces, filtered and paged from the D1
 * summaries; and one broadcast's activity from its Durable Object: sends per
 * second while it went out, and its failures grouped by Meta's error code.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { broadcastStub } from "../../durable/stubs";
import { notFound } from "../../errors";
import { errorResponses, jsonContent } from "../openapi";
import { isoTime } from "./present";
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

interface Row {
  id: string;
  surface: "broadcasts" | "v1";
  name: string;
  status: string;
  scheduled_at: string | null;
  created_at: string;
  total: number;
  submitted: number;
  delivered: number;
  read: number;
  replied: number;
  failed: number;
  rejected: number;
}

export function registerOverviewRoutes(app: App) {
  app.openapi(list, async (c) => {
    const { status, search, limit, offset } = c.req.valid("query");
    const where = ["account_id = ?"];
    const binds: (string | number)[] = [c.get("account").accountId];
    if (status) {
      where.push("status = ?");
      binds.push(status);
    }
    if (search) {
      where.push("name LIKE ? ESCAPE '\\'");
      binds.push(`%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
    }
    const clause = where.join(" AND ");
    const [page, count] = await c.env.DB.batch([
      c.env.DB.prepare(
        `SELECT id, surface, name, status, scheduled_at, created_at, total, submitted, delivered, read, replied, failed, rejected
         FROM broadcasts WHERE ${clause} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
      ).bind(...binds, limit, offset),
      c.env.DB.prepare(`SELECT COUNT(*) AS n FROM broadcasts WHERE ${clause}`).bind(...binds),
    ]);
    const rows = (page?.results ?? []) as Row[];
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
        pagination: {
          offset,
          limit,
          total: Number((count?.results?.[0] as { n: number } | undefined)?.n ?? 0),
        },
      },
      200,
    );
  });

  app.openapi(activity, async (c) => {
    const { uuid } = c.req.valid("param");
    const found = await broadcastStub(c.env, c.get("account").accountId, uuid).activity();
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
