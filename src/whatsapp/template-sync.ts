/**
 * Pulls a sender's templates from the Cloud API into D1.
 */
import type { Database } from "../db/client";
import type { Sender } from "../db/schema";
import { upsertTemplates } from "../db/templates";
import type { Bindings } from "../env";
import { decryptAccessToken } from "./access-token";
import { fetchTemplates } from "./templates";

export async function syncSenderTemplates(
  env: Bindings,
  db: Database,
  sender: Sender,
): Promise<number> {
  const token = await decryptAccessToken(sender.accessTokenEnc, env.TOKEN_ENCRYPTION_KEY);
  const list = await fetchTemplates(env, sender.wabaId, token);
  await upsertTemplates(db, sender.accountId, sender.wabaId, list);
  return list.length;
}
