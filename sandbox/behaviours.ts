/**
 * What happens to a send, by the recipient's number (deterministic, see
 * sandbox/README.md) and by the number's random fault injection; and which
 * webhooks an accepted message then produces, and when.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { NumberConfig } from "./config";
import { ERRORS, type MetaError } from "./errors";
import { newWamid, type OutboxEvent } from "./webhooks";

/**
 * The refusal a recipient number causes on this attempt of its (to, callback
 * data) pair. W17: a user-id recipient ending in `1062` is refused 131062.
 */
export function recipientRefusal(
  digits: string,
  attempt: number,
  userId: string | null = null,
): MetaError | null {
  if (userId?.endsWith("1062")) return ERRORS.userIdUnsupported();
  if (digits.endsWith("2222")) return ERRORS.marketingLimit();
  if (digits.endsWith("3333") && attempt <= 2) return ERRORS.unavailable();
  return null;
}

export type Fault = "error_500" | "timeout" | "throttle" | null;

/** One roll of the dice against the number's fault rates (they add up to at most 1). */
/** 9999: Meta accepts the message but its answer lists no message id. */
export const noMessageId = (digits: string) => digits.endsWith("9999");

export function rollFault(faults: NumberConfig["faults"], roll: number): Fault {
  if (roll < faults.error_500_rate) return "error_500";
  if (roll < faults.error_500_rate + faults.timeout_rate) return "timeout";
  if (roll < faults.error_500_rate + faults.timeout_rate + faults.throttle_rate) return "throttle";
  return null;
}

export interface AcceptedMessage {
  wamid: string;
  /** The recipient's wa_id (for a user-id recipient, the user id). */
  digits: string;
  /** W16: the business-scoped user id the message went to (`recipient`), with no phone. */
  userId?: string | null;
  callback: string | null;
  acceptedAt: number;
  /** Pricing category: the template's category in lower case, "service" for text, "marketing_lite" through the Marketing Messages API. */
  category: string;
  /** The business number's digits, which replies name in `context.from`. */
  businessDigits: string;
  /** This try of its (to, callback data) pair, from 1. */
  attempt?: number;
  /** The payload the message gave its first quick-reply button, which a tap echoes. */
  quickReplyPayload?: string | null;
}

/** The payload of the message's first quick_reply button component, if it gave one. */
export function firstQuickReplyPayload(components: unknown): string | null {
  if (!Array.isArray(components)) return null;
  for (const c of components) {
    if (typeof c !== "object" || c === null) continue;
    const b = c as { type?: unknown; sub_type?: unknown; parameters?: unknown };
    if (b.type !== "button" || String(b.sub_type).toLowerCase() !== "quick_reply") continue;
    const [p] = Array.isArray(b.parameters) ? b.parameters : [];
    if (typeof p === "object" && p !== null && typeof p.payload === "string") return p.payload;
  }
  return null;
}

/** W7/W8: template or portfolio pacing holds a marketing message for quality assessment. */
export const heldForQuality = (digits: string, category: string | undefined) =>
  category?.toUpperCase() === "MARKETING" && (digits.endsWith("7072") || digits.endsWith("7071"));

/** W12: the Marketing Messages API answers 134101 (template still syncing) on a pair's first attempt. */
export function marketingMessagesRefusal(digits: string, attempt: number): MetaError | null {
  if (digits.endsWith("3411") && attempt <= 1) return ERRORS.templateSyncing();
  return null;
}

/** W13: the Marketing Messages API answers `message_status: "paused"`; statuses follow as usual. */
export const pausedAtMarketingMessages = (digits: string) => digits.endsWith("7074");

/** W10: accepted, then no status at all (Meta dropped it when its template's TTL ran out). */
export const expiresSilently = (digits: string) => digits.endsWith("8088");

/** W1: Meta delivers no marketing template to a +1 number with a US area code (Canada's go). */
export const isUsNumber = (digits: string) =>
  digits.startsWith("1") && parsePhoneNumberFromString(`+${digits}`)?.country === "US";

const ERROR_DOCS = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/";

/** A status webhook's `errors[]` entry, as Meta writes it. */
const statusError = (code: number, title: string, details: string) => ({
  code,
  title,
  message: title,
  error_data: { details },
  href: ERROR_DOCS,
});

/**
 * The asynchronous marketing failures (W1–W3): accepted, then `failed`
 * without a `sent`, as Meta reports them. Null when the message goes on.
 */
function marketingFailure(m: AcceptedMessage) {
  // marketing_lite: a marketing template through the Marketing Messages API (W11).
  if (m.category !== "marketing" && m.category !== "marketing_lite") return null;
  if (isUsNumber(m.digits))
    return statusError(
      131049,
      "This message was not delivered to maintain healthy ecosystem engagement.",
      "Marketing template messages are not delivered to US phone numbers.",
    );
  if (m.digits.endsWith("2223") && (m.attempt ?? 1) <= 2)
    return statusError(
      131049,
      "This message was not delivered to maintain healthy ecosystem engagement.",
      "Per-user marketing message limit reached for this recipient.",
    );
  // W8: held, then the template is paused on a bad signal and Meta drops what it held.
  if (m.digits.endsWith("7071"))
    return statusError(
      132015,
      "Template is Paused",
      "The message template was paused for low quality; held messages were dropped.",
    );
  if (m.digits.endsWith("5051"))
    return statusError(
      131050,
      "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
      "The user has chosen to stop receiving marketing messages from this business.",
    );
  return null;
}

export interface ScheduledEvent {
  due: number;
  event: OutboxEvent;
}

/** How long after `read` a scripted reply arrives. */
const REPLY_AFTER_READ_MS = 100;

const seconds = (ms: number) => String(Math.floor(ms / 1000));

/** The webhooks an accepted message produces: statuses, then maybe a reply. */
export function scheduledEvents(
  m: AcceptedMessage,
  delays: NumberConfig["delays"],
): ScheduledEvent[] {
  const at = (ms: number) => m.acceptedAt + ms;
  const status = (
    name: string,
    due: number,
    extra: Record<string, unknown> = {},
  ): ScheduledEvent => ({
    due,
    event: {
      kind: "status",
      status: {
        id: m.wamid,
        status: name,
        timestamp: seconds(due),
        // W16: a user-id recipient is named by `recipient_user_id` only (no `recipient_id`).
        ...(m.userId ? { recipient_user_id: m.userId } : { recipient_id: m.digits }),
        // Meta does not promise the callback data on a failure: Chorus must find the message by wamid.
        ...(m.callback && name !== "failed" ? { biz_opaque_callback_data: m.callback } : {}),
        ...extra,
      },
    },
  });
  // 1011: the person came in through a free entry point (a click-to-WhatsApp ad): Meta does not bill it.
  const free = m.digits.endsWith("1011");
  const pricing = {
    pricing: {
      billable: !free && m.category !== "service",
      pricing_model: "PMP",
      category: m.category,
      type: free ? "free_entry_point" : "regular",
    },
  };
  const conversation = {
    conversation: {
      id: `sandbox${m.wamid.slice(-20)}`,
      expiration_timestamp: seconds(m.acceptedAt + 86_400_000),
      origin: { type: m.category },
    },
  };
  // W10: the message outlives its time-to-live at Meta, which drops it and says nothing, ever.
  if (expiresSilently(m.digits)) return [];
  const marketing = marketingFailure(m);
  if (marketing) return [status("failed", at(delays.sent_ms), { errors: [marketing] })];
  const events = [status("sent", at(delays.sent_ms), { ...conversation, ...pricing })];

  if (m.digits.endsWith("1111")) {
    const failed = status("failed", at(delays.delivered_ms), {
      errors: [
        {
          code: 131026,
          title: "Message undeliverable",
          message: "Message undeliverable",
          error_data: {
            details:
              "Message failed to send because the recipient's phone number is not on WhatsApp or has not accepted the terms of service.",
          },
          href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        },
      ],
    });
    return [...events, failed];
  }

  events.push(status("delivered", at(delays.delivered_ms), { ...conversation, ...pricing }));
  if (m.digits.endsWith("4444")) return events;
  events.push(status("read", at(delays.read_ms)));

  const replyAt = at(delays.read_ms + REPLY_AFTER_READ_MS);
  const profile = { name: `Sandbox User ${m.digits.slice(-4)}` };
  // W16: a person reached by user id answers as that user id, with no phone (`from`, `wa_id`).
  const contact = m.userId ? { profile, user_id: m.userId } : { profile, wa_id: m.digits };
  const reply = {
    ...(m.userId ? { from_user_id: m.userId } : { from: m.digits }),
    id: newWamid(),
    timestamp: seconds(replyAt),
  };
  const inbound = (message: Record<string, unknown>, from: Record<string, unknown> = contact) =>
    events.push({ due: replyAt, event: { kind: "message", contact: from, message } });
  const answering = { context: { from: m.businessDigits, id: m.wamid } };
  if (m.digits.endsWith("5555")) {
    inbound({ ...reply, type: "text", text: { body: "STOP" } });
  } else if (m.digits.endsWith("6666")) {
    inbound({ ...reply, type: "button", button: { text: "Yes", payload: "Yes" }, ...answering });
  } else if (m.digits.endsWith("7777")) {
    // A reaction is engagement with the message, not a reply: it names the message in reaction.message_id.
    inbound({ ...reply, type: "reaction", reaction: { message_id: m.wamid, emoji: "\u{1F44D}" } });
  } else if (m.digits.endsWith("6061")) {
    // A tap Meta sends without `context`: only the payload the message set (echoed) names it.
    const userId = m.userId ?? `GB.${m.digits}`;
    const { from: _phone, ...withoutPhone } = reply as {
      from?: string;
      id: string;
      timestamp: string;
    };
    inbound(
      {
        ...withoutPhone,
        from_user_id: userId,
        type: "button",
        button: { text: "Yes", payload: m.quickReplyPayload ?? "Yes" },
      },
      { profile: contact.profile, user_id: userId },
    );
  } else if (m.digits.endsWith("8888")) {
    // Business-scoped user ids (2026): the person is a user id, the phone may be missing.
    const userId = m.userId ?? `GB.${m.digits}`;
    const { from: _phone, ...withoutPhone } = reply as {
      from?: string;
      id: string;
      timestamp: string;
    };
    inbound(
      {
        ...withoutPhone,
        from_user_id: userId,
        type: "button",
        button: { text: "Count me in", payload: "yes" },
        ...answering,
      },
      { profile: contact.profile, user_id: userId },
    );
  }
  return events;
}
