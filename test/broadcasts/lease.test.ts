/**
 * Invariant 1 under production's concurrency (issue 15, "never twice"): 30
 * broadcasts of 10 recipients start at once on one 2 mps number, and their
 * queue messages are handed to the sends consumer all at once, each as its
 * own invocation (Miniflare's local queue runs one at a time, so the test
 * delivers them itself). 300 sends at 1.94/s take ~155 s, far past the 60 s
 * claim lease: a claim released while its consumer still waits for its slot
 * would be sent twice. Every broadcast must complete, the sandbox accept each
 * recipient exactly once, and no second at the sandbox exceed the cap.
 */
import {
  createExecutionContext,
  createMessageBatch,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { broadcastStub } from "../../src/durable/stubs";
import type { Bindings } from "../../src/env";
import type { SendBatchMessage } from "../../src/queues/messages";
import worker from "../../src/worker";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  expectCountersMatchRows,
  future,
  helloBody,
  queueByHand,
  sandboxMessages,
  sandboxStats,
  setup,
  waitForStatus,
} from "../engine";

const BROADCASTS = Number(process.env.LEASE_BROADCASTS ?? 30);
const EACH = 10;
const MPS = 2;

describe("no recipient is sent twice when a slow number is shared", () => {
  it("30 broadcasts of 10 on a 2 mps number, consumed concurrently: each recipient accepted exactly once", async () => {
    const s = await setup({ throughputMps: MPS });
    const base = 600_000 + Math.floor(Math.random() * 100_000);
    const created = await Promise.all(
      Array.from({ length: BROADCASTS }, (_, b) =>
        createBroadcast(
          s,
          helloBody(
            s.sender.phoneNumber,
            Array.from({ length: EACH }, (_, i) => mobileNumber(base + b * EACH + i, "0")),
            { scheduled_for: future(3_600_000) },
          ),
        ),
      ),
    );
    // Each broadcast starts sending with its rows in two waves (6 + 4), as its
    // dispatcher would queue them; the test is the queue, and delivers them all at once.
    const messages: SendBatchMessage[] = [];
    for (const c of created) {
      const stub = broadcastStub(env, s.account.accountId, c.uuid);
      await queueByHand(stub, [{ batchId: 1, below: 6 }, { batchId: 2 }], { armTick: true });
      for (const [batchId, seqs] of [
        [1, [0, 1, 2, 3, 4, 5]],
        [2, [6, 7, 8, 9]],
      ] as const) {
        messages.push({
          accountId: s.account.accountId,
          broadcastId: c.uuid,
          batchId,
          seqs: [...seqs],
          enqueuedAt: Date.now(),
        });
      }
    }
    const handler = worker.queue as ExportedHandlerQueueHandler<Bindings, SendBatchMessage>;
    await Promise.all(
      messages.map(async (body, i) => {
        const ctx = createExecutionContext();
        await handler(
          createMessageBatch("chorus-sends", [
            { id: `m${i}`, timestamp: new Date(), attempts: 1, body },
          ]),
          env as unknown as Bindings,
          ctx,
        );
        await waitOnExecutionContext(ctx);
      }),
    );
    // What did not fit in the leases went back with its slot's time; the
    // broadcasts' own dispatchers (and the local queue) send the rest.
    const progress = setInterval(async () => {
      const st = await sandboxStats(s.number.phoneNumberId);
      console.log(`[lease] accepted ${st.accepted} over_cap ${st.over_cap} dup ${st.duplicates}`);
    }, 10_000);
    try {
      for (const c of created) await waitForStatus(s, c.uuid, "completed", 260_000);
    } finally {
      clearInterval(progress);
    }

    const stats = await sandboxStats(s.number.phoneNumberId);
    expect(stats.accepted).toBe(BROADCASTS * EACH);
    expect(stats.duplicates).toBe(0);
    expect(stats.over_cap).toBe(0);
    expect(stats.max_per_second).toBeLessThanOrEqual(MPS);
    const sentTo = (await sandboxMessages(s.number.phoneNumberId)).map((m: any) => m.wa_id);
    expect(new Set(sentTo).size).toBe(BROADCASTS * EACH);
    for (const c of created) await expectCountersMatchRows(s.account.accountId, c.uuid);
  }, 330_000);
});
