/**
 * Pulls a sender's templates from the Cloud API into D1, and with them the
 * number's messaging limit and throughput level as Meta has them.
 */
import type { Database } from "../db/client";
import type { Sender } from "../db/schema";
import { setBusinessId, setMessagingLimit, updateNumberQuality } from "../db/signals";
import { upsertTemplates } from "../db/templates";
import { HIGH_MPS, STANDARD_MPS } from "../domain/messaging-limit";
import { limitOfFields } from "../domain/portfolio-limit";
import type { Bindings } from "../env";
import { decryptAccessToken } from "./access-token";
import {
  fetchOwnerBusinessId,
  fetchPhoneNumberFields,
  type PhoneNumberFields,
} from "./phone-number";
import { fetchTemplates } from "./templates";

export async function syncSenderTemplates(
  env: Bindings,
  db: Database,
  sender: Sender,
): Promise<number> {
  const token = await decryptAccessToken(sender.accessTokenEnc, env.TOKEN_ENCRYPTION_KEY);
  const list = await fetchTemplates(env, sender.wabaId, token);
  await upsertTemplates(db, sender.accountId, sender.wabaId, list);
  const [fields, businessId] = await Promise.all([
    fetchPhoneNumberFields(env, sender.phoneNumberId, token),
    fetchOwnerBusinessId(env, sender.wabaId, token),
  ]);
  // Before the limit: a limit read now reaches every WABA of the portfolio.
  if (businessId) await setBusinessId(env.DB, sender.wabaId, businessId);
  if (fields) await applyPhoneNumberFields(env.DB, sender, fields);
  return list.length;
}

/** HIGH throughput is Meta's 1,000/s; STANDARD caps the sender at 80/s (a lower setting stays). */
async function applyPhoneNumberFields(
  d1: D1Database,
  sender: Sender,
  fields: PhoneNumberFields,
): Promise<void> {
  const limit = limitOfFields(fields);
  if (limit !== undefined) await setMessagingLimit(d1, sender.wabaId, limit);
  if (fields.throughputLevel === "HIGH") {
    await updateNumberQuality(d1, sender.wabaId, sender.phoneNumber, { throughputMps: HIGH_MPS });
  } else if (fields.throughputLevel === "STANDARD") {
    await updateNumberQuality(d1, sender.wabaId, sender.phoneNumber, { capMps: STANDARD_MPS });
  }
}
