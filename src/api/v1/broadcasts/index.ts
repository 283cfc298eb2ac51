/**
 * /v1/broadcasts: broadcasts to the account's own audience (contacts,
 * segments, class enrolments, or an earlier broadcast's recipients), on the
 * same engine as the Broadcasts API. The audience is resolved when sending
 * starts, not at create.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, count, desc, eq, or, type SQL, sql } from "drizzle-orm";
import type { App } from "../../../app";
import { database } from "../../../db/client";
import { broadcasts } from "../../../db/schema";
import { locationExists } from "../../../db/senders";
import type { BroadcastState, BroadcastSummary } from "../../../durable/broadcast/types";
import type { StateChange } from "../../../durable/broadcast-do";
import { broadcastStub } from "../../../durable/stubs";
import { badRequest, conflict, notFound } from "../../../errors";
import { costing } from "../../cost";
import {
  conflictResponse,
  errorResponses,
  IdParam,
  jsonBody,
  jsonContent,
  PageQuery,
} from "../../openapi";
import * as estimate from "./estimate";
import { buildV1Plan } from "./plan";
import { fromRow, fromSummary, logRow } from "./present";
import { V1BroadcastSchema, V1BroadcastWriteSchema, V1LogSchema } from "./schemas";

const tags = ["v1 broadcasts"];
const security = [{ apiKey: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/broadcasts",
  tags,
  security,
  summary: "List v1 broadcasts, newest first",
  request: {
    query: PageQuery.extend({
      startDate: z.iso
        .datetime({ offset: true })
        .optional()
        .openapi({ description: "scheduleDateTime (creation time for drafts) at or after" }),
      endDate: z.iso.datetime({ offset: true }).optional(),
      locationId: z.string().max(100).optional(),
      searchText: z
        .string()
        .max(200)
        .optional()
        .openapi({ description: "Name or template name, case-insensitive" }),
    }),
  },
  responses: {
    200: jsonContent(z.array(V1BroadcastSchema), "Broadcasts; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/broadcasts",
  tags,
  security,
  summary:
    "Create a broadcast (a draft with status 'draft', else scheduled for scheduleDateTime or now)",
  request: { body: jsonBody(V1BroadcastWriteSchema) },
  responses: { 200: jsonContent(V1BroadcastSchema, "Created"), ...errorResponses },
});

const get = createRoute({
  method: "get",
  path: "/v1/broadcasts/{id}",
  tags,
  security,
  summary: "Get a broadcast",
  request: { params: IdParam },
  responses: { 200: jsonContent(V1BroadcastSchema, "The broadcast"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/broadcasts/{id}",
  tags,
  security,
  summary:
    "Replace the editable fields (draft or scheduled; afterwards only name and status) and move status: draft ⇄ scheduled, sending → paused, paused → scheduled (resume), anything not completed → cancelled",
  request: { params: IdParam, body: jsonBody(V1BroadcastWriteSchema) },
  responses: {
    200: jsonContent(V1BroadcastSchema, "Updated"),
    ...errorResponses,
    ...conflictResponse,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/broadcasts/{id}",
  tags,
  security,
  summary: "Delete a broadcast (cancelling what is still unsent first)",
  request: { params: IdParam },
  responses: {
    200: jsonContent(z.object({ success: z.literal(true) }), "Deleted"),
    ...errorResponses,
  },
});

const logs = createRoute({
  method: "get",
  path: "/v1/broadcasts/{id}/logs",
  tags,
  security,
  summary: "One row per recipient",
  request: { params: IdParam, query: PageQuery },
  responses: {
    200: jsonContent(z.array(V1LogSchema), "Recipients; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

function stateOutcome(result: StateChange, id: string, move: string) {
  if (result.ok) return result.summary;
  if (result.reason === "not_found") throw notFound(`No broadcast ${id}`);
  throw conflict("Status change not allowed", `Cannot ${move} a broadcast that is ${result.state}`);
}

/** The status moves PUT allows, from → to. */
const MOVES: Record<string, BroadcastState[]> = {
  draft: ["scheduled", "cancelled"],
  scheduled: ["draft", "cancelled"],
  sending: ["paused", "cancelled"],
  paused: ["scheduled", "cancelled"],
};

export function registerV1BroadcastRoutes(app: App) {
  estimate.register(app);
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const { accountId } = c.get("account");
    const db = database(c.env.DB);
    const conditions: SQL[] = [eq(broadcasts.accountId, accountId), eq(broadcasts.surface, "v1")];
    // Drafts have no schedule that means anything yet: they are dated by creation.
    const when = sql`(CASE WHEN ${broadcasts.status} = 'draft' THEN ${broadcasts.createdAt} ELSE ${broadcasts.scheduledAt} END)`;
    if (q.startDate) conditions.push(sql`${when} >= ${new Date(q.startDate).toISOString()}`);
    if (q.endDate) conditions.push(sql`${when} <= ${new Date(q.endDate).toISOString()}`);
    if (q.locationId) {
      if (!(await locationExists(db, accountId, q.locationId))) {
        throw badRequest(
          "Invalid query",
          `locationId: no location ${q.locationId} in this account`,
        );
      }
      conditions.push(eq(broadcasts.locationId, q.locationId));
    }
    if (q.searchText) {
      const pattern = `%${q.searchText.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      const match = or(
        sql`${broadcasts.name} LIKE ${pattern} ESCAPE '\\'`,
        sql`${broadcasts.templateName} LIKE ${pattern} ESCAPE '\\'`,
      );
      if (match) conditions.push(match);
    }
    const where = and(...conditions);
    const [rows, total] = await db.batch([
      db
        .select()
        .from(broadcasts)
        .where(where)
        .orderBy(desc(broadcasts.createdAt), asc(broadcasts.id))
        .limit(q.limit)
        .offset((q.page - 1) * q.limit),
      db.select({ n: count() }).from(broadcasts).where(where),
    ]);
    c.header("X-Total-Count", String(total[0]?.n ?? 0));
    return c.json(rows.map(fromRow), 200);
  });

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    if (body.status && body.status !== "draft" && body.status !== "scheduled") {
      throw badRequest(
        "Invalid request body",
        `status: a new broadcast is 'draft' or 'scheduled', not '${body.status}'`,
      );
    }
    const id = crypto.randomUUID();
    const plan = await buildV1Plan(c, body, id);
    const stub = broadcastStub(c.env, plan.accountId, id);
    const begun = await stub.begin(plan);
    if (begun.outcome !== "created") throw conflict("Broadcast could not be created", "Try again");
    const committed = await stub.commit();
    if (!committed.ok) throw new Error(committed.error);
    return c.json(fromSummary(committed.summary), 200);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const stub = broadcastStub(c.env, c.get("account").accountId, id);
    const summary = await stub.summary();
    if (summary?.surface !== "v1") throw notFound(`No broadcast ${id}`);
    return c.json({ ...fromSummary(summary), ...(await costing(c.env.DB, summary, stub)) }, 200);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const stub = broadcastStub(c.env, c.get("account").accountId, id);
    const current = await stub.summary();
    if (current?.surface !== "v1") throw notFound(`No broadcast ${id}`);
    const from = current.state;
    const to = (body.status ?? from) as BroadcastState;
    if (to !== from && !MOVES[from]?.includes(to)) {
      throw conflict(
        "Status change not allowed",
        `status: cannot move a ${from} broadcast to ${to}`,
      );
    }
    let summary: BroadcastSummary = current;
    if (from === "draft" || from === "scheduled") {
      // Before sending starts every field is editable: rebuild the plan as a create would.
      if (to !== "cancelled") {
        const plan = await buildV1Plan(
          c,
          { ...body, status: to === "draft" ? "draft" : "scheduled" },
          id,
        );
        summary = stateOutcome(await stub.replacePlan(plan), id, "edit");
      }
    } else if (body.name !== current.name) {
      summary = stateOutcome(await stub.rename(body.name), id, "rename");
    }
    if (to !== from) {
      if (to === "cancelled") summary = stateOutcome(await stub.cancel(), id, "cancel");
      else if (to === "paused")
        summary = stateOutcome(await stub.pause("Paused by request"), id, "pause");
      else if (from === "paused") summary = stateOutcome(await stub.resume(), id, "resume");
    }
    return c.json(fromSummary(summary), 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    const stub = broadcastStub(c.env, c.get("account").accountId, id);
    const current = await stub.summary();
    if (current?.surface !== "v1") throw notFound(`No broadcast ${id}`);
    await stub.remove();
    return c.json({ success: true as const }, 200);
  });

  app.openapi(logs, async (c) => {
    const { id } = c.req.valid("param");
    const { limit, page } = c.req.valid("query");
    const stub = broadcastStub(c.env, c.get("account").accountId, id);
    const summary = await stub.summary();
    if (summary?.surface !== "v1") throw notFound(`No broadcast ${id}`);
    const rows = await stub.recipients({
      limit,
      offset: (page - 1) * limit,
      updatedSince: null,
      status: null,
    });
    c.header("X-Total-Count", String(rows?.total ?? 0));
    const ref = { id, name: summary.name };
    return c.json(
      (rows?.rows ?? []).map((r) => logRow(ref, r)),
      200,
    );
  });
}
