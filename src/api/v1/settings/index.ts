/**
 * /v1/settings: the account's defaults for its broadcasts (today: the
 * sending window and whose clock it reads; whether marketing to US numbers is refused).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import type { App } from "../../../app";
import { getAccount } from "../../../db/accounts";
import { database } from "../../../db/client";
import { accounts } from "../../../db/schema";
import { notFound } from "../../../errors";
import { errorResponses, jsonBody, jsonContent } from "../../openapi";
import { SendWindowSchema, WindowZoneSchema } from "../../send-window";

const SettingsSchema = z
  .object({
    sendWindow: SendWindowSchema.nullable(),
    timezone: WindowZoneSchema,
    pauseOnRedQuality: z.boolean().openapi({
      description:
        "Pause live broadcasts of a template Meta rates RED (message_template_quality_update); on by default",
    }),
    blockUsMarketing: z.boolean().openapi({
      description:
        "Reject marketing templates to US +1 numbers at create (Meta answers 131049 to them since 2025-04-01); on by default",
    }),
  })
  .openapi("AccountSettings");

const tags = ["settings"];
const security = [{ apiKey: [] }];

const get = createRoute({
  method: "get",
  path: "/v1/settings",
  tags,
  security,
  summary: "The account's broadcast defaults",
  responses: { 200: jsonContent(SettingsSchema, "Settings"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/settings",
  tags,
  security,
  summary: "Change the account's broadcast defaults (only the fields given)",
  description:
    "A broadcast created later without its own `send_window`/`sendWindow` takes this one; `null` removes the default.",
  request: { body: jsonBody(SettingsSchema.partial()) },
  responses: { 200: jsonContent(SettingsSchema, "Updated"), ...errorResponses },
});

function present(row: {
  sendWindow: string | null;
  windowTimezone: string;
  blockUsMarketing: boolean;
  pauseOnRedQuality: boolean;
}) {
  return {
    sendWindow: row.sendWindow ? JSON.parse(row.sendWindow) : null,
    timezone: row.windowTimezone,
    blockUsMarketing: row.blockUsMarketing,
    pauseOnRedQuality: row.pauseOnRedQuality,
  };
}

export function registerSettingsRoutes(app: App) {
  app.openapi(get, async (c) => {
    const account = await getAccount(database(c.env.DB), c.get("account").accountId);
    if (!account) throw notFound("No such account");
    return c.json(present(account), 200);
  });

  app.openapi(update, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const db = database(c.env.DB);
    const patch: Partial<typeof accounts.$inferInsert> = {};
    if (body.sendWindow !== undefined)
      patch.sendWindow = body.sendWindow ? JSON.stringify(body.sendWindow) : null;
    if (body.timezone !== undefined) patch.windowTimezone = body.timezone;
    if (body.blockUsMarketing !== undefined) patch.blockUsMarketing = body.blockUsMarketing;
    if (body.pauseOnRedQuality !== undefined) patch.pauseOnRedQuality = body.pauseOnRedQuality;
    if (Object.keys(patch).length > 0)
      await db.update(accounts).set(patch).where(eq(accounts.id, accountId));
    const account = await getAccount(db, accountId);
    if (!account) throw notFound("No such account");
    return c.json(present(account), 200);
  });
}
