/**
 * Sends one template message through the Cloud API and says what happened.
 */

import { isBusinessUserId } from "../domain/business-user-id";
import { marketingMessagesErrorRule } from "../domain/meta-errors";
import type { Bindings } from "../env";
import { classifyError, type ErrorRule, TIMEOUT_CODE } from "./errors";
import { type CloudApiCall, cloudApiFetch, cloudApiUrl, readMetaError } from "./http";

export interface TemplateMessage {
  /**
   * E.164 digits, sent as `to` with '+' so that Meta never prepends the
   * business's country code; or a business-scoped user id, sent as `recipient`.
   */
  to: string;
  templateName: string;
  language: string;
  components: unknown[] | null;
  /** Echoed by Meta in status webhooks: names the broadcast and the recipient. */
  callbackData: string;
}

/**
 * A marketing template sent through Meta's Marketing Messages API
 * (`POST /{phone-number-id}/marketing_messages`): the same body plus these two.
 */
export interface MarketingMessagesOptions {
  productPolicy: "CLOUD_API_FALLBACK" | "STRICT";
  messageActivitySharing: boolean;
}

export type SendResult =
  /**
   * `wamid` null: a 2xx without a message id (accepted or not, nobody knows yet).
   * `held`: Meta answered `held_for_quality_assessment` or (Marketing Messages API) `paused`.
   */
  | { ok: true; wamid: string | null; held?: boolean }
  | {
      ok: false;
      code: number;
      title: string;
      details: string;
      httpStatus: number;
      /** What the error means for the broadcast (domain/meta-errors.ts). */
      rule: ErrorRule;
    };

/** `to` for a phone; `recipient` for a business-scoped user id (Meta: if both are given, `to` wins). */
export function addressee(identifier: string): { to: string } | { recipient: string } {
  return isBusinessUserId(identifier) ? { recipient: identifier } : { to: `+${identifier}` };
}

export function templatePayload(m: TemplateMessage) {
  return {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    ...addressee(m.to),
    type: "template",
    template: {
      name: m.templateName,
      language: { code: m.language },
      ...(m.components && m.components.length > 0 ? { components: m.components } : {}),
    },
    biz_opaque_callback_data: m.callbackData,
  };
}

/** The Marketing Messages API's body: the Cloud API template body plus its two options. */
export function marketingMessagePayload(m: TemplateMessage, options: MarketingMessagesOptions) {
  return {
    ...templatePayload(m),
    product_policy: options.productPolicy,
    message_activity_sharing: options.messageActivitySharing,
  };
}

/**
 * Sends one template message; `call` carries the held connection and the
 * timeout, which starts only now that the request leaves. With `marketing`
 * it goes through the Marketing Messages API, whose codes mean what
 * domain/meta-errors.ts's MARKETING_MESSAGES_ERRORS says.
 */
export async function sendTemplate(
  env: Bindings,
  phoneNumberId: string,
  accessToken: string,
  message: TemplateMessage,
  call: CloudApiCall,
  marketing?: MarketingMessagesOptions,
): Promise<SendResult> {
  const path = marketing ? "marketing_messages" : "messages";
  const classify = marketing ? marketingMessagesErrorRule : classifyError;
  let res: Response;
  try {
    res = await cloudApiFetch(
      env,
      cloudApiUrl(env, `${encodeURIComponent(phoneNumberId)}/${path}`),
      {
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        body: JSON.stringify(
          marketing ? marketingMessagePayload(message, marketing) : templatePayload(message),
        ),
      },
      call,
    );
  } catch (err) {
    const timedOut =
      err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    return {
      ok: false,
      code: TIMEOUT_CODE,
      title: timedOut ? "Timed out waiting for WhatsApp" : "Could not reach WhatsApp",
      details: String(err),
      httpStatus: 0,
      rule: classifyError(TIMEOUT_CODE, 0),
    };
  }
  if (res.ok) {
    const body = (await res.json().catch(() => null)) as {
      messages?: { id?: string; message_status?: string }[];
    } | null;
    const wamid = body?.messages?.[0]?.id;
    // Template or portfolio pacing: accepted, neither sent nor failed until Meta releases it.
    // The Marketing Messages API's `paused` (its template is paused) is taken the same way:
    // Meta has the message and its next status (sent…, or failed 132015) settles it, while
    // the template's own PAUSED webhook pauses the broadcasts using it.
    const status = body?.messages?.[0]?.message_status;
    const held = status === "held_for_quality_assessment" || status === "paused";
    // A 2xx without an id: Meta may well have accepted it, so it is not sent again blindly.
    if (!wamid) return { ok: true, wamid: null };
    return held ? { ok: true, wamid, held } : { ok: true, wamid };
  }
  const error = await readMetaError(res);
  return {
    ok: false,
    code: error.code,
    title: error.title,
    details: error.details,
    httpStatus: res.status,
    rule: classify(error.code, res.status),
  };
}

/** `c1:<account>:<broadcast>:<seq>`: ASCII, well under Meta's 512 characters. */
export function callbackData(accountId: string, broadcastId: string, seq: number): string {
  return `c1:${accountId}:${broadcastId}:${seq}`;
}

export function parseCallbackData(
  value: unknown,
): { accountId: string; broadcastId: string; seq: number } | null {
  if (typeof value !== "string") return null;
  const parts = value.split(":");
  if (parts.length !== 4 || parts[0] !== "c1") return null;
  const seq = Number(parts[3]);
  if (!parts[1] || !parts[2] || !Number.isInteger(seq) || seq < 0) return null;
  return { accountId: parts[1], broadcastId: parts[2], seq };
}
