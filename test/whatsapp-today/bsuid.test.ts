/**
 * Business-scoped user ids (item 8 of issue 18): a recipient addressed by a
 * user id goes out as `recipient` (sandbox W16) and its statuses, named by
 * `recipient_user_id` only, are applied; a reply with only `from_user_id` is
 * attributed by its context (W18); a STOP from a bare user id suppresses that
 * user id; 131062 (W17) fails only that recipient; a malformed user id is a 400.
 */
import { describe, expect, it } from "vitest";
import { MARKETING_OPTED_OUT, US_MARKETING_BLOCKED } from "../../src/domain/marketing-rules";
import { OPTED_OUT } from "../../src/domain/recipients";
import { audienceRows } from "../audience-rows";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  helloBody,
  holidayBody,
  type Setup,
  sandbox,
  sandboxMessages,
  setup,
} from "../engine";
import { api, bearer, call, expectStatus, jsonInit, until } from "../helpers";

const person = (suffix = "0") => mobileNumber(Math.floor(Math.random() * 60_000), suffix);
/** A user id ending in `suffix` (a 0 touches no scripted behaviour of the sandbox). */
const userId = (suffix = "0", cc = "GB") =>
  `${cc}.${String(Math.floor(Math.random() * 1e15)).padStart(15, "1")}${suffix}`;

async function recipients(s: Setup, uuid: string): Promise<Record<string, any>> {
  const page = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100`, { headers: bearer(s.account.key) }),
    200,
  );
  return Object.fromEntries(page.recipients.map((r: any) => [r.identifier, r]));
}

/** The sandbox's held webhooks, drained: their bodies, then delivered to the API as signed. */
async function drainAndDeliver(phoneNumberId: string): Promise<any[]> {
  const { deliveries } = await sandbox(
    `/__sandbox/numbers/${phoneNumberId}/webhooks/drain?all=true`,
    { method: "POST" },
  );
  for (const d of deliveries as { body: string; headers: Record<string, string> }[]) {
    await expectStatus(
      await api("/webhooks/whatsapp", { method: "POST", headers: d.headers, body: d.body }),
      200,
    );
  }
  return deliveries.map((d: { body: string }) => JSON.parse(d.body));
}

/** W18: a person writes to the number; the webhook is delivered to the API. */
async function inbound(s: Setup, message: Record<string, unknown>) {
  await sandbox(`/__sandbox/numbers/${s.number.phoneNumberId}/inbound`, jsonInit("POST", message));
  await deliverWebhooks(s.number.phoneNumberId);
}

const sentTo = async (s: Setup, n: number) =>
  until(
    () => sandboxMessages(s.number.phoneNumberId),
    (m) => m.length >= n,
    "the sandbox did not get the messages",
  );

describe("business-scoped user ids", () => {
  it("a broadcast to a user id goes as `recipient`; its statuses without recipient_id are applied", async () => {
    const s = await setup();
    const uid = userId();
    const p = person();
    const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, [uid, p]));
    expect(created).toMatchObject({ recipients: 2, rejected_recipients: 0 });
    const sent = await sentTo(s, 2);
    const toUser = sent.find((m: any) => m.recipient === uid);
    expect(toUser, JSON.stringify(sent)).toMatchObject({ to: "", wa_id: uid });
    expect(sent.find((m: any) => m.to === `+${p}`)).toMatchObject({ recipient: null });

    const posts = await drainAndDeliver(s.number.phoneNumberId);
    const statuses = posts.flatMap((b) =>
      b.entry.flatMap((e: any) => e.changes.flatMap((c: any) => c.value.statuses ?? [])),
    );
    const ofUser = statuses.filter((st: any) => st.id === toUser.wamid);
    expect(ofUser.length).toBeGreaterThan(0);
    for (const st of ofUser) {
      expect(st.recipient_user_id).toBe(uid);
      expect(st).not.toHaveProperty("recipient_id");
    }
    const rows = await until(
      () => recipients(s, created.uuid),
      (r) => r[uid]?.status === "read" && r[p]?.status === "read",
      "statuses not applied",
    );
    expect(rows[uid]).toMatchObject({ user_id: uid });
    expect(rows[p]).not.toHaveProperty("user_id");
  }, 30_000);

  it("131062 fails only the recipient addressed by an unsupported user id; the rest go", async () => {
    const s = await setup();
    const refused = userId("1062");
    const uid = userId();
    const p = person();
    const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, [refused, uid, p]));
    const rows = await until(
      () => recipients(s, created.uuid),
      (r) => [refused, uid, p].every((id) => r[id] && r[id].status !== "pending"),
      "still pending",
    );
    expect(rows[refused]).toMatchObject({
      status: "failed",
      error_code: 131062,
      error: expect.stringContaining("BSUID recipients not supported"),
    });
    expect(rows[uid].status).toBe("submitted");
    expect(rows[p].status).toBe("submitted");
  }, 30_000);

  it("a reply with only from_user_id is attributed by its context; the contact learns a user id given with its phone", async () => {
    const s = await setup();
    const p = person();
    await call(s.account, "POST", "/v1/contacts/bulk", {
      contacts: [{ phone: p, firstName: "Pat" }],
    });
    const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, [p]));
    const [message] = await sentTo(s, 1);
    await deliverWebhooks(s.number.phoneNumberId);
    const uid = userId();
    await inbound(s, { from_user_id: uid, text: "Thanks!", context_id: message.wamid });
    await until(
      () => details(s, created.uuid),
      (d) => d.replied === 1,
      "reply not attributed",
    );

    // Meta names the phone and the user id together: the contact keeps the user id.
    await inbound(s, { from: p, from_user_id: uid, text: "hello again" });
    const row = await until(
      async () =>
        (
          await audienceRows<{ user_id: string | null }>(
            s.account.accountId,
            "SELECT user_id FROM contacts WHERE account_id = ? AND phone = ?",
            s.account.accountId,
            p,
          )
        )[0],
      (r) => r?.user_id === uid,
      "contact did not learn the user id",
    );
    expect(row?.user_id).toBe(uid);
  }, 30_000);

  it("a STOP from a bare user id suppresses that user id: a broadcast to it is rejected", async () => {
    const s = await setup();
    const uid = userId();
    await inbound(s, { from_user_id: uid, text: "STOP" });
    const list = await until(
      () => call(s.account, "GET", "/v1/suppressions?limit=100"),
      (l: any[]) => l.some((e) => e.userId === uid),
      "no suppression",
    );
    expect(list.find((e: any) => e.userId === uid)).toMatchObject({
      phone: null,
      scope: "all",
      source: "stop_reply",
    });
    const p = person();
    const again = await createBroadcast(s, helloBody(s.sender.phoneNumber, [uid, p]));
    expect(again).toMatchObject({ recipients: 1, rejected_recipients: 1 });
    expect(again.warnings.recipients).toEqual([{ identifier: uid, errors: [OPTED_OUT] }]);
  }, 30_000);

  it("a STOP from a user id answering a message to a phone suppresses the phone with the user id", async () => {
    const s = await setup();
    const p = person();
    await createBroadcast(s, helloBody(s.sender.phoneNumber, [p]));
    const [message] = await sentTo(s, 1);
    await deliverWebhooks(s.number.phoneNumberId);
    const uid = userId();
    await inbound(s, { from_user_id: uid, text: "stop", context_id: message.wamid });
    const list = await until(
      () => call(s.account, "GET", "/v1/suppressions?limit=100"),
      (l: any[]) => l.some((e) => e.phone === `+${p}`),
      "phone not suppressed",
    );
    expect(list.find((e: any) => e.phone === `+${p}`)).toMatchObject({
      userId: uid,
      scope: "all",
    });
    const again = await createBroadcast(s, helloBody(s.sender.phoneNumber, [uid, p, person()]));
    expect(again.warnings.recipients).toEqual([
      { identifier: uid, errors: [OPTED_OUT] },
      { identifier: p, errors: [OPTED_OUT] },
    ]);
  }, 30_000);

  it("W3 to a user id: its 131050 (recipient_user_id only) opts that user id out of marketing", async () => {
    const s = await setup();
    const uid = userId("5051");
    await createBroadcast(s, holidayBody(s.sender.phoneNumber, [uid]));
    await sentTo(s, 1);
    await deliverWebhooks(s.number.phoneNumberId);
    const list = await until(
      () => call(s.account, "GET", "/v1/suppressions?limit=100"),
      (l: any[]) => l.some((e) => e.userId === uid && e.scope === "marketing"),
      "no marketing opt-out",
    );
    expect(list.find((e: any) => e.userId === uid)).toMatchObject({
      phone: null,
      source: "131050",
    });
    const again = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [uid, person()]));
    expect(again.warnings.recipients).toEqual([{ identifier: uid, errors: [MARKETING_OPTED_OUT] }]);
  }, 30_000);

  it("a malformed user id is a 400 naming the field; a US user id is blocked from marketing; duplicates are found", async () => {
    const s = await setup();
    const bad = await expectStatus(
      await api(
        "/broadcasts",
        jsonInit(
          "POST",
          helloBody(s.sender.phoneNumber, [person(), "US.1349-120865"]),
          bearer(s.account.key),
        ),
      ),
      400,
    );
    expect(bad.details).toContain("recipients[1].identifier");
    expect(bad.details).toContain("business-scoped user id");
    const tooLong = await expectStatus(
      await api(
        "/broadcasts/validate",
        jsonInit(
          "POST",
          helloBody(s.sender.phoneNumber, [`GB.${"1".repeat(129)}`]),
          bearer(s.account.key),
        ),
      ),
      400,
    );
    expect(tooLong.details).toContain("recipients[0].identifier");

    // Nothing was created by the refused request.
    expect((await sandboxMessages(s.number.phoneNumberId)).length).toBe(0);

    const us = userId("0", "US");
    const gb = userId();
    const marketing = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, [us, gb, gb, person()]),
    );
    expect(marketing).toMatchObject({ recipients: 2, rejected_recipients: 2 });
    expect(marketing.warnings.recipients).toEqual([
      { identifier: us, errors: [US_MARKETING_BLOCKED] },
      { identifier: gb, errors: ["Duplicate recipient in this broadcast"] },
    ]);
  }, 30_000);
});
