/**
 * /v1/settings: the account's defaults for its broadcasts (the sending
 * window and whose clock it reads), how long recipients stay hot, and the
 * WhatsApp guards (marketing to US numbers, pausing on RED quality, the
 * marketing frequency cap).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { type AccountSettingsPatch, getAccount, updateAccountSettings } from "../../../db/accounts";
import { database } from "../../../db/client";
import { parseFrequencyCap } from "../../../domain/frequency-cap";
import { notFound } from "../../../errors";
import { FrequencyCapSettingSchema } from "../../frequency-cap";
import { errorResponses, jsonBody, jsonContent } from "../../openapi";
import { SendWindowSchema, WindowZoneSchema } from "../../send-window";

const SettingsSchema = z
  .object({
    sendWindow: SendWindowSchema.nullable(),
    timezone: WindowZoneSchema,
    recipientRetentionDays: z.number().int().min(1).max(3650).openapi({
      description:
        "Recipients of broadcasts finished more than this many days ago are archived (export still reads them) and leave message_statuses; default 400",
      example: 400,
    }),
    pauseOnRedQuality: z.boolean().openapi({
      description:
        "Pause live broadcasts of a template Meta rates RED (message_template_quality_update); on by default",
    }),
    blockUsMarketing: z.boolean().openapi({
      description:
        "Reject marketing templates to US +1 numbers at create (Meta answers 131049 to them since 2025-04-01); on by default",
    }),
    marketingFrequencyCap: FrequencyCapSettingSchema.nullable(),
  })
  .openapi("AccountSettings");

const tags = ["settings"];
const security = [{ apiKey: [] }];

const get = createRoute({
  method: "get",
  path: "/v1/settings",
  operationId: "v1.settings.get",
  tags,
  security,
  summary: "The account's broadcast defaults",
  responses: { 200: jsonContent(SettingsSchema, "Settings"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/settings",
  operationId: "v1.settings.update",
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
  recipientRetentionDays: number;
  blockUsMarketing: boolean;
  pauseOnRedQuality: boolean;
  marketingFrequencyCap: string | null;
}) {
  return {
    sendWindow: row.sendWindow ? JSON.parse(row.sendWindow) : null,
    timezone: row.windowTimezone,
    recipientRetentionDays: row.recipientRetentionDays,
    blockUsMarketing: row.blockUsMarketing,
    pauseOnRedQuality: row.pauseOnRedQuality,
    marketingFrequencyCap: parseFrequencyCap(row.marketingFrequencyCap),
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
    const patch: AccountSettingsPatch = {};
    if (body.sendWindow !== undefined)
      patch.sendWindow = body.sendWindow ? JSON.stringify(body.sendWindow) : null;
    if (body.timezone !== undefined) patch.windowTimezone = body.timezone;
    if (body.recipientRetentionDays !== undefined)
      patch.recipientRetentionDays = body.recipientRetentionDays;
    if (body.blockUsMarketing !== undefined) patch.blockUsMarketing = body.blockUsMarketing;
    if (body.pauseOnRedQuality !== undefined) patch.pauseOnRedQuality = body.pauseOnRedQuality;
    if (body.marketingFrequencyCap !== undefined)
      patch.marketingFrequencyCap = body.marketingFrequencyCap
        ? JSON.stringify(body.marketingFrequencyCap)
        : null;
    await updateAccountSettings(db, accountId, patch);
    const account = await getAccount(db, accountId);
    if (!account) throw notFound("No such account");
    return c.json(present(account), 200);
  });
}
