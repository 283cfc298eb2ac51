/**
 * The webhooks the sandbox sends back: Meta's exact envelope, signed with the
 * app secret over the raw body bytes (X-Hub-Signature-256).
 */
export interface NumberIdentity {
  phoneNumberId: string;
  wabaId: string;
  displayNumber: string;
}

/** One event as queued in the outbox: a status or an inbound message. */
export type OutboxEvent =
  | { kind: "status"; status: Record<string, unknown> }
  | { kind: "message"; message: Record<string, unknown>; contact: Record<string, unknown> };

export function envelope(number: NumberIdentity, events: OutboxEvent[]): string {
  const statuses = events
    .filter((e) => e.kind === "status")
    .map((e) => (e as { status: Record<string, unknown> }).status);
  const messages = events.filter((e) => e.kind === "message") as {
    message: Record<string, unknown>;
    contact: Record<string, unknown>;
  }[];
  const value: Record<string, unknown> = {
    messaging_product: "whatsapp",
    metadata: { display_phone_number: number.displayNumber, phone_number_id: number.phoneNumberId },
  };
  if (messages.length) {
    value.contacts = messages.map((m) => m.contact);
    value.messages = messages.map((m) => m.message);
  }
  if (statuses.length) value.statuses = statuses;
  return JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: number.wabaId, changes: [{ value, field: "messages" }] }],
  });
}

const keys = new Map<string, Promise<CryptoKey>>();

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

export function newWamid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return `wamid.HBgL${btoa(String.fromCharCode(...bytes))
    .replaceAll("/", "_")
    .replaceAll("+", "-")
    .replaceAll("=", "")}`;
}
