/**
 * Marketing opt-outs (item 2 of issue 18, invariant 9): Meta's
 * `user_preferences` stop (sandbox W4) or a failed status with 131050 (W3)
 * stops marketing templates to that person, at create and at send, on both
 * surfaces; utility still goes; `resume` lifts only Meta's block, the latest
 * timestamp winning; /v1/suppressions shows the scope and the source.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MARKETING_OPTED_OUT } from "../../src/domain/marketing-rules";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  future,
  helloBody,
  holidayBody,
  type Setup,
  sandbox,
  sandboxMessages,
  setup,
} from "../engine";
import { api, apiKey, bearer, call, expectStatus, jsonInit, until } from "../helpers";

afterEach(() => vi.useRealTimers());

const person = (suffix = "0") => mobileNumber(Math.floor(Math.random() * 60_000), suffix);

/** W4: Meta's user_preferences webhook for this person, delivered to the API. */
async function preference(
  s: Setup,
  who: { wa_id?: string; user_id?: string },
  value: "stop" | "resume",
  timestamp: number,
) {
  await sandbox(
    `/__sandbox/numbers/${s.number.phoneNumberId}/user_preferences`,
    jsonInit("POST", { ...who, value, timestamp }),
  );
  await deliverWebhooks(s.number.phoneNumberId);
}

async function entries(s: Setup): Promise<any[]> {
  return call(s.account, "GET", "/v1/suppressions?limit=100");
}

const marketingEntry = (list: any[], phone: string) =>
  list.find((e) => e.phone === `+${phone}` && e.scope === "marketing");

describe("marketing opt-outs", () => {
  it("user_preferences stop: marketing rejected at create, utility goes; resume lifts it, latest timestamp wins", async () => {
    const s = await setup();
    const p = person();
    const t = Math.floor(Date.now() / 1000);
    await preference(s, { wa_id: p, user_id: `GB.${p}` }, "stop", t);
    const listed = await until(
      () => entries(s),
      (l) => !!marketingEntry(l, p),
      "no marketing entry",
    );
    // Kept by phone and by user id, listed once.
    expect(listed.filter((e) => e.phone === `+${p}`)).toEqual([
      expect.objectContaining({
        scope: "marketing",
        source: "user_preferences",
        userId: `GB.${p}`,
        reason: "User requested to stop marketing messages",
      }),
    ]);
    expect(await call(s.account, "GET", `/v1/suppressions/${p}`)).toMatchObject({
      scope: "marketing",
    });
    const kept = await call(s.account, "DELETE", `/v1/suppressions/${p}`, undefined, 409);
    expect(kept.details).toContain("resume");

    const other = person();
    const marketing = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [p, other]));
    expect(marketing).toMatchObject({ recipients: 1, rejected_recipients: 1 });
    expect(marketing.warnings.recipients).toEqual([
      { identifier: p, errors: [MARKETING_OPTED_OUT] },
    ]);
    expect(await createBroadcast(s, helloBody(s.sender.phoneNumber, [p]))).toMatchObject({
      recipients: 1,
    });

    await preference(s, { wa_id: p }, "resume", t + 10);
    await until(
      () => entries(s),
      (l) => !marketingEntry(l, p),
      "resume did not lift it",
    );
    // An older stop arriving later changes nothing.
    await preference(s, { wa_id: p }, "stop", t + 5);
    await new Promise((r) => setTimeout(r, 300));
    expect(marketingEntry(await entries(s), p)).toBeUndefined();
    expect(await createBroadcast(s, holidayBody(s.sender.phoneNumber, [p]))).toMatchObject({
      recipients: 1,
    });
  }, 30_000);

  it("resume lifts only Meta's block: a manual suppression (scope all) stays", async () => {
    const s = await setup();
    const p = person();
    await call(s.account, "POST", "/v1/suppressions", { phone: p, reason: "asked" }, 201);
    const t = Math.floor(Date.now() / 1000);
    await preference(s, { wa_id: p }, "stop", t);
    await until(
      () => entries(s),
      (l) => !!marketingEntry(l, p),
      "no marketing entry",
    );
    await preference(s, { wa_id: p }, "resume", t + 1);
    const list = await until(
      () => entries(s),
      (l) => !marketingEntry(l, p),
      "still marketing",
    );
    expect(list.filter((e) => e.phone === `+${p}`)).toEqual([
      expect.objectContaining({ scope: "all", source: "manual", reason: "asked" }),
    ]);
    const utility = await expectStatus(
      await api(
        "/broadcasts",
        jsonInit("POST", helloBody(s.sender.phoneNumber, [p, person()]), bearer(s.account.key)),
      ),
      202,
    );
    expect(utility.rejected_recipients).toBe(1);
  }, 30_000);

  it("at send: who stops after the create gets no marketing template (failed, unsent, with the reason)", async () => {
    const s = await setup();
    const p = person();
    const other = person();
    const created = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, [p, other], { scheduled_for: future(3_600_000) }),
    );
    await preference(s, { wa_id: p }, "stop", Math.floor(Date.now() / 1000));
    await until(
      () => entries(s),
      (l) => !!marketingEntry(l, p),
      "no marketing entry",
    );
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 3_600_000 + 1_000);
    await runDurableObjectAlarm(broadcastStub(env, s.account.accountId, created.uuid));
    const page = await until(
      async () =>
        expectStatus(
          await api(`/broadcasts/${created.uuid}/recipients`, { headers: bearer(s.account.key) }),
          200,
        ),
      (pg: any) => pg.recipients.every((r: any) => r.status !== "pending"),
      "recipients still pending",
    );
    const byId = Object.fromEntries(page.recipients.map((r: any) => [r.identifier, r]));
    expect(byId[p]).toMatchObject({
      status: "failed",
      error: MARKETING_OPTED_OUT,
      error_code: 131050,
    });
    expect(byId[other].status).toBe("submitted");
    const sent = await sandboxMessages(s.number.phoneNumberId);
    expect(sent.some((m: any) => m.to === `+${p}`)).toBe(false);
  }, 30_000);

  it("W3: a failed status with 131050 adds the marketing opt-out (source 131050)", async () => {
    const s = await setup();
    const p = person("5051");
    await createBroadcast(s, holidayBody(s.sender.phoneNumber, [p]));
    await vi.waitUntil(
      async () =>
        (await sandboxMessages(s.number.phoneNumberId)).some((m: any) => m.to === `+${p}`),
      { timeout: 10_000, interval: 100 },
    );
    await deliverWebhooks(s.number.phoneNumberId);
    const list = await until(
      () => entries(s),
      (l) => !!marketingEntry(l, p),
      "no entry",
    );
    expect(marketingEntry(list, p)).toMatchObject({ source: "131050" });
    const again = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [p, person()]));
    expect(again.warnings.recipients).toEqual([{ identifier: p, errors: [MARKETING_OPTED_OUT] }]);
  }, 30_000);

  it("v1: an opted-out contact is rejected from a marketing broadcast with the reason, not from a utility one", async () => {
    const s = await setup();
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
    const p = person();
    const other = person();
    await call(s.account, "POST", "/v1/contacts/bulk", {
      contacts: [
        { phone: p, firstName: "Pat" },
        { phone: other, firstName: "Oli" },
      ],
    });
    await preference(s, { wa_id: p }, "stop", Math.floor(Date.now() / 1000));
    await until(
      () => entries(s),
      (l) => !!marketingEntry(l, p),
      "no marketing entry",
    );
    const logsOf = async (id: string) =>
      expectStatus<any[]>(
        await api(`/v1/broadcasts/${id}/logs?limit=100`, { headers: apiKey(s.account.key) }),
        200,
      );
    const promo = await call(s.account, "POST", "/v1/broadcasts", {
      name: "Promo",
      type: "client",
      template: { name: "class_booking_flow", language: "en" },
      bodyTextParameters: ["{{contact.firstName}}"],
    });
    const promoLogs = await until(
      () => logsOf(promo.id),
      (l) => l.length === 2 && l.some((r) => r.status === "sent"),
      "promo logs",
    );
    const pat = promoLogs.find((r) => `${r.countryCode}${r.phone}` === p);
    expect(pat.status).not.toBe("sent");
    expect(pat.error).toContain("131050");
    const note = await call(s.account, "POST", "/v1/broadcasts", {
      name: "Note",
      type: "client",
      template: { name: "hello_world", language: "en" },
    });
    await until(
      () => logsOf(note.id),
      (l) => l.length === 2 && l.every((r) => r.status === "sent"),
      "utility logs",
    );
  }, 30_000);
});
