/**
 * /v1/templates: read-only copies of the senders' Meta templates, refreshed by
 * POST /v1/templates/sync.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { database } from "../../../db/client";
import type { Template } from "../../../db/schema";
import { getSender } from "../../../db/senders";
import { getTemplate, listTemplates } from "../../../db/templates";
import { badRequest, ChorusError, notFound } from "../../../errors";
import { syncSenderTemplates } from "../../../whatsapp/template-sync";
import { TemplateSyncError } from "../../../whatsapp/templates";
import {
  errorResponse,
  errorResponses,
  IdParam,
  jsonBody,
  jsonContent,
  PageQuery,
} from "../../openapi";

const tags = ["templates"];
const security = [{ apiKey: [] }];

export const TemplateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    language: z.string(),
    status: z.string(),
    category: z.string(),
    qualityScore: z.string().nullable().openapi({
      description:
        "Meta's latest quality rating (GREEN, YELLOW, RED, UNKNOWN) from its message_template_quality_update webhook; null before one",
    }),
    sendTtlSeconds: z.number().int().nullable().openapi({
      description:
        "Extension: Meta's message_send_ttl_seconds as synced (how long Meta tries to deliver; a message still undelivered by send + TTL + 1 h is undeliverable, expired at Meta); null: Meta's default for the category (30 days marketing and utility, 10 minutes authentication)",
    }),
    wabaId: z.string(),
    parameterFormat: z.string(),
    components: z.array(z.unknown()),
    syncedAt: z.string(),
  })
  .openapi("Template");

function toTemplateJson(t: Template): z.infer<typeof TemplateSchema> {
  return {
    id: t.id,
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    qualityScore: t.qualityScore,
    sendTtlSeconds: t.sendTtlSeconds,
    wabaId: t.wabaId,
    parameterFormat: t.parameterFormat,
    components: JSON.parse(t.components) as unknown[],
    syncedAt: t.syncedAt,
  };
}

const list = createRoute({
  method: "get",
  path: "/v1/templates",
  operationId: "v1.templates.list",
  tags,
  security,
  summary: "List templates",
  request: {
    query: PageQuery.extend({
      name: z.string().max(512).optional(),
      language: z.string().max(20).optional(),
      status: z.string().max(40).optional(),
      senderId: z.string().max(100).optional(),
    }),
  },
  responses: {
    200: jsonContent(z.array(TemplateSchema), "Templates; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/templates/{id}",
  operationId: "v1.templates.get",
  tags,
  security,
  summary: "Get a template",
  request: { params: IdParam },
  responses: { 200: jsonContent(TemplateSchema, "The template"), ...errorResponses },
});

const sync = createRoute({
  method: "post",
  path: "/v1/templates/sync",
  operationId: "v1.templates.sync",
  tags,
  security,
  summary: "Pull a sender's templates from Meta",
  request: { body: jsonBody(z.object({ senderId: z.string().min(1).max(100) })) },
  responses: {
    200: jsonContent(z.object({ synced: z.number().int() }), "How many templates Meta returned"),
    ...errorResponses,
    502: errorResponse("Meta refused the template list"),
  },
});

export function registerTemplateRoutes(app: App) {
  app.openapi(list, async (c) => {
    const q = c.req.valid("query");
    const { accountId } = c.get("account");
    const db = database(c.env.DB);
    let wabaId: string | undefined;
    if (q.senderId) {
      const sender = await getSender(db, accountId, q.senderId);
      if (!sender)
        throw badRequest("Invalid query", `senderId: no sender ${q.senderId} in this account`);
      wabaId = sender.wabaId;
    }
    const { rows, total } = await listTemplates(
      db,
      accountId,
      { name: q.name, language: q.language, status: q.status, wabaId },
      q.limit,
      (q.page - 1) * q.limit,
    );
    c.header("X-Total-Count", String(total));
    return c.json(rows.map(toTemplateJson), 200);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const template = await getTemplate(database(c.env.DB), c.get("account").accountId, id);
    if (!template) throw notFound(`No template ${id}`);
    return c.json(toTemplateJson(template), 200);
  });

  app.openapi(sync, async (c) => {
    const { senderId } = c.req.valid("json");
    const db = database(c.env.DB);
    const sender = await getSender(db, c.get("account").accountId, senderId);
    if (!sender) throw notFound(`No sender ${senderId}`);
    try {
      return c.json({ synced: await syncSenderTemplates(c.env, db, sender) }, 200);
    } catch (err) {
      if (err instanceof TemplateSyncError) {
        throw new ChorusError(
          "UPSTREAM_ERROR",
          "WhatsApp refused the template list",
          `${err.meta.code}: ${err.meta.title}`,
        );
      }
      throw err;
    }
  });
}
