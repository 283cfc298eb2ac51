/**
 * Erasure: DELETE /v1/contacts/{id}?erase=true and POST /v1/erasures remove a
 * person's number, name and replies from every broadcast of the account, in
 * the Durable Objects and in D1, and leave statuses and counters whole.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  expectCountersMatchRows,
  future,
  holidayBody,
  type Setup,
  setup,
  waitForStatus,
} from "../engine";
import { api, apiKey, bearer, expectStatus, jsonInit } from "../helpers";
import { projectionRows, putOnPlane } from "../scaling/projection";

const seqBase = () => Math.floor(Math.random() * 60_000);

/** Every place a broadcast keeps a recipient, as one string to search. */
async function everything(s: Setup, uuid: string): Promise<string> {
  const stub = broadcastStub(env, s.account.accountId, uuid);
  const rows = await runInDurableObject(stub, (_i, state) =>
    state.storage.sql.exec("SELECT * FROM recipients").toArray(),
  );
  const projection = { results: await projectionRows(s.account.accountId, uuid, "*") };
  const listed = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100`, { headers: bearer(s.account.key) }),
    200,
  );
  return JSON.stringify({ rows, projection: projection.results, listed });
}

async function replyCount(s: Setup, uuid: string): Promise<number> {
  const stub = broadcastStub(env, s.account.accountId, uuid);
  return runInDurableObject(
    stub,
    (_i, state) =>
      state.storage.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM recipients WHERE replied_at IS NOT NULL")
        .one().n,
  );
}

describe("erasing a person", () => {
  it("DELETE /v1/contacts/{id}?erase=true scrubs them from every broadcast, DOs and D1", async () => {
    const s = await setup();
    const base = seqBase();
    // 6666 numbers reply "Yes" in the sandbox: the person has a reply to erase.
    const person = mobileNumber(base, "6666");
    const other = mobileNumber((base + 1) % 61_000, "6666");
    const contact = await expectStatus(
      await api(
        "/v1/contacts",
        jsonInit("POST", { phone: `+${person}`, firstName: "Alexandra" }, apiKey(s.account.key)),
      ),
      201,
    );

    // A finished broadcast with a reply, and a scheduled one holding the person
    // twice (the second spelling rejected as a duplicate, stored as sent).
    const sent = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [person, other]));
    await waitForStatus(s, sent.uuid, "completed");
    await runDurableObjectAlarm(broadcastStub(env, s.account.accountId, sent.uuid));
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(async () => (await replyCount(s, sent.uuid)) === 2, {
      timeout: 15_000,
      interval: 250,
    });
    const spaced = `+${person.slice(0, 2)} ${person.slice(2, 6)} ${person.slice(6)}`;
    const scheduled = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, [person, spaced, other], {
        scheduled_for: future(3_600_000),
      }),
    );
    expect(scheduled.rejected_recipients).toBe(1);
    for (const uuid of [sent.uuid, scheduled.uuid]) {
      await runDurableObjectAlarm(broadcastStub(env, s.account.accountId, uuid));
      expect(await everything(s, uuid)).toContain(person.slice(-8));
    }

    const result = await expectStatus(
      await api(`/v1/contacts/${contact.id}?erase=true`, {
        method: "DELETE",
        headers: apiKey(s.account.key),
      }),
      200,
    );
    expect(result).toEqual({
      success: true,
      erased: { contacts: 1, broadcasts: 2, recipients: 3 },
    });

    for (const uuid of [sent.uuid, scheduled.uuid]) {
      const found = await everything(s, uuid);
      expect(found).not.toContain(person.slice(-8));
      expect(found).not.toContain("Alexandra");
      expect(found).toContain(other); // the other recipient is untouched
      await expectCountersMatchRows(s.account.accountId, uuid);
      // The DO's next flush rewrites the projection from the scrubbed rows: still clean.
      await runDurableObjectAlarm(broadcastStub(env, s.account.accountId, uuid));
      expect(await everything(s, uuid)).not.toContain(person.slice(-8));
    }
    // The reply text went with the person; the reply itself still counts.
    const detail = await expectStatus(
      await api(`/broadcasts/${sent.uuid}`, { headers: bearer(s.account.key) }),
      200,
    );
    expect(detail.replied).toBe(2);
    const replies = await runInDurableObject(
      broadcastStub(env, s.account.accountId, sent.uuid),
      (_i, state) =>
        state.storage.sql
          .exec("SELECT identifier, reply_text FROM recipients ORDER BY seq")
          .toArray(),
    );
    expect(replies).toEqual([
      { identifier: "[erased]", reply_text: null },
      { identifier: other, reply_text: "Yes" },
    ]);
    await expectStatus(
      await api(`/v1/contacts/${contact.id}`, { headers: apiKey(s.account.key) }),
      404,
    );
  }, 60_000);

  it("POST /v1/erasures erases by number in any spelling, only within the caller's account", async () => {
    const a = await setup();
    const b = await setup();
    const person = mobileNumber(seqBase());
    const inA = await createBroadcast(
      a,
      holidayBody(a.sender.phoneNumber, [person], { scheduled_for: future(3_600_000) }),
    );
    const inB = await createBroadcast(
      b,
      holidayBody(b.sender.phoneNumber, [person], { scheduled_for: future(3_600_000) }),
    );
    const spelled = `+${person.slice(0, 2)} (${person.slice(2, 5)}) ${person.slice(5, 8)}-${person.slice(8)}`;
    const report = await expectStatus(
      await api("/v1/erasures", jsonInit("POST", { phone: spelled }, apiKey(a.account.key))),
      200,
    );
    expect(report).toEqual({ contacts: 0, broadcasts: 1, recipients: 1 });
    expect(await everything(a, inA.uuid)).not.toContain(person);
    expect(await everything(b, inB.uuid)).toContain(person);
  }, 30_000);

  it("answers 400 naming the phone for something that is not a number, and erases nothing", async () => {
    const s = await setup();
    for (const phone of ["", "abc", "12", "+1234567890123456789", 447700900123]) {
      const error = await expectStatus(
        await api("/v1/erasures", jsonInit("POST", { phone }, apiKey(s.account.key))),
        400,
      );
      expect(error.details).toContain("phone");
    }
  });

  it.each(["shards", "d1"] as const)(
    "reports the one contact erased, whatever its memberships (audience on %s)",
    async (plane) => {
      const s = await setup();
      await putOnPlane(s.account.accountId, plane);
      const key = apiKey(s.account.key);
      const person = mobileNumber(seqBase(), "0");
      const contact = await expectStatus(
        await api("/v1/contacts", jsonInit("POST", { phone: `+${person}` }, key)),
        201,
      );
      for (const name of ["A", "B"]) {
        const segment = await expectStatus(
          await api("/v1/segments", jsonInit("POST", { name }, key)),
          201,
        );
        await expectStatus(
          await api(
            `/v1/segments/${segment.id}/contacts`,
            jsonInit("POST", { contactIds: [contact.id] }, key),
          ),
          200,
        );
      }
      const report = await expectStatus(
        await api("/v1/erasures", jsonInit("POST", { phone: `+${person}` }, key)),
        200,
      );
      // D1 counts the rows a delete cascades to in its `changes`: two memberships here.
      expect(report.contacts).toBe(1);
      await expectStatus(await api(`/v1/contacts/${contact.id}`, { headers: key }), 404);
    },
  );
});
