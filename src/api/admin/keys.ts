/**
 * An account's API keys: add, list, revoke. Revocation takes effect on the next request.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { addKey, getAccount, listKeys, revokeKey } from "../../db/accounts";
import { database } from "../../db/client";
import { notFound } from "../../errors";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import { AccountIdParam, ApiKeySchema, IssuedKeySchema } from "./schemas";

const createKey = createRoute({
  method: "post",
  path: "/admin/accounts/{id}/keys",
  operationId: "admin.accounts.keys.create",
  tags: ["admin"],
  summary: "Add an API key to an account",
  security: [{ admin: [] }],
  request: {
    params: AccountIdParam,
    body: {
      ...jsonBody(z.object({ name: z.string().trim().min(1).max(200).default("default") })),
      required: false,
    },
  },
  responses: {
    201: jsonContent(IssuedKeySchema, "Key created; shown once"),
    ...errorResponses,
  },
});

const listKeysRoute = createRoute({
  method: "get",
  path: "/admin/accounts/{id}/keys",
  operationId: "admin.accounts.keys.list",
  tags: ["admin"],
  summary: "List an account's API keys (never the keys themselves)",
  security: [{ admin: [] }],
  request: { params: AccountIdParam },
  responses: { 200: jsonContent(z.array(ApiKeySchema), "The keys"), ...errorResponses },
});

const revokeKeyRoute = createRoute({
  method: "delete",
  path: "/admin/accounts/{id}/keys/{keyId}",
  operationId: "admin.accounts.keys.revoke",
  tags: ["admin"],
  summary: "Revoke an API key",
  security: [{ admin: [] }],
  request: { params: AccountIdParam.extend({ keyId: z.string().min(1).max(100) }) },
  responses: {
    200: jsonContent(z.object({ id: z.string(), revokedAt: z.string() }), "Revoked"),
    ...errorResponses,
  },
});

export function register(app: App) {
  app.openapi(createKey, async (c) => {
    const { id } = c.req.valid("param");
    const db = database(c.env.DB);
    if (!(await getAccount(db, id))) throw notFound(`No account ${id}`);
    const body = c.req.valid("json") ?? { name: "default" };
    const { row, key } = await addKey(db, id, body.name);
    return c.json(
      { id: row.id, name: row.name, prefix: row.prefix, key, createdAt: row.createdAt },
      201,
    );
  });

  app.openapi(listKeysRoute, async (c) => {
    const { id } = c.req.valid("param");
    const db = database(c.env.DB);
    if (!(await getAccount(db, id))) throw notFound(`No account ${id}`);
    return c.json(await listKeys(db, id), 200);
  });

  app.openapi(revokeKeyRoute, async (c) => {
    const { id, keyId } = c.req.valid("param");
    const revoked = await revokeKey(database(c.env.DB), id, keyId);
    if (!revoked?.revokedAt) throw notFound(`No active key ${keyId} on account ${id}`);
    return c.json({ id: revoked.id, revokedAt: revoked.revokedAt }, 200);
  });
}
