/**
 * Reads a business number's own fields from the Cloud API: its portfolio's
 * messaging limit tier and its throughput level, so a sync leaves the sender
 * as Meta has it.
 */
import type { Bindings } from "../env";
import { cloudApiFetch, cloudApiUrl } from "./http";

export interface PhoneNumberFields {
  /** `whatsapp_business_manager_messaging_limit` (v24.0+): TIER_250 … TIER_UNLIMITED, or null. */
  businessManagerLimit: string | null;
  /** The deprecated `messaging_limit_tier`, the fallback, or null when Meta did not say. */
  messagingLimitTier: string | null;
  /** STANDARD or HIGH, or null when Meta did not say. */
  throughputLevel: string | null;
}

/** `GET /{node}?fields=…`: the node's JSON, or null when Meta does not answer with it. */
async function readFields<T>(
  env: Bindings,
  node: string,
  fields: string,
  accessToken: string,
): Promise<T | null> {
  const url = `${cloudApiUrl(env, encodeURIComponent(node))}?fields=${fields}`;
  const res = await cloudApiFetch(env, url, {
    headers: { authorization: `Bearer ${accessToken}` },
  }).catch(() => null);
  if (!res?.ok) {
    await res?.body?.cancel();
    return null;
  }
  return (await res.json().catch(() => null)) as T | null;
}

/**
 * The business portfolio that owns a WABA: `GET /{waba-id}?fields=owner_business_info`
 * answers `{id, owner_business_info: {id, name}}` (the WhatsApp Business
 * Account node; sandbox W19). Null when Meta does not say (an outage, a
 * token without the business's permission): the WABA then stands for it.
 */
export async function fetchOwnerBusinessId(
  env: Bindings,
  wabaId: string,
  accessToken: string,
): Promise<string | null> {
  const body = await readFields<{ owner_business_info?: { id?: unknown } }>(
    env,
    wabaId,
    "owner_business_info",
    accessToken,
  );
  const id = body?.owner_business_info?.id;
  return typeof id === "string" && /^\d{1,20}$/.test(id) ? id : null;
}

/** Null when the Cloud API does not answer with them (an older number, an outage): the sync goes on. */
export async function fetchPhoneNumberFields(
  env: Bindings,
  phoneNumberId: string,
  accessToken: string,
): Promise<PhoneNumberFields | null> {
  const body = await readFields<{
    whatsapp_business_manager_messaging_limit?: unknown;
    messaging_limit_tier?: unknown;
    throughput?: { level?: unknown };
  }>(
    env,
    phoneNumberId,
    "whatsapp_business_manager_messaging_limit,messaging_limit_tier,throughput",
    accessToken,
  );
  if (!body) return null;
  return {
    businessManagerLimit:
      typeof body.whatsapp_business_manager_messaging_limit === "string"
        ? body.whatsapp_business_manager_messaging_limit
        : null,
    messagingLimitTier:
      typeof body.messaging_limit_tier === "string" ? body.messaging_limit_tier : null,
    throughputLevel: typeof body.throughput?.level === "string" ? body.throughput.level : null,
  };
}
