/**
 * The chorus-callbacks consumer. Events from broadcasts are fanned out to the
 * account's endpoints that want their type (and to a broadcast's own
 * status_callback_url), up to 100 events per POST; each POST is a delivery
 * row first (its body kept), then an attempt. A failed attempt comes back to
 * this queue as a `delivery` message after a backoff, until it is 2xx or 24 h
 * old; then the delivery is failed and its endpoint marked failing.
 * Each account's deliveries of a batch are logged all at once (in D1, or in
 * its month shard: src/db/callback-deliveries.ts) and that account's events
 * acknowledged right then, so a retry of the consumer never makes a second
 * delivery.
 * At least once: receivers deduplicate by event id.
 */

import {
  getDelivery,
  insertDeliveries,
  type NewDelivery,
  recordAttempt,
} from "../db/callback-deliveries";
import type { WebhookEndpoint } from "../db/callbacks-schema";
import { database } from "../db/client";
import {
  accountCallbackSecret,
  deliverableEndpoints,
  endpointSecretEnc,
  setEndpointHealth,
} from "../db/webhook-endpoints";
import { type CallbackEvent, signCallback } from "../domain/callbacks";
import { bodyAgedOut, GIVE_UP_AFTER_MS, MAX_BACKOFF_S } from "../domain/delivery-log";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import { decryptAccessToken } from "../whatsapp/access-token";
import type { CallbackMessage } from "./messages";

const EVENTS_PER_POST = 100;
const DELIVERY_TIMEOUT_MS = 10_000;

interface AccountEvents {
  messages: Message<CallbackMessage>[];
  items: { url: string | null; event: CallbackEvent }[];
}

export async function consumeCallbacks(batch: MessageBatch<CallbackMessage>, env: Bindings) {
  const byAccount = new Map<string, AccountEvents>();
  const retries: {
    message: Message<CallbackMessage>;
    accountId: string | null;
    deliveryId: string;
  }[] = [];
  for (const m of batch.messages) {
    if (m.body.kind === "delivery") {
      const { deliveryId, accountId } = m.body;
      retries.push({ message: m, accountId: accountId ?? null, deliveryId });
    } else {
      const group = byAccount.get(m.body.accountId) ?? { messages: [], items: [] };
      group.messages.push(m);
      group.items.push({ url: m.body.callbackUrl, event: m.body.event });
      byAccount.set(m.body.accountId, group);
    }
  }
  const created = await Promise.all(
    [...byAccount].map(async ([accountId, group]) => {
      try {
        const ids = await createDeliveries(env, accountId, group.items);
        // The events are safe in the delivery log now: acknowledged at once, so
        // that nothing after this (a failing attempt) can make their deliveries twice.
        for (const m of group.messages) m.ack();
        return ids.map((id) => ({ accountId, id }));
      } catch (err) {
        // All or nothing per account (one D1 batch, or one shard transaction):
        // a retry of these events makes them once; other accounts' stay logged.
        log("error", "callback deliveries could not be logged", { accountId, ...errorFields(err) });
        for (const m of group.messages) m.retry({ delaySeconds: 5 });
        return [];
      }
    }),
  );
  await Promise.all([
    ...created.flat().map(({ accountId, id }) => firstAttempt(env, accountId, id)),
    ...retries.map(async ({ message, accountId, deliveryId }) => {
      try {
        await attempt(env, accountId, deliveryId);
        message.ack();
      } catch (err) {
        log("error", "callback attempt failed", { deliveryId, ...errorFields(err) });
        message.retry({ delaySeconds: 30 });
      }
    }),
  ]);
}

/** The first try of a new delivery; if it throws, its retry goes back to the queue as a `delivery`. */
async function firstAttempt(env: Bindings, accountId: string, deliveryId: string): Promise<void> {
  try {
    await attempt(env, accountId, deliveryId);
  } catch (err) {
    log("error", "callback attempt failed", { deliveryId, ...errorFields(err) });
    try {
      await env.CALLBACKS.send(
        { kind: "delivery", accountId, deliveryId },
        { delaySeconds: backoffSeconds(env, 1) },
      );
    } catch (sendErr) {
      // Still in the delivery log (pending); POST …/deliveries/{id}/replay sends it.
      log("error", "callback delivery left pending", { deliveryId, ...errorFields(sendErr) });
    }
  }
}

/** Every delivery one account's events make (per endpoint and per own URL, ≤ 100 events each), logged at once. */
async function createDeliveries(
  env: Bindings,
  accountId: string,
  items: AccountEvents["items"],
): Promise<string[]> {
  const rows: NewDelivery[] = [];
  for (const endpoint of await deliverableEndpoints(database(env.DB), accountId)) {
    const wanted = new Set(JSON.parse(endpoint.events) as string[]);
    const events = items.filter((i) => wanted.has(i.event.type)).map((i) => i.event);
    rows.push(...chunked(endpoint, endpoint.url, events));
  }
  const byUrl = new Map<string, CallbackEvent[]>();
  for (const i of items) if (i.url) byUrl.set(i.url, [...(byUrl.get(i.url) ?? []), i.event]);
  for (const [url, events] of byUrl) rows.push(...chunked(null, url, events));
  return insertDeliveries(env, accountId, rows);
}

function chunked(
  endpoint: WebhookEndpoint | null,
  url: string,
  events: CallbackEvent[],
): NewDelivery[] {
  const rows: NewDelivery[] = [];
  for (let i = 0; i < events.length; i += EVENTS_PER_POST) {
    const chunk = events.slice(i, i + EVENTS_PER_POST);
    rows.push({
      endpointId: endpoint?.id ?? null,
      url,
      body: JSON.stringify({ events: chunk }),
      eventCount: chunk.length,
    });
  }
  return rows;
}

/**
 * One POST of a pending delivery, signed now; on failure, the next try is
 * queued. `accountId` null: a retry queued before messages named the account
 * (a D1 delivery, found by its id alone).
 */
export async function attempt(
  env: Bindings,
  accountId: string | null,
  deliveryId: string,
): Promise<void> {
  const delivery = await getDelivery(env, accountId, deliveryId);
  // The sweep empties finished deliveries only; one replayed as it ran has nothing left to send.
  if (delivery?.status !== "pending" || bodyAgedOut(delivery)) return;
  const secret = await signingSecret(env, delivery.accountId, delivery.endpointId);
  const attempts = delivery.attempts + 1;
  let status: number | null = null;
  let error: string | null = null;
  if (secret === null) {
    error = "The endpoint no longer exists";
  } else {
    const timestamp = Math.floor(Date.now() / 1000);
    const firstId = (JSON.parse(delivery.body) as { events: CallbackEvent[] }).events[0]?.id ?? "";
    try {
      const res = await post(env, delivery.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Chorus-Callbacks/1",
          "chorus-signature": await signCallback(secret, timestamp, delivery.body),
          "chorus-event-id": firstId,
          "chorus-delivery-id": delivery.id,
        },
        body: delivery.body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      status = res.status;
      await res.body?.cancel();
    } catch (err) {
      error = String(err);
    }
  }
  const now = new Date();
  if (status !== null && status >= 200 && status < 300) {
    await recordAttempt(env, delivery.accountId, delivery.id, {
      status: "delivered",
      attempts,
      lastStatusCode: status,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: now.toISOString(),
    });
    if (delivery.endpointId)
      await setEndpointHealth(env.DB, delivery.accountId, delivery.endpointId, "active");
    return;
  }
  const lastError = error ?? `HTTP ${status}`;
  const age = now.getTime() - Date.parse(delivery.createdAt);
  const delay = backoffSeconds(env, attempts);
  if (secret === null || age + delay * 1000 > GIVE_UP_AFTER_MS) {
    await recordAttempt(env, delivery.accountId, delivery.id, {
      status: "failed",
      attempts,
      lastStatusCode: status,
      lastError,
      nextAttemptAt: null,
    });
    if (delivery.endpointId)
      await setEndpointHealth(env.DB, delivery.accountId, delivery.endpointId, "failing");
    return;
  }
  await recordAttempt(env, delivery.accountId, delivery.id, {
    attempts,
    lastStatusCode: status,
    lastError,
    nextAttemptAt: new Date(now.getTime() + delay * 1000).toISOString(),
  });
  await env.CALLBACKS.send(
    { kind: "delivery", accountId: delivery.accountId, deliveryId: delivery.id },
    { delaySeconds: delay },
  );
}

/** CALLBACK_RETRY_BASE_S (30 s), doubling per attempt, capped at an hour. */
export function backoffSeconds(env: Bindings, attempts: number): number {
  const base = Number(env.CALLBACK_RETRY_BASE_S) || 30;
  return Math.min(MAX_BACKOFF_S, Math.ceil(base * 2 ** Math.max(0, attempts - 1)));
}

function post(env: Bindings, url: string, init: RequestInit): Promise<Response> {
  return env.CALLBACK_FETCH ? env.CALLBACK_FETCH.fetch(url, init) : fetch(url, init);
}

async function signingSecret(
  env: Bindings,
  accountId: string,
  endpointId: string | null,
): Promise<string | null> {
  if (endpointId === null)
    return accountCallbackSecret(env.DB, env.TOKEN_ENCRYPTION_KEY, accountId);
  const enc = await endpointSecretEnc(env.DB, accountId, endpointId);
  return enc ? decryptAccessToken(enc, env.TOKEN_ENCRYPTION_KEY) : null;
}
