/**
 * Status callbacks, the pure part: the event types, an event's shape, and
 * the signature (Stripe-style: `Chorus-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`).
 */
import { hmacHex, randomToken } from "./crypto";
import {
  type MessageStatusItem,
  type MessageStatusSource,
  messageStatusItem,
} from "./message-status";

export const CALLBACK_EVENT_TYPES = [
  "recipient.status",
  "recipient.replied",
  "broadcast.completed",
  "broadcast.cancelled",
] as const;
export type CallbackEventType = (typeof CALLBACK_EVENT_TYPES)[number];

/** How old a signature a receiver should accept (our README's verifier uses it). */
export const SIGNATURE_TOLERANCE_S = 300;

export interface CallbackEvent {
  /** Stable across re-deliveries of the same change: receivers deduplicate by it. */
  id: string;
  type: CallbackEventType;
  /** ISO 8601: when the change was recorded. */
  created: string;
  broadcast_uuid: string;
  /** recipient.*: the recipient's full current status, as `message_statuses` shows it. */
  recipient?: MessageStatusItem & { replied_at: string | null; reply_text: string | null };
  /** broadcast.*: its final counts. */
  broadcast?: { status: string; recipients: number; submitted: number; failed: number };
}

export interface RecipientChange extends MessageStatusSource {
  /** The row's revision: each change has its own, so each event its own id. */
  rev: number;
  repliedAt: string | null;
  replyText: string | null;
}

/**
 * One event per changed recipient, carrying its whole current status (changes
 * between two flushes of the broadcast collapse into the latest). A recipient
 * that replied is `recipient.replied` from then on.
 */
export function recipientEvent(change: RecipientChange): CallbackEvent {
  return {
    id: `evt_${change.broadcastId}_${change.seq}_${change.rev}`,
    type: change.repliedAt ? "recipient.replied" : "recipient.status",
    created: change.updatedAt,
    broadcast_uuid: change.broadcastId,
    recipient: {
      ...messageStatusItem(change),
      replied_at: change.repliedAt,
      reply_text: change.replyText,
    },
  };
}

export function broadcastEvent(
  broadcastId: string,
  status: "completed" | "cancelled",
  at: string,
  counts: { recipients: number; submitted: number; failed: number },
): CallbackEvent {
  return {
    id: `evt_${broadcastId}_${status}`,
    type: status === "completed" ? "broadcast.completed" : "broadcast.cancelled",
    created: at,
    broadcast_uuid: broadcastId,
    broadcast: { status, ...counts },
  };
}

/** The `Chorus-Signature` header value for a body sent at `timestamp` (unix seconds). */
export async function signCallback(
  secret: string,
  timestamp: number,
  body: string,
): Promise<string> {
  return `t=${timestamp},v1=${await hmacHex(secret, `${timestamp}.${body}`)}`;
}

/** A new signing secret: `whsec_` and 32 random bytes, base64url. */
export const newCallbackSecret = (): string => randomToken("whsec_");
