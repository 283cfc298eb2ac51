/**
 * /v1/suppressions: numbers this account never messages (opt-outs from a STOP
 * reply land here too). Every audience leaves them out; deleting an entry
 * does not opt a contact back in.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { database } from "../../../db/client";
import {
  deleteSuppression,
  getSuppression,
  insertSuppression,
  listSuppressions,
} from "../../../db/suppression-list";
import { conflict, notFound } from "../../../errors";
import { conflictResponse, errorResponses, jsonBody, jsonContent, PageQuery } from "../../openapi";
import { e164 } from "../contacts/schemas";
import {
  PhoneParam,
  SuppressionSchema,
  SuppressionWriteSchema,
  toSuppressionJson,
} from "./schemas";

const tags = ["suppressions"];
const security = [{ apiKey: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/suppressions",
  operationId: "v1.suppressions.list",
  tags,
  security,
  summary: "List suppressed numbers",
  description: "Newest first.",
  request: { query: PageQuery },
  responses: {
    200: jsonContent(z.array(SuppressionSchema), "Suppressions; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/suppressions",
  operationId: "v1.suppressions.create",
  tags,
  security,
  summary: "Suppress a number (409 if it already is)",
  request: { body: jsonBody(SuppressionWriteSchema) },
  responses: {
    201: jsonContent(SuppressionSchema, "Suppressed"),
    ...errorResponses,
    ...conflictResponse,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/suppressions/{phone}",
  operationId: "v1.suppressions.get",
  tags,
  security,
  summary: "Get a suppressed number",
  request: { params: PhoneParam },
  responses: { 200: jsonContent(SuppressionSchema, "The suppression"), ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/suppressions/{phone}",
  operationId: "v1.suppressions.delete",
  tags,
  security,
  summary: "Stop suppressing a number (the contact's optedIn is not changed)",
  request: { params: PhoneParam },
  responses: {
    200: jsonContent(z.object({ success: z.literal(true) }), "Removed"),
    ...errorResponses,
  },
});

export function registerSuppressionRoutes(app: App) {
  app.openapi(list, async (c) => {
    const { limit, page } = c.req.valid("query");
    const { rows, total } = await listSuppressions(
      database(c.env.DB),
      c.get("account").accountId,
      limit,
      (page - 1) * limit,
    );
    c.header("X-Total-Count", String(total));
    return c.json(rows.map(toSuppressionJson), 200);
  });

  app.openapi(create, async (c) => {
    const { phone, reason } = c.req.valid("json");
    const suppression = await insertSuppression(
      database(c.env.DB),
      c.get("account").accountId,
      phone,
      reason,
    );
    if (!suppression) {
      throw conflict("Already suppressed", `phone: ${e164(phone)} is already suppressed`);
    }
    return c.json(toSuppressionJson(suppression), 201);
  });

  app.openapi(get, async (c) => {
    const { phone } = c.req.valid("param");
    const suppression = await getSuppression(database(c.env.DB), c.get("account").accountId, phone);
    if (!suppression) throw notFound(`${e164(phone)} is not suppressed`);
    return c.json(toSuppressionJson(suppression), 200);
  });

  app.openapi(remove, async (c) => {
    const { phone } = c.req.valid("param");
    if (!(await deleteSuppression(database(c.env.DB), c.get("account").accountId, phone)))
      throw notFound(`${e164(phone)} is not suppressed`);
    return c.json({ success: true as const }, 200);
  });
}
