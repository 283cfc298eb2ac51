/**
 * The Broadcasts API (inline recipients): create, validate, details, cancel,
 * recipients, and the pause/resume extension. Every broadcast lives in its
 * own BroadcastDO; the DO's name includes the account, so a uuid of another
 * account simply does not exist here.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { getAccount } from "../../db/accounts";
import { database } from "../../db/client";
import type { BroadcastPlan, NewRecipient } from "../../domain/broadcast";
import { countByCallingCode } from "../../domain/cost";
import { isoTime } from "../../domain/message-status";
import { budgetMessage } from "../../domain/messaging-limit";
import { changeState } from "../../engine/change-state";
import { broadcastCosting, estimateFor } from "../../engine/cost";
import {
  createAnchor,
  createBroadcast,
  earlierCreate,
  keepFirstAnswer,
} from "../../engine/create-broadcast";
import { broadcastRecipients, broadcastSummary } from "../../engine/read-broadcast";
import { senderSnapshot } from "../../engine/sender-and-template";
import { ChorusError, conflict, notFound } from "../../errors";
import { checkCallbackUrl } from "../callback-url";
import { EstimateSchema } from "../cost";
import { budgetWarning, forecastBudget } from "../messaging-limit";
import { conflictResponse, errorResponses, jsonBody, jsonContent } from "../openapi";
import { resolveSendWindow } from "../send-window";
import { registerMessageStatusRoute } from "./message-statuses";
import { registerOverviewRoutes } from "./overview";
import { prepareBroadcast } from "./prepare";
import { broadcastDetails, recipientFilter, recipientItem } from "./present";
import { registerRecipientsExportRoute } from "./recipients-export";
import {
  BroadcastDetailsSchema,
  CreateBroadcastSchema,
  CreatedSchema,
  PaginationSchema,
  RecipientItemSchema,
  UuidParam,
  ValidateBroadcastSchema,
  WarningsSchema,
} from "./schemas";

type Created = z.infer<typeof CreatedSchema>;

const tags = ["broadcasts"];
const security = [{ bearer: [] }];

const create = createRoute({
  method: "post",
  path: "/broadcasts",
  operationId: "broadcasts.create",
  tags,
  security,
  summary: "Create and schedule a broadcast",
  request: { body: jsonBody(CreateBroadcastSchema) },
  responses: {
    202: jsonContent(CreatedSchema, "Accepted and scheduled"),
    ...errorResponses,
    ...conflictResponse,
  },
});

const validate = createRoute({
  method: "post",
  path: "/broadcasts/validate",
  operationId: "broadcasts.validate",
  tags,
  security,
  summary: "Validate a broadcast payload; nothing is stored or sent",
  request: { body: jsonBody(ValidateBroadcastSchema) },
  responses: {
    200: jsonContent(
      z.object({ warnings: WarningsSchema, estimate: EstimateSchema.nullable() }),
      "The warnings, and what sending would cost at most",
    ),
    ...errorResponses,
  },
});

const details = createRoute({
  method: "get",
  path: "/broadcasts/{uuid}",
  operationId: "broadcasts.get",
  tags,
  security,
  summary: "Get a broadcast's details",
  request: { params: UuidParam },
  responses: { 200: jsonContent(BroadcastDetailsSchema, "The broadcast"), ...errorResponses },
});

const cancel = createRoute({
  method: "post",
  path: "/broadcasts/{uuid}/cancel",
  operationId: "broadcasts.cancel",
  tags,
  security,
  summary: "Cancel a broadcast: recipients not yet submitted are cancelled",
  request: { params: UuidParam },
  responses: {
    200: jsonContent(z.object({ uuid: z.string(), status: z.literal("cancelled") }), "Cancelled"),
    ...errorResponses,
  },
});

const pause = createRoute({
  method: "post",
  path: "/broadcasts/{uuid}/pause",
  operationId: "broadcasts.pause",
  tags,
  security,
  summary: "Extension: pause a scheduled or sending broadcast",
  request: { params: UuidParam },
  responses: {
    200: jsonContent(z.object({ uuid: z.string(), status: z.string() }), "Paused"),
    ...errorResponses,
    ...conflictResponse,
  },
});

const resume = createRoute({
  method: "post",
  path: "/broadcasts/{uuid}/resume",
  operationId: "broadcasts.resume",
  tags,
  security,
  summary: "Extension: resume a paused broadcast from where it stopped",
  request: { params: UuidParam },
  responses: {
    200: jsonContent(z.object({ uuid: z.string(), status: z.string() }), "Resumed"),
    ...errorResponses,
    ...conflictResponse,
  },
});

const recipients = createRoute({
  method: "get",
  path: "/broadcasts/{uuid}/recipients",
  operationId: "broadcasts.recipients.list",
  tags,
  security,
  summary: "One page of a broadcast's recipients, rejected ones included",
  request: {
    params: UuidParam,
    query: z.object({
      limit: z.coerce.number().int().min(1).max(1000).default(50),
      offset: z.coerce.number().int().min(0).default(0),
      updated: z.iso
        .datetime({ offset: true })
        .optional()
        .openapi({ description: "Only rows changed at or after this time, oldest change first" }),
      // `held`: submitted and held by Meta for quality assessment; `submitted`: the others.
      status: RecipientItemSchema.shape.status.optional(),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({
        uuid: z.string(),
        recipients: z.array(RecipientItemSchema),
        pagination: PaginationSchema,
      }),
      "The page",
    ),
    ...errorResponses,
  },
});

export function registerBroadcastRoutes(app: App) {
  registerMessageStatusRoute(app);
  registerOverviewRoutes(app);
  registerRecipientsExportRoute(app);

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const key = body.client_unique_identifier ?? null;
    const reused = () =>
      conflict(
        "Broadcast could not be scheduled",
        `client_unique_identifier: ${key} was already used with a different request`,
      );
    const anchor = await createAnchor(accountId, key, body);
    const earlier = await earlierCreate(c.env, accountId, anchor);
    if (earlier.kind === "conflict") throw reused();
    if (earlier.kind === "answered") return c.json(earlier.answer as Created, 202);

    if (body.status_callback_url)
      checkCallbackUrl(c.env, body.status_callback_url, "status_callback_url");
    const prepared = await prepareBroadcast(c, body, { requireAccepted: true });
    const budget = await forecastBudget(
      c.env,
      prepared.sender,
      prepared.accepted.map((r) => r.identifier),
    );
    if (budget && body.tier_policy === "refuse") {
      throw conflict(
        "Messaging limit would be exceeded",
        `from: ${budgetMessage(budget)} (tier_policy: refuse)`,
      );
    }
    const estimate = await estimateFor(
      c.env.DB,
      prepared.template.category,
      countByCallingCode(prepared.accepted.map((r) => r.identifier)),
    );
    const account = await getAccount(database(c.env.DB), accountId);
    const plan: BroadcastPlan = {
      accountId,
      broadcastId: anchor.broadcastId,
      surface: "broadcasts",
      name: body.name,
      sender: senderSnapshot(prepared.sender),
      template: {
        name: prepared.template.name,
        language: prepared.template.language,
        category: prepared.template.category,
      },
      scheduledAt: prepared.scheduledAt.toISOString(),
      validUntil: prepared.validUntil?.toISOString() ?? null,
      locationId: null,
      requestHash: anchor.requestHash,
      expectedRows: body.recipients.length,
      definition: null,
      draft: false,
      audienceResolved: true,
      ...resolveSendWindow({ window: body.send_window, zone: body.timezone }, account),
      tierPolicy: body.tier_policy ?? "defer",
      statusCallbackUrl: body.status_callback_url ?? null,
      marketingLimitRetry: body.marketing_limit_retry ?? "next_day",
      frequencyCap: body.frequency_cap ?? "skip",
    };
    const rows: NewRecipient[] = [
      ...prepared.accepted.map((r) => ({
        seq: r.index,
        identifier: r.identifier,
        clientReference: r.clientReference,
        components: JSON.stringify(r.components),
        name: null,
        rejected: null,
      })),
      ...prepared.rejected.map((r) => ({
        seq: r.index,
        identifier: r.identifier,
        clientReference: r.clientReference,
        components: null,
        name: null,
        rejected: r.errors,
      })),
    ];
    const created = await createBroadcast(c.env, plan, rows);
    if (!created.ok) throw reused();
    const answer: Created = {
      uuid: anchor.broadcastId,
      status: "scheduled",
      scheduled_at: isoTime(created.summary.scheduledAt),
      recipients: prepared.accepted.length,
      rejected_recipients: prepared.rejected.length,
      warnings: {
        recipients: prepared.rejected.map((r) => ({
          identifier: r.identifier,
          errors: r.errors,
        })),
        ...(budget ? { messaging_limit: budgetWarning(budget) } : {}),
      },
      estimate,
    };
    // Every repeat, concurrent or later, answers exactly the first answer kept.
    return c.json((await keepFirstAnswer(c.env, accountId, anchor, answer)) as Created, 202);
  });

  app.openapi(validate, async (c) => {
    const prepared = await prepareBroadcast(c, c.req.valid("json"), { requireAccepted: false });
    const estimate = await estimateFor(
      c.env.DB,
      prepared.template.category,
      countByCallingCode(prepared.accepted.map((r) => r.identifier)),
    );
    return c.json(
      {
        warnings: {
          recipients: prepared.rejected.map((r) => ({
            identifier: r.identifier,
            errors: r.errors,
          })),
        },
        estimate,
      },
      200,
    );
  });

  app.openapi(details, async (c) => {
    const { uuid } = c.req.valid("param");
    const summary = await broadcastSummary(c.env, c.get("account").accountId, uuid);
    if (!summary) throw notFound(`No broadcast ${uuid}`);
    return c.json(
      { ...broadcastDetails(summary), ...(await broadcastCosting(c.env, summary)) },
      200,
    );
  });

  app.openapi(cancel, async (c) => {
    const { uuid } = c.req.valid("param");
    const result = await changeState(c.env, c.get("account").accountId, uuid, { move: "cancel" });
    if (!result.ok) {
      if (result.reason === "not_found") throw notFound(`No broadcast ${uuid}`);
      throw new ChorusError(
        "BAD_REQUEST",
        "Broadcast could not be cancelled",
        `The broadcast is already ${result.state}`,
      );
    }
    return c.json({ uuid, status: "cancelled" as const }, 200);
  });

  app.openapi(pause, async (c) => {
    const { uuid } = c.req.valid("param");
    const result = await changeState(c.env, c.get("account").accountId, uuid, { move: "pause" });
    if (!result.ok) {
      if (result.reason === "not_found") throw notFound(`No broadcast ${uuid}`);
      throw conflict("Broadcast could not be paused", `The broadcast is ${result.state}`);
    }
    return c.json({ uuid, status: result.summary.state }, 200);
  });

  app.openapi(resume, async (c) => {
    const { uuid } = c.req.valid("param");
    const result = await changeState(c.env, c.get("account").accountId, uuid, { move: "resume" });
    if (!result.ok) {
      if (result.reason === "not_found") throw notFound(`No broadcast ${uuid}`);
      throw conflict("Broadcast could not be resumed", `The broadcast is ${result.state}`);
    }
    return c.json({ uuid, status: result.summary.state }, 200);
  });

  app.openapi(recipients, async (c) => {
    const { uuid } = c.req.valid("param");
    const q = c.req.valid("query");
    const page = await broadcastRecipients(c.env, c.get("account").accountId, uuid, {
      limit: q.limit,
      offset: q.offset,
      updatedSince: q.updated ? new Date(q.updated).toISOString() : null,
      ...(q.status ? recipientFilter(q.status) : { status: null }),
    });
    if (!page) throw notFound(`No broadcast ${uuid}`);
    return c.json(
      {
        uuid,
        recipients: page.rows.map(recipientItem),
        pagination: { offset: q.offset, limit: q.limit, total: page.total },
      },
      200,
    );
  });
}
