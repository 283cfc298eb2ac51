/**
 * Issue 16, items 8 and 9: what an inbound message is. A reaction is kept as
 * a reaction, not a reply; system and unsupported messages are neither; a
 * quick-reply tap, an interactive reply and a flow response are replies with
 * their real text; a business-scoped user id without a phone is attributed
 * by context. The sandbox sends the broadcast and its scripted inbound
 * webhooks (7777, 8888); the other inbound shapes are Meta's, posted signed.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { BroadcastDO } from "../../src/durable/broadcast-do";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  expectCountersMatchRows,
  helloBody,
  postSigned,
  type Setup,
  setup,
  waitForStatus,
} from "../engine";

type Row = {
  seq: number;
  identifier: string;
  wamid: string;
  replied_at: string | null;
  reply_text: string | null;
};

async function sent(s: Setup, identifiers: string[]) {
  const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, identifiers));
  await waitForStatus(s, created.uuid, "completed");
  const stub = broadcastStub(env, s.account.accountId, created.uuid);
  // The projection reaches D1, so that replies find their message by wamid.
  await runDurableObjectAlarm(stub);
  return { uuid: created.uuid as string, stub };
}

const rowsOf = (stub: DurableObjectStub<BroadcastDO>) =>
  runInDurableObject(stub, (_i: BroadcastDO, state) =>
    state.storage.sql
      .exec<Row>(
        "SELECT seq, identifier, wamid, replied_at, reply_text FROM recipients ORDER BY seq",
      )
      .toArray(),
  );

const reactionOf = (stub: DurableObjectStub<BroadcastDO>, seq: number) =>
  runInDurableObject(stub, (_i: BroadcastDO, state) =>
    state.storage.sql
      .exec<{ reaction: string | null }>("SELECT reaction FROM recipients WHERE seq = ?", seq)
      .one(),
  );

/** One inbound message in Meta's envelope, from `from` to the setup's number. */
function inbound(s: Setup, from: string, message: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: s.number.phoneNumberId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: {
                display_phone_number: s.number.displayNumber,
                phone_number_id: s.number.phoneNumberId,
              },
              contacts: [{ profile: { name: "Someone" }, wa_id: from }],
              messages: [
                {
                  from,
                  id: `wamid.in-${crypto.randomUUID()}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  ...message,
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

describe("inbound messages: replies, reactions and the rest", () => {
  it("item 8: a reaction is not a reply (kept as a reaction), system/unsupported are neither, taps and flow responses are replies with their real text", async () => {
    const s = await setup();
    const base = Math.floor(Math.random() * 50_000);
    const reactor = mobileNumber(base % 60_000, "7777");
    const people = Array.from({ length: 6 }, (_, i) => mobileNumber(base + i, "0"));
    const { uuid, stub } = await sent(s, [reactor, ...people]);
    const rows = await rowsOf(stub);
    const wamidOf = (identifier: string) => rows.find((r) => r.identifier === identifier)?.wamid;
    const [tap, button, list, flow, system, unsupported] = people as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const context = (to: string) => ({
      context: { from: s.number.displayNumber, id: wamidOf(to) },
    });
    const flowJson = '{"flow_token":"booking-1","slot":"tue-09"}';

    // Neither replies nor reactions: posted first, so they are applied before what we wait for.
    await postSigned(
      inbound(s, system, {
        type: "system",
        system: { body: "User changed number", type: "user_changed_number" },
      }),
    );
    await postSigned(
      inbound(s, unsupported, {
        type: "unsupported",
        errors: [{ code: 131051, title: "Message type unknown" }],
      }),
    );
    await postSigned(
      inbound(s, tap, {
        type: "button",
        button: { text: "Yes please", payload: "YES" },
        ...context(tap),
      }),
    );
    await postSigned(
      inbound(s, button, {
        type: "interactive",
        interactive: { type: "button_reply", button_reply: { id: "book", title: "Book now" } },
        ...context(button),
      }),
    );
    await postSigned(
      inbound(s, list, {
        type: "interactive",
        interactive: {
          type: "list_reply",
          list_reply: { id: "tue", title: "Tuesday 9am", description: "Yoga" },
        },
        ...context(list),
      }),
    );
    await postSigned(
      inbound(s, flow, {
        type: "interactive",
        interactive: {
          type: "nfm_reply",
          nfm_reply: { name: "flow", body: "Sent", response_json: flowJson },
        },
        ...context(flow),
      }),
    );
    // The sandbox's statuses for everyone, and 7777's 👍 on its message.
    await deliverWebhooks(s.number.phoneNumberId);

    const reactorSeq = rows.find((r) => r.identifier === reactor)?.seq ?? -1;
    await vi
      .waitUntil(
        async () =>
          (await details(s, uuid)).replied >= 4 &&
          (await reactionOf(stub, reactorSeq)).reaction === "👍",
        { timeout: 15_000, interval: 250 },
      )
      .catch(async () => {
        throw new Error(`not applied: ${JSON.stringify(await rowsOf(stub))}`);
      });
    const after = await rowsOf(stub);
    const replies = Object.fromEntries(
      after.filter((r) => r.replied_at !== null).map((r) => [r.identifier, r.reply_text]),
    );
    expect(replies).toEqual({
      [tap]: "Yes please",
      [button]: "Book now",
      [list]: "Tuesday 9am",
      [flow]: flowJson,
    });
    expect((await details(s, uuid)).replied).toBe(4);
    await expectCountersMatchRows(s.account.accountId, uuid);
  });

  it("item 9: a quick reply from a business-scoped user id with no phone is attributed by context.id", async () => {
    const s = await setup();
    const base = Math.floor(Math.random() * 50_000);
    const bsuid = mobileNumber(base % 60_000, "8888");
    const { uuid, stub } = await sent(s, [bsuid, mobileNumber(base + 1, "0")]);
    await deliverWebhooks(s.number.phoneNumberId);
    await vi
      .waitUntil(async () => (await details(s, uuid)).replied === 1, {
        timeout: 15_000,
        interval: 250,
      })
      .catch(async () => {
        throw new Error(`no reply applied: ${JSON.stringify(await rowsOf(stub))}`);
      });
    const replied = (await rowsOf(stub)).filter((r) => r.replied_at !== null);
    expect(replied.map((r) => [r.identifier, r.reply_text])).toEqual([[bsuid, "Count me in"]]);
    await expectCountersMatchRows(s.account.accountId, uuid);
  });
});
