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
import { budgetMessage } from "../../domain/messaging-limit";
import type { BroadcastPlan, NewRecipient } from "../../durable/broadcast/types";
import { broadcastStub } from "../../durable/stubs";
import { ChorusError, conflict, notFound } from "../../errors";
import { sha256Hex } from "../auth";
import { checkCallbackUrl } from "../callback-url";
import { budgetWarning, forecastBudget } from "../messaging-limit";
import { conflictResponse, errorResponses, jsonBody, jsonContent } from "../openapi";
import { resolveSendWindow } from "../send-window";
import { registerMessageStatusRoute } from "./message-statuses";
import { registerOverviewRoutes } from "./overview";
import { prepareBroadcast } from "./prepare";
import { broadcastDetails, internalStatuses, isoTime, recipientItem } from "./present";
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

const tags = ["broadcasts"];
const security = [{ bearer: [] }];
/** Recipients per load call into the DO: well under RPC and memory limits. */
const LOAD_CHUNK = 5_000;
const tooLarge = {
  413: {
    description: "Body too large",
    content: {
      "application/json": { schema: z.object({ message: z.string(), details: z.string() }) },
    },
  },
} as const;

const create = createRoute({
  method: "post",
  path: "/broadcasts",
  tags,
  security,
  summary: "Create and schedule a broadcast",
  request: { body: jsonBody(CreateBroadcastSchema) },
  responses: {
    202: jsonContent(CreatedSchema, "Accepted and scheduled"),
    ...errorResponses,
    ...conflictResponse,
    ...tooLarge,
  },
});

const validate = createRoute({
  method: "post",
  path: "/broadcasts/validate",
  tags,
  security,
  summary: "Validate a broadcast payload; nothing is stored or sent",
  request: { body: jsonBody(ValidateBroadcastSchema) },
  responses: {
    200: jsonContent(z.object({ warnings: WarningsSchema }), "The warnings"),
    ...errorResponses,
    ...tooLarge,
  },
});

const details = createRoute({
  method: "get",
  path: "/broadcasts/{uuid}",
  tags,
  security,
  summary: "Get a broadcast's details",
  request: { params: UuidParam },
  responses: { 200: jsonContent(BroadcastDetailsSchema, "The broadcast"), ...errorResponses },
});

const cancel = createRoute({
  method: "post",
  path: "/broadcasts/{uuid}/cancel",
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
      // `held` is a mark on submitted recipients, not a status to filter by.
      status: RecipientItemSchema.shape.status.exclude(["held"]).optional(),
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

/** The same client key always names the same broadcast: the DO is the idempotency anchor. */
async function idempotentBroadcastId(accountId: string, key: string): Promise<string> {
  const hex = await sha256Hex(`${accountId}\u0000${key}`);
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export function registerBroadcastRoutes(app: App) {
  registerMessageStatusRoute(app);
  registerOverviewRoutes(app);

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const key = body.client_unique_identifier ?? null;
    const requestHash = key ? await sha256Hex(JSON.stringify(body)) : null;
    const broadcastId = key ? await idempotentBroadcastId(accountId, key) : crypto.randomUUID();
    const stub = broadcastStub(c.env, accountId, broadcastId);

    if (key) {
      const first = await stub.summary();
      if (first) {
        if (first.requestHash !== requestHash) {
          throw conflict(
            "Broadcast could not be scheduled",
            `client_unique_identifier: ${key} was already used with a different request`,
          );
        }
        const kept = await stub.firstAnswer(null);
        if (kept) return c.json(JSON.parse(kept), 202);
        // Nothing kept yet: the first create is still committing. The path below
        // answers this identical request and keeps whichever answer came first.
      }
    }

    if (body.status_callback_url)
      checkCallbackUrl(c.env, body.status_callback_url, "status_callback_url");
    const prepared = await prepareBroadcast(c, body, { requireAccepted: true });
    const budget = await forecastBudget(
      c.env.DB,
      prepared.sender,
      prepared.accepted.map((r) => r.identifier),
    );
    if (budget && body.tier_policy === "refuse") {
      throw conflict(
        "Messaging limit would be exceeded",
        `from: ${budgetMessage(budget)} (tier_policy: refuse)`,
      );
    }
    const account = await getAccount(database(c.env.DB), accountId);
    const plan: BroadcastPlan = {
      accountId,
      broadcastId,
      surface: "broadcasts",
      name: body.name,
      sender: {
        id: prepared.sender.id,
        phoneNumber: prepared.sender.phoneNumber,
        phoneNumberId: prepared.sender.phoneNumberId,
        wabaId: prepared.sender.wabaId,
        throughputMps: prepared.sender.throughputMps,
      },
      template: {
        name: prepared.template.name,
        language: prepared.template.language,
        category: prepared.template.category,
      },
      scheduledAt: prepared.scheduledAt.toISOString(),
      validUntil: prepared.validUntil?.toISOString() ?? null,
      locationId: null,
      requestHash,
      expectedRows: body.recipients.length,
      definition: null,
      draft: false,
      audienceResolved: true,
      ...resolveSendWindow({ window: body.send_window, zone: body.timezone }, account),
      tierPolicy: body.tier_policy ?? "defer",
      statusCallbackUrl: body.status_callback_url ?? null,
      marketingLimitRetry: body.marketing_limit_retry ?? "next_day",
    };
    const begun = await stub.begin(plan);
    if (begun.outcome === "conflict") {
      throw conflict(
        "Broadcast could not be scheduled",
        `client_unique_identifier: ${key} was already used with a different request`,
      );
    }

    let summary = begun.outcome === "existing" ? begun.summary : null;
    if (!summary) {
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
      try {
        // Chunks travel concurrently (the DO applies them one at a time);
        // rows are keyed by seq, so order does not matter.
        const chunks: NewRecipient[][] = [];
        for (let i = 0; i < rows.length; i += LOAD_CHUNK)
          chunks.push(rows.slice(i, i + LOAD_CHUNK));
        const loads = await Promise.all(chunks.map((chunk) => stub.load(chunk)));
        if (loads.some((l) => !l.ok)) throw new Error("The broadcast vanished while loading");
        const committed = await stub.commit();
        if (!committed.ok) throw new Error(committed.error);
        summary = committed.summary;
      } catch (err) {
        // Nothing half-written: an uncommitted broadcast is wiped (the DO's alarm would too).
        if (begun.outcome === "created") await stub.abort().catch(() => undefined);
        throw err;
      }
    }
    const answer = JSON.stringify({
      uuid: broadcastId,
      status: "scheduled",
      scheduled_at: isoTime(summary.scheduledAt),
      recipients: prepared.accepted.length,
      rejected_recipients: prepared.rejected.length,
      warnings: {
        recipients: prepared.rejected.map((r) => ({
          identifier: r.identifier,
          errors: r.errors,
        })),
        ...(budget ? { messaging_limit: budgetWarning(budget) } : {}),
      },
    });
    // The anchor keeps the first answer: every repeat, concurrent or later, answers exactly it.
    const kept = key ? await stub.firstAnswer(answer) : null;
    return c.json(JSON.parse(kept ?? answer), 202);
  });

  app.openapi(validate, async (c) => {
    const prepared = await prepareBroadcast(c, c.req.valid("json"), { requireAccepted: false });
    return c.json(
      {
        warnings: {
          recipients: prepared.rejected.map((r) => ({
            identifier: r.identifier,
            errors: r.errors,
          })),
        },
      },
      200,
    );
  });

  app.openapi(details, async (c) => {
    const { uuid } = c.req.valid("param");
    const summary = await broadcastStub(c.env, c.get("account").accountId, uuid).summary();
    if (!summary) throw notFound(`No broadcast ${uuid}`);
    return c.json(broadcastDetails(summary), 200);
  });

  app.openapi(cancel, async (c) => {
    const { uuid } = c.req.valid("param");
    const result = await broadcastStub(c.env, c.get("account").accountId, uuid).cancel();
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
    const result = await broadcastStub(c.env, c.get("account").accountId, uuid).pause();
    if (!result.ok) {
      if (result.reason === "not_found") throw notFound(`No broadcast ${uuid}`);
      throw conflict("Broadcast could not be paused", `The broadcast is ${result.state}`);
    }
    return c.json({ uuid, status: result.summary.state }, 200);
  });

  app.openapi(resume, async (c) => {
    const { uuid } = c.req.valid("param");
    const result = await broadcastStub(c.env, c.get("account").accountId, uuid).resume();
    if (!result.ok) {
      if (result.reason === "not_found") throw notFound(`No broadcast ${uuid}`);
      throw conflict("Broadcast could not be resumed", `The broadcast is ${result.state}`);
    }
    return c.json({ uuid, status: result.summary.state }, 200);
  });

  app.openapi(recipients, async (c) => {
    const { uuid } = c.req.valid("param");
    const q = c.req.valid("query");
    const page = await broadcastStub(c.env, c.get("account").accountId, uuid).recipients({
      limit: q.limit,
      offset: q.offset,
      updatedSince: q.updated ? new Date(q.updated).toISOString() : null,
      status: q.status ? internalStatuses(q.status) : null,
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
