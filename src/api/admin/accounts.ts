import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { createAccount } from "../../db/accounts";
import { database } from "../../db/client";
import { errorResponses, jsonBody, jsonContent } from "../openapi";
import { AccountSchema, IssuedKeySchema } from "./schemas";

const createAccountRoute = createRoute({
  method: "post",
  path: "/admin/accounts",
  operationId: "admin.accounts.create",
  tags: ["admin"],
  summary: "Create an account and its first API key",
  security: [{ admin: [] }],
  request: { body: jsonBody(z.object({ name: z.string().trim().min(1).max(200) })) },
  responses: {
    201: jsonContent(
      z.object({ account: AccountSchema, apiKey: IssuedKeySchema }),
      "Account created; the key is shown once",
    ),
    400: errorResponses[400],
    401: errorResponses[401],
  },
});

export function register(app: App) {
  app.openapi(createAccountRoute, async (c) => {
    const { name } = c.req.valid("json");
    const { account, key, keyRow } = await createAccount(database(c.env.DB), name);
    return c.json(
      {
        account,
        apiKey: {
          id: keyRow.id,
          name: keyRow.name,
          prefix: keyRow.prefix,
          key,
          createdAt: keyRow.createdAt,
        },
      },
      201,
    );
  });
}
