import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { BroadcastDO } from "../../src/durable/broadcast-do";
import { broadcastStub } from "../../src/durable/stubs";
import { callbackData } from "../../src/whatsapp/messages";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  expectCountersMatchRows,
  helloBody,
  postSigned,
  type Setup,
  sandboxStats,
  setup,
  waitForStatus,
} from "../engine";
import { api, bearer, expectStatus, jsonInit } from "../helpers";
import { projectionRows } from "../scaling/projection";

function envelope(phoneNumberId: string, value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "waba",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "1", phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

function status(
  wamid: string,
  st: string,
  at: number,
  cb: string | null,
  extra: Record<string, unknown> = {},
) {
  return {
    id: wamid,
    status: st,
    timestamp: String(at),
    recipient_id: "x",
    ...(cb ? { biz_opaque_callback_data: cb } : {}),
    ...extra,
  };
}

/** Sends a broadcast to completion and returns its recipients' wamids. */
async function sentBroadcast(s: Setup, identifiers: string[]) {
  const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, identifiers));
  await waitForStatus(s, created.uuid, "completed");
  const stub = broadcastStub(env, s.account.accountId, created.uuid);
  const rows = await runInDurableObject(stub, (_i: BroadcastDO, state) =>
    state.storage.sql
      .exec<{ seq: number; wamid: string; identifier: string }>(
        "SELECT seq, wamid, identifier FROM recipients ORDER BY seq",
      )
      .toArray(),
  );
  return { uuid: created.uuid as string, stub, rows };
}

async function waitUntilDetails(s: Setup, uuid: string, check: (d: any) => boolean) {
  let last: any;
  await vi
    .waitUntil(
      async () => {
        last = await details(s, uuid);
        return check(last);
      },
      { timeout: 15_000, interval: 200 },
    )
    .catch(() => {
      throw new Error(`condition not met: ${JSON.stringify(last)}`);
    });
  return last;
}

describe("status webhooks", () => {
  it("ends read with every timestamp whatever the order, and ignores duplicates", async () => {
    const s = await setup();
    const { uuid, rows } = await sentBroadcast(s, [mobileNumber(100)]);
    const r = rows[0]!;
    const cb = callbackData(s.account.accountId, uuid, r.seq);
    const t = 1_800_000_000;
    await postSigned(
      envelope(s.number.phoneNumberId, { statuses: [status(r.wamid, "read", t + 20, cb)] }),
    );
    await postSigned(
      envelope(s.number.phoneNumberId, {
        statuses: [
          status(r.wamid, "delivered", t + 10, cb),
          status(r.wamid, "delivered", t + 10, cb),
        ],
      }),
    );
    await postSigned(
      envelope(s.number.phoneNumberId, { statuses: [status(r.wamid, "sent", t, cb)] }),
    );
    const d = await waitUntilDetails(s, uuid, (x) => x.read === 1);
    expect(d).toMatchObject({ sent: 1, delivered: 1, read: 1, failed: 0 });
    const page = await expectStatus(
      await api(`/broadcasts/${uuid}/recipients`, { headers: bearer(s.account.key) }),
      200,
    );
    await vi.waitUntil(async () => {
      const p = await expectStatus(
        await api(`/broadcasts/${uuid}/recipients`, { headers: bearer(s.account.key) }),
        200,
      );
      return p.recipients[0].delivered_at !== undefined;
    });
    const again = await expectStatus(
      await api(`/broadcasts/${uuid}/recipients`, { headers: bearer(s.account.key) }),
      200,
    );
    expect(again.recipients[0]).toMatchObject({
      status: "read",
      delivered_at: new Date((t + 10) * 1000).toISOString().replace(".000Z", "Z"),
      read_at: new Date((t + 20) * 1000).toISOString().replace(".000Z", "Z"),
    });
    void page;
  });

  it("item 7: a read without delivered sets delivered_at from the read (recipients and message_statuses)", async () => {
    const s = await setup();
    const { uuid, rows } = await sentBroadcast(s, [mobileNumber(105)]);
    const r = rows[0]!;
    const cb = callbackData(s.account.accountId, uuid, r.seq);
    const t = 1_800_000_100;
    // Meta skips delivered: only read comes (the person had the chat open).
    await postSigned(
      envelope(s.number.phoneNumberId, { statuses: [status(r.wamid, "read", t, cb)] }),
    );
    const readAt = new Date(t * 1000).toISOString().replace(".000Z", "Z");
    await vi.waitUntil(
      async () => {
        const p = await expectStatus(
          await api(`/broadcasts/${uuid}/recipients`, { headers: bearer(s.account.key) }),
          200,
        );
        return p.recipients[0].status === "read";
      },
      { timeout: 10_000, interval: 200 },
    );
    const page = await expectStatus(
      await api(`/broadcasts/${uuid}/recipients`, { headers: bearer(s.account.key) }),
      200,
    );
    expect(page.recipients[0]).toMatchObject({
      status: "read",
      read_at: readAt,
      delivered_at: readAt,
    });
    // The D1 projection (message_statuses) follows within a flush.
    await vi.waitUntil(
      async () => {
        const m = await expectStatus(
          await api(
            "/broadcasts/message_statuses",
            jsonInit(
              "POST",
              { filters: { broadcastUuid: uuid }, limit: 10, offset: 0 },
              bearer(s.account.key),
            ),
          ),
          200,
        );
        const item = m.recipients[0];
        return item?.delivered_at === readAt;
      },
      { timeout: 10_000, interval: 300 },
    );
  });

  it("applies interleaved events of two broadcasts, and a failed status without callback data via the wamid index", async () => {
    const s = await setup();
    const one = await sentBroadcast(s, [mobileNumber(110), mobileNumber(111)]);
    const two = await sentBroadcast(s, [mobileNumber(112)]);
    // Let both projections reach D1 so the wamid index knows them.
    await runDurableObjectAlarm(one.stub);
    await runDurableObjectAlarm(two.stub);
    const t = 1_800_000_000;
    await postSigned(
      envelope(s.number.phoneNumberId, {
        statuses: [
          status(
            one.rows[0]!.wamid,
            "delivered",
            t,
            callbackData(s.account.accountId, one.uuid, 0),
          ),
          status(two.rows[0]!.wamid, "read", t, callbackData(s.account.accountId, two.uuid, 0)),
          status(one.rows[1]!.wamid, "failed", t, null, {
            errors: [
              {
                code: 131026,
                title: "Message undeliverable",
                error_data: { details: "Not on WhatsApp" },
              },
            ],
          }),
        ],
      }),
    );
    await waitUntilDetails(s, one.uuid, (d) => d.delivered === 1 && d.failed === 1);
    await waitUntilDetails(s, two.uuid, (d) => d.read === 1);
    const page = await expectStatus(
      await api(`/broadcasts/${one.uuid}/recipients`, { headers: bearer(s.account.key) }),
      200,
    );
    expect(page.recipients[1]).toMatchObject({
      status: "failed",
      error: "Message undeliverable",
      error_code: 131026,
    });
  });
});

describe("the sandbox's behaviours end to end", () => {
  it("sent = delivered = read for a clean broadcast; 1111 fails with 131026; 4444 stays delivered", async () => {
    const s = await setup();
    const plain = Array.from({ length: 30 }, (_, i) => mobileNumber(200 + i));
    const undeliverable = mobileNumber(300, "1111");
    const unread = mobileNumber(301, "4444");
    const { uuid } = await sentBroadcast(s, [...plain, undeliverable, unread]);
    await vi
      .waitUntil(async () => (await deliverWebhooks(s.number.phoneNumberId)) === 0 && true, {
        timeout: 10_000,
      })
      .catch(() => undefined);
    const d = await waitUntilDetails(
      s,
      uuid,
      (x) => x.read === 30 && x.failed === 1 && x.delivered === 31,
    );
    expect(d).toMatchObject({ recipients: 32, sent: 31, delivered: 31, read: 30, failed: 1 });
    const stats = await sandboxStats(s.number.phoneNumberId);
    expect(stats.accepted).toBe(32);
    await expectCountersMatchRows(s.account.accountId, uuid);
  });

  it("5555 replies STOP: the number is suppressed and a later broadcast rejects it", async () => {
    const s = await setup();
    const stopper = mobileNumber(400, "5555");
    const { uuid } = await sentBroadcast(s, [stopper]);
    const { stub } = { stub: broadcastStub(env, s.account.accountId, uuid) };
    await runDurableObjectAlarm(stub);
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(
      async () =>
        (await env.DB.prepare("SELECT 1 FROM suppressions WHERE account_id = ? AND phone = ?")
          .bind(s.account.accountId, stopper)
          .first()) !== null,
      { timeout: 15_000, interval: 200 },
    );
    const later = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [stopper, mobileNumber(401)]),
    );
    expect(later.warnings.recipients).toEqual([
      { identifier: stopper, errors: ["Recipient has opted out"] },
    ]);
  });

  it("6666's quick reply is attributed to its broadcast message by context", async () => {
    const s = await setup();
    const replier = mobileNumber(500, "6666");
    const { uuid, stub } = await sentBroadcast(s, [replier, mobileNumber(501)]);
    await runDurableObjectAlarm(stub);
    await deliverWebhooks(s.number.phoneNumberId);
    // The reply and the two reads are separate events: the reply may be
    // applied first, so wait for all three rather than read the counters then.
    const d = await waitUntilDetails(s, uuid, (x) => x.replied === 1 && x.read === 2);
    expect(d.read).toBe(2);
    const reply = await runInDurableObject(stub, (_i: BroadcastDO, state) =>
      state.storage.sql
        .exec("SELECT identifier, reply_text FROM recipients WHERE replied_at IS NOT NULL")
        .toArray(),
    );
    expect(reply).toEqual([{ identifier: replier, reply_text: "Yes" }]);
    await expectCountersMatchRows(s.account.accountId, uuid);
  });
});

describe("POST /broadcasts/message_statuses", () => {
  it("filters by broadcast, client references and update time, with paging, from the projection", async () => {
    const s = await setup();
    const { uuid, stub } = await sentBroadcast(
      s,
      Array.from({ length: 12 }, (_, i) => mobileNumber(600 + i)),
    );
    await runDurableObjectAlarm(stub);
    const post = (body: unknown) =>
      api("/broadcasts/message_statuses", jsonInit("POST", body, bearer(s.account.key)));

    const byBroadcast = await expectStatus(
      await post({ filters: { broadcastUuid: uuid }, limit: 5, offset: 10 }),
      200,
    );
    expect(byBroadcast.pagination).toEqual({ offset: 10, limit: 5, total: 12 });
    expect(byBroadcast.recipients).toHaveLength(2);
    expect(byBroadcast.metadata).toEqual({ filters: { broadcastUuid: uuid } });
    expect(byBroadcast.recipients[0]).toMatchObject({
      broadcast_uuid: uuid,
      status: "submitted",
      client_reference: "ref-10",
      error: null,
    });

    const refs = await expectStatus(
      await post({
        filters: { clientReferences: ["ref-1", "ref-3", "nope"] },
        limit: 10,
        offset: 0,
      }),
      200,
    );
    expect(refs.recipients.map((r: any) => r.client_reference).sort()).toEqual(["ref-1", "ref-3"]);

    const since = await expectStatus(
      await post({
        filters: { updatedSince: new Date(Date.now() + 60_000).toISOString() },
        limit: 10,
        offset: 0,
      }),
      200,
    );
    expect(since.pagination.total).toBe(0);

    // The projection equals the DO.
    const doRows = await runInDurableObject(stub, (_i: BroadcastDO, state) =>
      state.storage.sql
        .exec<{ seq: number; status: string; wamid: string }>(
          "SELECT seq, status, wamid FROM recipients ORDER BY seq",
        )
        .toArray(),
    );
    expect(await projectionRows(s.account.accountId, uuid, "seq, status, wamid")).toEqual(doRows);
  });

  it("answers 400 naming the problem, and 404 for another account's broadcast", async () => {
    const s = await setup();
    const other = await setup();
    const post = (body: unknown, key = s.account.key) =>
      api("/broadcasts/message_statuses", jsonInit("POST", body, bearer(key)));
    const cases: [unknown, RegExp][] = [
      [{ filters: {}, limit: 10, offset: 0 }, /at least one/],
      [{ filters: { broadcastUuid: "x" }, offset: 0 }, /limit/],
      [{ filters: { broadcastUuid: "x" }, limit: 10 }, /offset/],
      [{ filters: { broadcastUuid: "x" }, limit: 1001, offset: 0 }, /limit/],
      [{ filters: { broadcastUuid: "x" }, limit: 0, offset: 0 }, /limit/],
      [{ filters: { broadcastUuid: "x" }, limit: 10, offset: -1 }, /offset/],
      [
        {
          filters: { clientReferences: Array.from({ length: 1001 }, (_, i) => `r${i}`) },
          limit: 10,
          offset: 0,
        },
        /clientReferences/,
      ],
      [{ filters: { updatedSince: "yesterday" }, limit: 10, offset: 0 }, /updatedSince/],
      [{ limit: 10, offset: 0 }, /filters/],
    ];
    for (const [body, pattern] of cases) {
      const out = await expectStatus(await post(body), 400);
      expect(out.details).toMatch(pattern);
    }
    const { uuid } = await sentBroadcast(other, [mobileNumber(700)]);
    await expectStatus(await post({ filters: { broadcastUuid: uuid }, limit: 10, offset: 0 }), 404);
    const mine = await expectStatus(
      await post({ filters: { clientReferences: ["ref-0"] }, limit: 10, offset: 0 }),
      200,
    );
    expect(mine.pagination.total).toBe(0);
  });
});
