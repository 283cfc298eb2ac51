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
  listSuppressionEntries,
} from "../../../db/suppression-list";
import { conflict, notFound } from "../../../errors";
import { conflictResponse, errorResponses, jsonBody, jsonContent, PageQuery } from "../../openapi";
import { e164 } from "../contacts/schemas";
import {
  entryJson,
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
  description:
    "Newest first. `scope` `all` (STOP replies, manual entries) or `marketing` (Meta's marketing opt-outs: a `user_preferences` stop or a 131050; only the person's `resume` lifts them).",
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
  summary:
    "Stop suppressing a number (the contact's optedIn is not changed; a marketing opt-out stays until the person resumes)",
  request: { params: PhoneParam },
  responses: {
    200: jsonContent(z.object({ success: z.literal(true) }), "Removed"),
    ...errorResponses,
    ...conflictResponse,
  },
});

export function registerSuppressionRoutes(app: App) {
  app.openapi(list, async (c) => {
    const { limit, page } = c.req.valid("query");
    const { rows, total } = await listSuppressionEntries(
      c.env.DB,
      c.get("account").accountId,
      limit,
      (page - 1) * limit,
    );
    c.header("X-Total-Count", String(total));
    return c.json(rows.map(entryJson), 200);
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
    if (suppression) return c.json(toSuppressionJson(suppression), 200);
    // Else Meta's marketing opt-out, if there is one.
    const { rows } = await listSuppressionEntries(
      c.env.DB,
      c.get("account").accountId,
      1,
      0,
      phone,
    );
    if (!rows[0]) throw notFound(`${e164(phone)} is not suppressed`);
    return c.json(entryJson(rows[0]), 200);
  });

  app.openapi(remove, async (c) => {
    const { phone } = c.req.valid("param");
    const { accountId } = c.get("account");
    if (!(await deleteSuppression(database(c.env.DB), accountId, phone))) {
      const { rows } = await listSuppressionEntries(c.env.DB, accountId, 1, 0, phone);
      if (rows[0])
        throw conflict(
          "Marketing opt-out",
          `phone: ${e164(phone)} stopped marketing messages at Meta; only the person's resume lifts it`,
        );
      throw notFound(`${e164(phone)} is not suppressed`);
    }
    return c.json({ success: true as const }, 200);
  });
}
