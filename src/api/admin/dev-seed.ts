/**
 * Local development only: seeds the demo account, its key (DEMO_API_KEY,
 * `chorus-demo-key` by default) and the sandbox's demo sender, then syncs the
 * sandbox templates. Idempotent. Outside ENVIRONMENT=development it is a 404,
 * and it is left out of the OpenAPI document on purpose.
 */
import type { App } from "../../app";
import { newKeyRow } from "../../db/accounts";
import { database } from "../../db/client";
import { seedDemoAccount } from "../../db/dev-seed";
import { findSenderByPhone } from "../../db/senders";
import { notFound } from "../../errors";
import { encryptAccessToken } from "../../whatsapp/access-token";
import { syncSenderTemplates } from "../../whatsapp/template-sync";
import { requireAdmin } from "../auth";

export const DEMO = {
  accountId: "demo",
  accountName: "Chorus demo",
  phoneNumber: "447576209857",
  phoneNumberId: "100000000000001",
  wabaId: "200000000000001",
  accessToken: "sandbox-demo-token",
} as const;

export function register(app: App) {
  app.post(
    "/admin/dev/seed",
    async (c, next) => {
      if (c.env.ENVIRONMENT !== "development") throw notFound("No route for POST /admin/dev/seed");
      return requireAdmin(c, next);
    },
    async (c) => {
      const db = database(c.env.DB);
      const { row } = await newKeyRow(
        DEMO.accountId,
        "demo",
        c.env.DEMO_API_KEY || "chorus-demo-key",
      );
      await seedDemoAccount(db, {
        account: { id: DEMO.accountId, name: DEMO.accountName },
        key: row,
        sender: {
          id: "demo-sender",
          accountId: DEMO.accountId,
          phoneNumber: DEMO.phoneNumber,
          phoneNumberId: DEMO.phoneNumberId,
          wabaId: DEMO.wabaId,
          accessTokenEnc: await encryptAccessToken(DEMO.accessToken, c.env.TOKEN_ENCRYPTION_KEY),
          throughputMps: 80,
          isDefault: true,
        },
      });
      const sender = await findSenderByPhone(db, DEMO.accountId, DEMO.phoneNumber);
      let templates = 0;
      let syncError: string | null = null;
      if (sender) {
        try {
          templates = await syncSenderTemplates(c.env, db, sender);
        } catch (err) {
          syncError = err instanceof Error ? err.message : String(err);
        }
      }
      return c.json({
        accountId: DEMO.accountId,
        senderId: sender?.id ?? null,
        templates,
        syncError,
      });
    },
  );
}
