/**
 * The chorus-sends consumer, batch by batch as the queue delivers it
 * (createMessageBatch + getQueueResult), on the real BroadcastDO, SenderDO
 * and sandbox: it acks a wave once its slots are reserved and near (its sends
 * leave in waitUntil), asks the queue to
 * retry when it cannot even start (the SenderDO unreachable), and what the
 * queue finally gives up on (the dead-letter consumer) fails visibly.
 */
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BroadcastDO } from "../../src/durable/broadcast-do";
import { broadcastStub } from "../../src/durable/stubs";
import type { Bindings } from "../../src/env";
import { DEAD_LETTER_REASON } from "../../src/queues/dead-letters";
import type { SendBatchMessage } from "../../src/queues/messages";
import worker from "../../src/worker";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  details,
  future,
  helloBody,
  queueByHand,
  sandboxMessages,
  sandboxStats,
  setup,
} from "../engine";

const healthy = env as unknown as Bindings;

async function deliver(queue: string, bodies: SendBatchMessage[], bindings: Bindings) {
  const batch = createMessageBatch<SendBatchMessage>(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  const handler = worker.queue as ExportedHandlerQueueHandler<Bindings, SendBatchMessage>;
  await handler(batch, bindings, ctx);
  const result = await getQueueResult(batch, ctx);
  await waitOnExecutionContext(ctx);
  return result;
}

/** A broadcast whose rows sit in batch `batchId` as the dispatcher would leave them, not enqueued. */
async function queuedBroadcast(
  count: number,
  batchId: number,
  throughputMps = 1000,
  sandbox?: Record<string, unknown>,
) {
  const s = await setup({ throughputMps, sandbox });
  const base = 400_000 + Math.floor(Math.random() * 100_000);
  const ids = Array.from({ length: count }, (_, i) => mobileNumber(base + i, "0"));
  const created = await createBroadcast(
    s,
    helloBody(s.sender.phoneNumber, ids, { scheduled_for: future(3_600_000) }),
  );
  const stub = broadcastStub(env, s.account.accountId, created.uuid);
  await queueByHand(stub, [{ batchId }]);
  const body: SendBatchMessage = {
    accountId: s.account.accountId,
    broadcastId: created.uuid,
    batchId,
    seqs: ids.map((_, i) => i),
    enqueuedAt: Date.now(),
  };
  return { s, uuid: created.uuid as string, body };
}

describe("sends consumer", () => {
  it("acks a wave once its six slots are reserved, and settles every answer", async () => {
    const { s, uuid, body } = await queuedBroadcast(6, 41);
    const result = await deliver("chorus-sends", [body], healthy);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
    expect((await sandboxStats(s.number.phoneNumberId)).accepted).toBe(6);
    expect(await details(s, uuid)).toMatchObject({ status: "completed", submitted: 6 });
  });

  it("hands a batch off once its slots are near, before its last sends leave: they leave in waitUntil", async () => {
    // 2 mps: six slots ~0.52 s apart. The handler returns once the last is
    // within HANDOFF_WITHIN_MS (1 s), so the last send reaches the sandbox
    // about a second later; the code before returned once all six had left.
    const { s, uuid, body } = await queuedBroadcast(6, 43, 2);
    const batch = createMessageBatch<SendBatchMessage>("chorus-sends", [
      { id: "m0", timestamp: new Date(), attempts: 1, body },
    ]);
    const ctx = createExecutionContext();
    const handler = worker.queue as ExportedHandlerQueueHandler<Bindings, SendBatchMessage>;
    await handler(batch, healthy, ctx);
    const handedOffAt = Date.now();
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m0"]);
    await waitOnExecutionContext(ctx);
    const accepted = await sandboxMessages(s.number.phoneNumberId);
    expect(accepted).toHaveLength(6);
    const lastAcceptedAt = Math.max(...accepted.map((m) => Date.parse(m.accepted_at)));
    expect(lastAcceptedAt - handedOffAt).toBeGreaterThan(300);
    expect(await details(s, uuid)).toMatchObject({ status: "completed", submitted: 6 });
  });

  it("keeps at most six sends waiting for Meta per invocation, before and after the hand-off (invariant 7)", async () => {
    // Eighteen recipients in one message, Meta answering in 400 ms: the
    // invocation's six connections carry three waves, so the seventh send
    // can only reach the sandbox once the first has its answer.
    const latencyMs = 400;
    const { s, uuid, body } = await queuedBroadcast(18, 44, 1000, {
      latency: { p50_ms: latencyMs, p99_ms: latencyMs, seed: 1 },
    });
    const result = await deliver("chorus-sends", [body], healthy);
    expect(result.explicitAcks).toEqual(["m0"]);
    const arrivals = (await sandboxMessages(s.number.phoneNumberId))
      .map((m) => Date.parse(m.accepted_at))
      .sort((a, b) => a - b);
    expect(arrivals).toHaveLength(18);
    for (let i = 6; i < arrivals.length; i++)
      expect((arrivals[i] as number) - (arrivals[i - 6] as number)).toBeGreaterThanOrEqual(
        latencyMs - 50,
      );
    expect(await details(s, uuid)).toMatchObject({ status: "completed", submitted: 18 });
  });

  it("asks the queue to retry a wave it cannot start (the SenderDO unreachable), sending nothing", async () => {
    const { s, body } = await queuedBroadcast(6, 42);
    const senderDown = {
      ...healthy,
      SENDER: {
        idFromName: () => {
          throw new Error("Durable Object namespace unavailable");
        },
      },
    } as unknown as Bindings;
    const result = await deliver("chorus-sends", [body], senderDown);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual(["m0"]);
    expect((await sandboxStats(s.number.phoneNumberId)).accepted).toBe(0);
  });

  it("fails what the queue gave up on (dead letters) with the reason, counters still equal to rows", async () => {
    const { s, uuid, body } = await queuedBroadcast(4, 43);
    const result = await deliver("chorus-sends-dlq", [body], healthy);
    expect(result.explicitAcks).toEqual(["m0"]);
    const d = await details(s, uuid);
    expect(d).toMatchObject({ status: "completed", failed: 4, submitted: 0 });
    expect((await sandboxStats(s.number.phoneNumberId)).accepted).toBe(0);
    const stub = broadcastStub(env, s.account.accountId, uuid);
    const titles = await runInDurableObject(stub, (_i: BroadcastDO, state) =>
      state.storage.sql
        .exec<{ error_title: string }>("SELECT DISTINCT error_title FROM recipients")
        .toArray(),
    );
    expect(titles).toEqual([{ error_title: DEAD_LETTER_REASON }]);
  });
});
