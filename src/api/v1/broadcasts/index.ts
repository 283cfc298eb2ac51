/**
 * /v1/broadcasts: broadcasts to the account's own audience (contacts,
 * segments, class enrolments, or an earlier broadcast's recipients), on the
 * same engine as the Broadcasts API. The audience is resolved when sending
 * starts, not at create.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { listV1Broadcasts } from "../../../db/broadcast-lists";
import { database } from "../../../db/client";
import { locationExists } from "../../../db/senders";
import type { BroadcastState, BroadcastSummary } from "../../../domain/broadcast";
import { canMove, v1StatusMove } from "../../../domain/broadcast-moves";
import {
  changeState,
  renameBroadcast,
  type StateChange,
  type StateRequest,
} from "../../../engine/change-state";
import { broadcastCosting } from "../../../engine/cost";
import { createBroadcast } from "../../../engine/create-broadcast";
import {
  broadcastRecipients,
  broadcastSummary,
  removeBroadcast,
} from "../../../engine/read-broadcast";
import type { Bindings } from "../../../env";
import { badRequest, conflict, notFound } from "../../../errors";
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
  operationId: "v1.broadcasts.list",
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
  operationId: "v1.broadcasts.create",
  tags,
  security,
  summary:
    "Create a broadcast (a draft with status 'draft', else scheduled for scheduleDateTime or now)",
  request: { body: jsonBody(V1BroadcastWriteSchema) },
  responses: {
    200: jsonContent(V1BroadcastSchema, "Created"),
    ...errorResponses,
    ...conflictResponse,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/broadcasts/{id}",
  operationId: "v1.broadcasts.get",
  tags,
  security,
  summary: "Get a broadcast",
  request: { params: IdParam },
  responses: { 200: jsonContent(V1BroadcastSchema, "The broadcast"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/broadcasts/{id}",
  operationId: "v1.broadcasts.update",
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
  operationId: "v1.broadcasts.delete",
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
  operationId: "v1.broadcasts.logs",
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

/** One broadcast as every single-broadcast answer shows it (GET, POST, PUT): with its estimate and cost. */
async function withCost(env: Bindings, summary: BroadcastSummary) {
  return { ...fromSummary(summary), ...(await broadcastCosting(env, summary)) };
}

export function registerV1BroadcastRoutes(app: App) {
  estimate.register(app);
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const { accountId } = c.get("account");
    if (q.locationId && !(await locationExists(database(c.env.DB), accountId, q.locationId))) {
      throw badRequest("Invalid query", `locationId: no location ${q.locationId} in this account`);
    }
    const { rows, total } = await listV1Broadcasts(c.env.DB, accountId, {
      startDate: q.startDate && new Date(q.startDate).toISOString(),
      endDate: q.endDate && new Date(q.endDate).toISOString(),
      locationId: q.locationId,
      searchText: q.searchText,
      limit: q.limit,
      offset: (q.page - 1) * q.limit,
    });
    c.header("X-Total-Count", String(total));
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
    const created = await createBroadcast(c.env, plan, []);
    if (!created.ok) throw conflict("Broadcast could not be created", "Try again");
    return c.json(await withCost(c.env, created.summary), 200);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const summary = await broadcastSummary(c.env, c.get("account").accountId, id);
    if (summary?.surface !== "v1") throw notFound(`No broadcast ${id}`);
    return c.json(await withCost(c.env, summary), 200);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const current = await broadcastSummary(c.env, accountId, id);
    if (current?.surface !== "v1") throw notFound(`No broadcast ${id}`);
    const from = current.state;
    const to = (body.status ?? from) as BroadcastState;
    const move = v1StatusMove(from, to);
    if (move === "refused") {
      throw conflict(
        "Status change not allowed",
        `status: cannot move a ${from} broadcast to ${to}`,
      );
    }
    const change = async (request: StateRequest, verb: string) =>
      stateOutcome(await changeState(c.env, accountId, id, request), id, verb);
    let summary: BroadcastSummary = current;
    if (canMove("replan", from)) {
      // Before sending starts every field is editable: rebuild the plan as a create would.
      if (move !== "cancel") {
        const plan = await buildV1Plan(
          c,
          { ...body, status: to === "draft" ? "draft" : "scheduled" },
          id,
        );
        summary = await change({ move: "replan", plan }, "edit");
      }
    } else if (body.name !== current.name) {
      summary = stateOutcome(await renameBroadcast(c.env, accountId, id, body.name), id, "rename");
    }
    if (move === "cancel") summary = await change({ move: "cancel" }, "cancel");
    else if (move === "pause")
      summary = await change({ move: "pause", reason: "Paused by request" }, "pause");
    else if (move === "resume") summary = await change({ move: "resume" }, "resume");
    return c.json(await withCost(c.env, summary), 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    const { accountId } = c.get("account");
    const current = await broadcastSummary(c.env, accountId, id);
    if (current?.surface !== "v1") throw notFound(`No broadcast ${id}`);
    await removeBroadcast(c.env, accountId, id);
    return c.json({ success: true as const }, 200);
  });

  app.openapi(logs, async (c) => {
    const { id } = c.req.valid("param");
    const { limit, page } = c.req.valid("query");
    const { accountId } = c.get("account");
    const summary = await broadcastSummary(c.env, accountId, id);
    if (summary?.surface !== "v1") throw notFound(`No broadcast ${id}`);
    const rows = await broadcastRecipients(c.env, accountId, id, {
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
