/**
 * Issue 16, items 10 and 11: the chorus-events consumer, batch by batch
 * (createMessageBatch + getQueueResult), on real D1 and real broadcasts sent
 * through the sandbox. Events for messages Chorus never sent are acknowledged
 * at once and counted; one failing lookup retries that event, not its batch.
 */
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BroadcastDO } from "../../src/durable/broadcast-do";
import { broadcastStub } from "../../src/durable/stubs";
import type { Bindings } from "../../src/env";
import type { StatusEvent, WebhookEvent } from "../../src/whatsapp/webhooks";
import worker from "../../src/worker";
import { mobileNumber } from "../domain/phones";
import { createBroadcast, details, helloBody, type Setup, setup, waitForStatus } from "../engine";
import { createSender } from "../helpers";
import { putOnPlane } from "../scaling/projection";

afterEach(() => vi.restoreAllMocks());

async function consume(events: WebhookEvent[], bindings: Bindings = env as unknown as Bindings) {
  const batch = createMessageBatch<WebhookEvent>(
    "chorus-events",
    events.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  const queue = worker.queue as ExportedHandlerQueueHandler<Bindings, WebhookEvent>;
  await queue(batch, bindings, ctx);
  return getQueueResult(batch, ctx);
}

const status = (
  s: Setup,
  wamid: string,
  st: StatusEvent["status"],
  broadcast: StatusEvent["broadcast"] = null,
): StatusEvent => ({
  kind: "status",
  phoneNumberId: s.number.phoneNumberId,
  wamid,
  status: st,
  at: Date.now(),
  recipientId: "447700900000",
  broadcast,
  error: st === "failed" ? { code: 131026, title: "Message undeliverable", details: "" } : null,
});

async function sentBroadcast(s: Setup, identifiers: string[]) {
  const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, identifiers));
  await waitForStatus(s, created.uuid, "completed");
  const stub = broadcastStub(env, s.account.accountId, created.uuid);
  await runDurableObjectAlarm(stub);
  const rows = await runInDurableObject(stub, (_i: BroadcastDO, state) =>
    state.storage.sql
      .exec<{ seq: number; wamid: string }>("SELECT seq, wamid FROM recipients ORDER BY seq")
      .toArray(),
  );
  return { uuid: created.uuid as string, rows };
}

describe("the events consumer", () => {
  it("item 10: events for messages Chorus never sent (a number shared with another tool) are acknowledged at once and counted", async () => {
    const s = await setup();
    // Chorus has just sent on this number: its own events still apply.
    await sentBroadcast(s, [mobileNumber(Math.floor(Math.random() * 50_000), "0")]);
    const shared = await createSender(s.account);
    const foreign = (i: number) => `wamid.other-tool-${i}-${crypto.randomUUID()}`;
    const logs = vi.spyOn(console, "log");

    const result = await consume([
      status(s, foreign(1), "sent"),
      status(s, foreign(2), "delivered"),
      status(s, foreign(3), "read"),
      status(s, foreign(4), "failed"),
      {
        kind: "message",
        phoneNumberId: shared.number.phoneNumberId,
        from: "447700900123",
        userId: null,
        wamid: foreign(5),
        at: Date.now(),
        type: "text",
        text: "Is my order ready?",
        contextId: null,
      },
      {
        kind: "reaction",
        phoneNumberId: shared.number.phoneNumberId,
        from: "447700900123",
        userId: null,
        wamid: foreign(6),
        at: Date.now(),
        messageId: foreign(7),
        emoji: "👍",
      },
    ]);
    expect(result.retryMessages, JSON.stringify(result)).toEqual([]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
    const counted = logs.mock.calls
      .map((c) => JSON.parse(String(c[0])))
      .find((l) => l.msg === "acknowledged events for messages Chorus never sent");
    expect(counted).toMatchObject({ count: 6 });
  });

  it("item 9: an inbound message with only a business-scoped user id and no context is kept to the log and acknowledged, never retried", async () => {
    const s = await setup();
    const { splitEnvelope } = await import("../../src/whatsapp/webhooks");
    const [event] = splitEnvelope({
      object: "whatsapp_business_account",
      entry: [
        {
          id: s.sender.wabaId,
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "1", phone_number_id: s.number.phoneNumberId },
                contacts: [{ profile: { name: "A" }, user_id: "US.13491208655302741918" }],
                messages: [
                  {
                    from_user_id: "US.13491208655302741918",
                    id: "wamid.bsuid-1",
                    timestamp: "1790000000",
                    type: "text",
                    text: { body: "hello?" },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(event).toMatchObject({ kind: "message", from: "", userId: "US.13491208655302741918" });
    const logs = vi.spyOn(console, "log");
    const result = await consume([event as WebhookEvent]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([]);
    expect(logs.mock.calls.map((c) => String(c[0])).join("\n")).toContain(
      "US.13491208655302741918",
    );
  });

  it("item 11: one failing D1 lookup retries that event only; the rest of the batch is applied", async () => {
    const s = await setup();
    // The lookup that fails is D1's: an account whose projection is still in D1.
    await putOnPlane(s.account.accountId, "d1");
    const base = Math.floor(Math.random() * 50_000);
    const { uuid, rows } = await sentBroadcast(s, [
      mobileNumber(base, "0"),
      mobileNumber(base + 1, "0"),
    ]);
    const [one, two] = rows as [{ seq: number; wamid: string }, { seq: number; wamid: string }];
    const broken = `wamid.lookup-fails-${crypto.randomUUID()}`;
    // D1 itself, failing only the wamid lookup of one event (a D1 outage for one query).
    const db = new Proxy(env.DB, {
      get(target, prop) {
        if (prop !== "prepare") return Reflect.get(target, prop, target);
        return (query: string) => {
          const statement = target.prepare(query);
          return new Proxy(statement, {
            get(st, p) {
              if (p !== "bind") return Reflect.get(st, p, st);
              return (...values: unknown[]) => {
                if (values.includes(broken)) throw new Error("D1_ERROR: injected for one event");
                return st.bind(...values);
              };
            },
          });
        };
      },
    });
    const result = await consume(
      [
        status(s, one.wamid, "read", {
          accountId: s.account.accountId,
          broadcastId: uuid,
          seq: one.seq,
        }),
        status(s, broken, "failed"),
        // No callback data: found through the wamid index, like Meta's failed statuses.
        status(s, two.wamid, "delivered"),
      ],
      { ...(env as unknown as Bindings), DB: db },
    );
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m1"]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m2"]);
    expect(await details(s, uuid)).toMatchObject({ read: 1, delivered: 2 });
  });
});
