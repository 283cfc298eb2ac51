/**
 * Marketing opt-outs from Meta (invariant 9): a `user_preferences` webhook,
 * or a `failed` status with 131050, means the person no longer wants
 * marketing from this business. Both become a marketing-only entry, kept by
 * phone and by user id, the latest of Meta's timestamps winning; a `resume`
 * lifts only this entry (a STOP reply or a manual suppression stays).
 */
import { type MarketingPreference, recordMarketingPreference } from "../db/marketing-opt-outs";
import { identifierOf, type MessageRef } from "../db/recipient-states";
import { accountsOfNumber } from "../db/senders";
import { isBusinessUserId } from "../domain/business-user-id";
import { MARKETING_OPT_OUT_CODE } from "../domain/meta-errors";
import type { Bindings } from "../env";
import type { PreferenceEvent, StatusEvent } from "../whatsapp/webhooks";

export async function applyPreference(env: Bindings, e: PreferenceEvent): Promise<void> {
  const preference: MarketingPreference = {
    phone: e.waId,
    userId: e.userId,
    state: e.value,
    at: e.at,
    source: "user_preferences",
    detail: e.detail,
  };
  for (const accountId of await accountsOfNumber(env.DB, e.phoneNumberId))
    await recordMarketingPreference(env.DB, accountId, preference);
}

/** A failed status with 131050: the person stopped marketing (the status itself fails the recipient). */
export function isMarketingOptOut(e: StatusEvent): boolean {
  return e.status === "failed" && e.error?.code === MARKETING_OPT_OUT_CODE;
}

export async function applyOptOutStatus(
  env: Bindings,
  ref: { accountId: string; broadcastId: string; seq?: number },
  e: StatusEvent,
): Promise<void> {
  let phone = e.recipientId.replace(/\D/g, "") || null;
  let userId = e.recipientUserId ?? null;
  if (!phone && ref.seq !== undefined) phone = await identifierOf(env, ref as MessageRef);
  // A recipient addressed by a user id: that is no phone.
  if (phone && isBusinessUserId(phone)) {
    userId ??= phone;
    phone = null;
  }
  await recordMarketingPreference(env.DB, ref.accountId, {
    phone,
    userId,
    state: "stop",
    at: e.at,
    source: "131050",
    detail: e.error?.title ?? "The person stopped marketing messages from this business",
  });
}
