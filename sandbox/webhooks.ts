/**
 * The webhooks the sandbox sends back: grouping of due events into POSTs,
 * Meta's exact envelope, and the X-Hub-Signature-256 signature (HMAC-SHA256
 * of the raw body bytes with the app secret).
 */

/** A status of a message the number sent: `{id, status, timestamp, recipient_id, …}`. */
export interface StatusEvent {
  kind: "status";
  status: Record<string, unknown>;
}

/** A message a user sent to the number, with the contact it comes from. */
export interface InboundEvent {
  kind: "message";
  contact: Record<string, unknown>;
  message: Record<string, unknown>;
}

/** A WABA-level change (template status, number quality): its own `field` and `value`. */
export interface AccountEvent {
  kind: "account";
  field: string;
  value: Record<string, unknown>;
}

export type OutboxEvent = StatusEvent | InboundEvent | AccountEvent;

export interface NumberIdentity {
  phoneNumberId: string;
  wabaId: string;
  displayNumber: string;
}

/** Meta's envelope for one POST: every event of it in one `value` (statuses, or contacts + messages). */
export function envelope(number: NumberIdentity, events: readonly OutboxEvent[]): string {
  const account = events.filter((e): e is AccountEvent => e.kind === "account");
  if (account.length > 0) {
    return JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: number.wabaId,
          time: Math.floor(Date.now() / 1000),
          changes: account.map((e) => ({ field: e.field, value: e.value })),
        },
      ],
    });
  }
  const value: Record<string, unknown> = {
    messaging_product: "whatsapp",
    metadata: {
      display_phone_number: number.displayNumber,
      phone_number_id: number.phoneNumberId,
    },
  };
  const inbound = events.filter((e): e is InboundEvent => e.kind === "message");
  const statuses = events.filter((e): e is StatusEvent => e.kind === "status");
  if (inbound.length > 0) {
    value.contacts = inbound.map((e) => e.contact);
    value.messages = inbound.map((e) => e.message);
  }
  if (statuses.length > 0) value.statuses = statuses.map((e) => e.status);
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: number.wabaId, changes: [{ value, field: "messages" }] }],
  });
}

export const MAX_STATUSES_PER_POST = 50;

export interface QueuedEvent {
  id: number;
  event: OutboxEvent;
}

export interface PlannedPost {
  /** Outbox rows this POST delivers (empty for a deliberate duplicate). */
  ids: number[];
  events: OutboxEvent[];
  duplicate: boolean;
}

export interface PlanOptions {
  /** Deliver in random order (read before delivered…), as Meta may. */
  shuffle: boolean;
  /** Share of events delivered a second time, in a later POST (Meta delivers at least once). */
  duplicateRate: number;
  random: () => number;
}

/**
 * Groups due events into POSTs: consecutive statuses share a POST (at most
 * 50), and each inbound message and each account event has its own, as Meta
 * sends them. Duplicates
 * follow the originals as separate POSTs.
 */
export function planPosts(events: readonly QueuedEvent[], options: PlanOptions): PlannedPost[] {
  const order = [...events];
  if (options.shuffle) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(options.random() * (i + 1));
      [order[i], order[j]] = [order[j] as QueuedEvent, order[i] as QueuedEvent];
    }
  }
  const again =
    options.duplicateRate > 0 ? order.filter(() => options.random() < options.duplicateRate) : [];
  return [...group(order, false), ...group(again, true)];
}

function group(events: readonly QueuedEvent[], duplicate: boolean): PlannedPost[] {
  const posts: PlannedPost[] = [];
  let current: PlannedPost | null = null;
  for (const e of events) {
    const joins =
      current !== null &&
      e.event.kind === "status" &&
      current.events[0]?.kind === "status" &&
      current.events.length < MAX_STATUSES_PER_POST;
    if (!joins || current === null) {
      current = { ids: [], events: [], duplicate };
      posts.push(current);
    }
    if (!duplicate) current.ids.push(e.id);
    current.events.push(e.event);
  }
  return posts;
}

const keys = new Map<string, Promise<CryptoKey>>();

/** `sha256=<hex HMAC-SHA256 of the body's UTF-8 bytes>` with `secret`. */
export async function sign(body: string, secret: string): Promise<string> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    keys.set(secret, key);
  }
  const mac = await crypto.subtle.sign("HMAC", await key, new TextEncoder().encode(body));
  return `sha256=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export interface SignedDelivery {
  /** The raw JSON body, exactly as signed. */
  body: string;
  headers: { "content-type": "application/json"; "x-hub-signature-256": string };
}

export async function signedDelivery(
  number: NumberIdentity,
  events: readonly OutboxEvent[],
  secret: string,
): Promise<SignedDelivery> {
  const body = envelope(number, events);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": await sign(body, secret),
    },
  };
}

/** A new message id in Meta's style: "wamid." and a base64url blob. */
export function newWamid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `wamid.HBgM${btoa(String.fromCharCode(...bytes))
    .replaceAll("/", "_")
    .replaceAll("+", "-")
    .replaceAll("=", "")}`;
}
