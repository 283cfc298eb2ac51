/**
 * Meta's webhooks: signature verification over the raw body, and the split of
 * one envelope into the events Chorus acts on.
 */
import type { MessagePricing } from "../domain/cost";
import { hmacHex, hmacKey } from "../domain/crypto";
import type { DeliveryStatus } from "../domain/status";
import { parseCallbackData } from "./messages";

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** `X-Hub-Signature-256: sha256=<hex>` checked in constant time (WebCrypto verify). */
export async function verifySignature(
  rawBody: ArrayBuffer,
  header: string | null,
  appSecret: string,
): Promise<boolean> {
  if (!header?.startsWith("sha256=")) return false;
  const signature = hexToBytes(header.slice(7));
  if (signature?.byteLength !== 32) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(appSecret), signature, rawBody);
}

export async function signBody(rawBody: string, appSecret: string): Promise<string> {
  return `sha256=${await hmacHex(appSecret, rawBody)}`;
}

export type { DeliveryStatus };

export interface StatusEvent {
  kind: "status";
  phoneNumberId: string;
  wamid: string;
  status: DeliveryStatus;
  /** Epoch ms, from Meta's event (not our arrival time). */
  at: number;
  recipientId: string;
  /** The business-scoped user id (`recipient_user_id`, 2026), when Meta gives it. */
  recipientUserId?: string | null;
  broadcast: { accountId: string; broadcastId: string; seq: number } | null;
  error: { code: number; title: string; details: string } | null;
  /** Meta's `pricing` (on `sent` and one of `delivered`/`read`, never on `failed`); absent: none. */
  pricing?: MessagePricing | null;
}

/** Who wrote: Meta's business-scoped user ids (2026) may come without a phone number. */
interface Person {
  /** The person's phone digits (`from`); empty when Meta sends only a user id. */
  from: string;
  /** The business-scoped user id (`from_user_id`, else `contacts[].user_id`), when given. */
  userId: string | null;
}

/** A reply: a text, a quick-reply tap, an interactive reply, a flow response, media. */
export interface MessageEvent extends Person {
  kind: "message";
  phoneNumberId: string;
  wamid: string;
  at: number;
  type: string;
  /** The text a person sent, the button or list row they tapped, or a flow's response_json. */
  text: string;
  /** The wamid of the message this one answers, when the app says so. */
  contextId: string | null;
  /** A quick-reply tap's `button.payload`, when it is the one Chorus sent: the broadcast and recipient. */
  payloadRef?: { accountId: string; broadcastId: string; seq: number } | null;
}

/** A reaction to a message: engagement, not a reply. */
export interface ReactionEvent extends Person {
  kind: "reaction";
  phoneNumberId: string;
  wamid: string;
  at: number;
  /** The wamid reacted to (`reaction.message_id`). */
  messageId: string;
  /** The emoji; empty when the person removed their reaction. */
  emoji: string;
}

/** `message_template_status_update`: Meta paused, disabled or reinstated a template. */
export interface TemplateStatusEvent {
  kind: "template_status";
  wabaId: string;
  name: string;
  language: string;
  /** PAUSED, DISABLED, APPROVED, REINSTATED, REJECTED… as Meta sends it. */
  event: string;
  reason: string;
  at: number;
}

/** `phone_number_quality_update`: a number's throughput or its portfolio's messaging limit changed. */
export interface QualityEvent {
  kind: "quality";
  wabaId: string;
  /** The business number, digits only. */
  displayPhoneNumber: string;
  /** THROUGHPUT_UPGRADE, UPGRADE, DOWNGRADE, FLAGGED, UNFLAGGED, ONBOARDING. */
  event: string;
  /** TIER_250 … TIER_UNLIMITED (max_daily_conversations_per_business, else current_limit). */
  limit: string | null;
  at: number;
}

/**
 * `user_preferences` (category `marketing_messages`): a person stopped (or
 * resumed) marketing from this business. Either id may be missing.
 */
export interface PreferenceEvent {
  kind: "preference";
  phoneNumberId: string;
  /** The person's phone digits (`wa_id`), or null. */
  waId: string | null;
  /** The business-scoped user id, or null. */
  userId: string | null;
  value: "stop" | "resume";
  detail: string;
  /** Epoch ms, Meta's `timestamp`. */
  at: number;
}

/**
 * `business_capability_update`: the portfolio's messaging limit changed
 * (`max_daily_conversations_per_business`, a TIER_* string or a number).
 */
export interface CapabilityEvent {
  kind: "capability";
  wabaId: string;
  /** As Meta sent it: a tier name or a number, as text. */
  limit: string | null;
  at: number;
}

/** `message_template_quality_update`: Meta's quality rating of a template changed. */
export interface TemplateQualityEvent {
  kind: "template_quality";
  wabaId: string;
  name: string;
  language: string;
  /** GREEN, YELLOW, RED, UNKNOWN. */
  score: string;
  previous: string | null;
  at: number;
}

/**
 * `template_category_update`: Meta recategorised an approved template (say
 * MARKETING → UTILITY). The fields are the ones third-party code and Meta's
 * webhook reference use: `{message_template_id, message_template_name,
 * message_template_language, previous_category, new_category}`; unconfirmed
 * against a live payload. A notice of a change still to come
 * (`correct_category` without `new_category`) changes nothing yet.
 */
export interface TemplateCategoryEvent {
  kind: "template_category";
  wabaId: string;
  name: string;
  language: string;
  /** MARKETING, UTILITY, AUTHENTICATION. */
  category: string;
  previous: string | null;
  at: number;
}

export type AccountEvent =
  | TemplateCategoryEvent
  | TemplateStatusEvent
  | QualityEvent
  | PreferenceEvent
  | CapabilityEvent
  | TemplateQualityEvent;
export type InboundEvent = MessageEvent | ReactionEvent;
export type WebhookEvent = StatusEvent | InboundEvent | AccountEvent;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : "";

function eventTime(value: unknown): number {
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.now();
}

function messageText(m: Obj): string {
  if (isObj(m.text)) return s(m.text.body);
  if (isObj(m.button)) return s(m.button.text) || s(m.button.payload);
  if (isObj(m.interactive)) {
    const i = m.interactive;
    if (isObj(i.button_reply)) return s(i.button_reply.title) || s(i.button_reply.id);
    if (isObj(i.list_reply)) return s(i.list_reply.title) || s(i.list_reply.id);
    // A flow's answer is its response_json; its `body` is only Meta's "Sent".
    if (isObj(i.nfm_reply)) return s(i.nfm_reply.response_json) || s(i.nfm_reply.body);
  }
  const media = m[s(m.type)];
  if (isObj(media) && s(media.caption)) return s(media.caption);
  return `[${s(m.type) || "message"}]`;
}

/** Meta's own notices (a changed number…) and messages it could not show: nobody answered. */
const NOT_REPLIES = new Set(["system", "unsupported", "request_welcome", "ephemeral"]);

function person(m: Obj, contacts: unknown[]): Person {
  const from = s(m.from);
  const contact = contacts.filter(isObj).find((c) => from && s(c.wa_id) === from) ?? contacts[0];
  const userId = s(m.from_user_id) || (isObj(contact) ? s(contact.user_id) : "");
  return { from, userId: userId || null };
}

/** One inbound message as the event Chorus acts on; null for what is not a reply or a reaction. */
function inboundEvent(
  phoneNumberId: string,
  m: Obj,
  contacts: unknown[],
): MessageEvent | ReactionEvent | null {
  const who = person(m, contacts);
  const type = s(m.type);
  if ((!who.from && !who.userId) || !s(m.id) || NOT_REPLIES.has(type)) return null;
  const common = { phoneNumberId, ...who, wamid: s(m.id), at: eventTime(m.timestamp) };
  if (type === "reaction") {
    const reaction = isObj(m.reaction) ? m.reaction : {};
    const messageId = s(reaction.message_id);
    return messageId ? { kind: "reaction", ...common, messageId, emoji: s(reaction.emoji) } : null;
  }
  return {
    kind: "message",
    ...common,
    type,
    text: messageText(m).slice(0, 4096),
    contextId: isObj(m.context) ? s(m.context.id) || null : null,
    payloadRef: isObj(m.button) ? parseCallbackData(m.button.payload) : null,
  };
}

const STATUSES = new Set(["sent", "delivered", "read", "failed"]);

/** Every level of Meta's envelope is an array: one POST can carry many events. */
export function splitEnvelope(body: unknown): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  if (!isObj(body)) return events;
  for (const entry of arr(body.entry)) {
    if (!isObj(entry)) continue;
    for (const change of arr(entry.changes)) {
      if (!isObj(change) || !isObj(change.value)) continue;
      const value = change.value;
      if (s(change.field) === "user_preferences") {
        events.push(...preferenceEvents(value));
        continue;
      }
      const account = accountEvent(s(entry.id), s(change.field), value, eventTime(entry.time));
      if (account) {
        events.push(account);
        continue;
      }
      const phoneNumberId = isObj(value.metadata) ? s(value.metadata.phone_number_id) : "";
      for (const st of arr(value.statuses)) {
        if (!isObj(st) || !STATUSES.has(s(st.status)) || !s(st.id)) continue;
        const firstError = arr(st.errors).find(isObj);
        events.push({
          kind: "status",
          phoneNumberId,
          wamid: s(st.id),
          status: s(st.status) as DeliveryStatus,
          at: eventTime(st.timestamp),
          recipientId: s(st.recipient_id),
          recipientUserId: s(st.recipient_user_id) || null,
          broadcast: parseCallbackData(st.biz_opaque_callback_data),
          error: firstError
            ? {
                code: Number(firstError.code) || 0,
                title: s(firstError.title) || s(firstError.message) || "Failed",
                details: isObj(firstError.error_data)
                  ? s(firstError.error_data.details)
                  : s(firstError.message),
              }
            : null,
          pricing: pricingOf(st.pricing),
        });
      }
      for (const m of arr(value.messages)) {
        const event = isObj(m) ? inboundEvent(phoneNumberId, m, arr(value.contacts)) : null;
        if (event) events.push(event);
      }
    }
  }
  return events;
}

/** `pricing: {billable, pricing_model, type, category}`; null without a category. */
function pricingOf(value: unknown): MessagePricing | null {
  if (!isObj(value) || !s(value.category)) return null;
  return {
    category: s(value.category).toLowerCase(),
    type: s(value.type).toLowerCase(),
    billable: typeof value.billable === "boolean" ? value.billable : null,
  };
}

/** The WABA-level events Chorus acts on; null for any other field. */
function accountEvent(wabaId: string, field: string, value: Obj, at: number): AccountEvent | null {
  if (field === "message_template_status_update") {
    const name = s(value.message_template_name);
    if (!wabaId || !name) return null;
    return {
      kind: "template_status",
      wabaId,
      name,
      language: s(value.message_template_language),
      event: s(value.event).toUpperCase(),
      reason: s(value.reason) || "NONE",
      at,
    };
  }
  if (field === "message_template_quality_update") {
    const name = s(value.message_template_name);
    const score = s(value.new_quality_score).toUpperCase();
    if (!wabaId || !name || !score) return null;
    return {
      kind: "template_quality",
      wabaId,
      name,
      language: s(value.message_template_language),
      score,
      previous: s(value.previous_quality_score).toUpperCase() || null,
      at,
    };
  }
  if (field === "template_category_update") {
    const name = s(value.message_template_name);
    const category = s(value.new_category).toUpperCase();
    if (!wabaId || !name || !category) return null;
    return {
      kind: "template_category",
      wabaId,
      name,
      language: s(value.message_template_language),
      category,
      previous: s(value.previous_category).toUpperCase() || null,
      at,
    };
  }
  if (field === "business_capability_update") {
    if (!wabaId) return null;
    return {
      kind: "capability",
      wabaId,
      limit: s(value.max_daily_conversations_per_business) || null,
      at,
    };
  }
  if (field === "phone_number_quality_update") {
    const displayPhoneNumber = s(value.display_phone_number).replace(/\D/g, "");
    if (!wabaId || !displayPhoneNumber) return null;
    return {
      kind: "quality",
      wabaId,
      displayPhoneNumber,
      event: s(value.event).toUpperCase(),
      limit: s(value.max_daily_conversations_per_business) || s(value.current_limit) || null,
      at,
    };
  }
  return null;
}

/** `user_preferences`: only the marketing category, only `stop`/`resume`, only with an id. */
function preferenceEvents(value: Obj): PreferenceEvent[] {
  const phoneNumberId = isObj(value.metadata) ? s(value.metadata.phone_number_id) : "";
  const events: PreferenceEvent[] = [];
  for (const p of arr(value.user_preferences)) {
    if (!isObj(p) || s(p.category) !== "marketing_messages") continue;
    const v = s(p.value);
    if (v !== "stop" && v !== "resume") continue;
    const waId = s(p.wa_id).replace(/\D/g, "") || null;
    const userId = s(p.user_id) || null;
    if (!phoneNumberId || (!waId && !userId)) continue;
    events.push({
      kind: "preference",
      phoneNumberId,
      waId,
      userId,
      value: v,
      detail: s(p.detail) || `User requested to ${v} marketing messages`,
      at: eventTime(p.timestamp),
    });
  }
  return events;
}
