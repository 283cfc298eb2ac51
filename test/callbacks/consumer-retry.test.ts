/**
 * Issue 16, item 12: a retry of the callbacks consumer never makes a second
 * delivery (a second POST) for the same events. The consumer runs batch by
 * batch (createMessageBatch + getQueueResult) on real D1 and the sandbox's
 * receiver; the fault is a queue outage while the first attempt is requeued.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { call, createAccount } from "../helpers";
import { completedEvent, consumeCallbacks, failNext, received, receiverUrl } from "./helpers";

const healthy = env as unknown as Bindings;

describe("callbacks consumer retries", () => {
  it("item 12: when an attempt throws after its delivery row exists, a retry of the batch makes no second delivery", async () => {
    const account = await createAccount();
    const name = `r-${crypto.randomUUID()}`;
    const ep = await call(
      account,
      "POST",
      "/v1/webhook-endpoints",
      { url: receiverUrl(name), events: ["broadcast.completed"] },
      201,
    );
    // The receiver fails the first POST, and the queue is down when that try is requeued.
    await failNext(name, 1);
    const queueDown = {
      ...healthy,
      CALLBACKS: {
        send: () => Promise.reject(new Error("Queue send failed: service unavailable")),
      },
    } as unknown as Bindings;
    const messages = [
      { id: "c1", attempts: 1, body: completedEvent(account.accountId) },
      { id: "c2", attempts: 1, body: completedEvent(account.accountId) },
    ];
    const first = await consumeCallbacks(messages, queueDown);

    // Whatever the queue is told to redeliver comes back, now with everything healthy.
    const again = first.retryBatch.retry
      ? messages
      : messages.filter((m) => first.retryMessages.some((r) => r.msgId === m.id));
    if (again.length > 0)
      await consumeCallbacks(
        again.map((m) => ({ ...m, attempts: 2 })),
        healthy,
      );

    const deliveries = await call(
      account,
      "GET",
      `/v1/webhook-endpoints/${ep.id}/deliveries?limit=100`,
    );
    expect(deliveries, JSON.stringify({ first, deliveries })).toHaveLength(1);
    const posts = await received(name);
    expect(posts.map((p) => p.status)).toEqual([503]);
    expect(first.explicitAcks.sort()).toEqual(["c1", "c2"]);
  });
});
