/** A sandbox receiver standing in for a customer's callback endpoint; the callbacks consumer run by hand. */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/env";
import type { CallbackMessage } from "../../src/queues/messages";
import worker from "../../src/worker";
import { call, expectStatus, jsonInit, type TestAccount } from "../helpers";

/** Every event type an endpoint can subscribe to. */
export const ALL_EVENTS = [
  "recipient.status",
  "recipient.replied",
  "broadcast.completed",
  "broadcast.cancelled",
];

/** A new endpoint of the account, its receiver named freshly, subscribed to `events`. */
export async function endpoint(account: TestAccount, events = ALL_EVENTS) {
  const name = `r-${crypto.randomUUID()}`;
  const created = await call(
    account,
    "POST",
    "/v1/webhook-endpoints",
    { url: receiverUrl(name), events },
    201,
  );
  return { name, id: created.id as string, secret: created.secret as string };
}

/** Runs the callbacks consumer on `messages` as the queue would deliver them; answers what it acked or retried. */
export async function consumeCallbacks(
  messages: { id: string; attempts: number; body: CallbackMessage }[],
  bindings: Bindings,
) {
  const batch = createMessageBatch<CallbackMessage>(
    "chorus-callbacks",
    messages.map((m) => ({ ...m, timestamp: new Date() })),
  );
  const ctx = createExecutionContext();
  const queue = worker.queue as ExportedHandlerQueueHandler<Bindings, CallbackMessage>;
  await queue(batch, bindings, ctx);
  return getQueueResult(batch, ctx);
}

/** A broadcast.completed event of the account, as a broadcast puts it on the callbacks queue. */
export function completedEvent(accountId: string, uuid = crypto.randomUUID()): CallbackMessage {
  return {
    kind: "event",
    accountId,
    callbackUrl: null,
    event: {
      id: `evt_${uuid}_end`,
      type: "broadcast.completed",
      created: new Date().toISOString(),
      broadcast_uuid: uuid,
      broadcast: { status: "completed", recipients: 1, submitted: 1, failed: 0 },
    },
  };
}

export function receiverUrl(name: string): string {
  return `http://receiver.test/__sandbox/receivers/${name}`;
}

export interface ReceivedPost {
  at: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function received(name: string): Promise<ReceivedPost[]> {
  const res = await env.CALLBACK_FETCH.fetch(`http://receiver.test/__sandbox/receivers/${name}`);
  return (await expectStatus<{ posts: ReceivedPost[] }>(res, 200)).posts;
}

export async function failNext(name: string, count: number, status = 503): Promise<void> {
  await expectStatus(
    await env.CALLBACK_FETCH.fetch(
      `http://receiver.test/__sandbox/receivers/${name}/config`,
      jsonInit("POST", { fail_next: count, fail_status: status }),
    ),
    200,
  );
}

/** The events of the POSTs the receiver accepted, each id once (what a receiver that deduplicates keeps). */
export function acceptedEvents(posts: ReceivedPost[]): Map<string, any> {
  const events = new Map<string, any>();
  for (const p of posts) {
    if (p.status !== 200) continue;
    for (const e of JSON.parse(p.body).events) events.set(e.id, e);
  }
  return events;
}
