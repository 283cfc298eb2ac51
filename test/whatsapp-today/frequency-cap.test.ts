/**
 * The frequency cap across broadcasts (item 9 of issue 18): the account's
 * `marketingFrequencyCap` ("at most N marketing messages per person per D
 * days", off by default) is honoured at create and validate (a person at it
 * is rejected with a reason naming the cap), when a v1 audience loads, and at
 * send (a person who reached it meanwhile through another broadcast is
 * skipped, or held until allowed with `frequency_cap: "hold"`). Counted:
 * marketing templates Meta accepted, across every broadcast and both
 * surfaces. The clock is moved (Date only) and alarms run by hand, as in
 * marketing-limit.test.ts. Sandbox: numbers ending in 0 touch no scripted
 * behaviour; S1 (accepted sends) is all this needs.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  capReason,
  capVerdict,
  type FrequencyCap,
  parseFrequencyCap,
} from "../../src/domain/frequency-cap";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  details,
  helloBody,
  holidayBody,
  type Setup,
  setup,
  waitForStatus,
} from "../engine";
import { api, apiKey, bearer, call, expectStatus, jsonInit, until } from "../helpers";

afterEach(() => vi.useRealTimers());

const DAY = 24 * 3_600_000;
const ONE_A_WEEK: FrequencyCap = { messages: 1, days: 7 };

const person = () => mobileNumber(Math.floor(Math.random() * 60_000), "0");

async function recipient(s: Setup, uuid: string, identifier: string): Promise<any> {
  const page = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100`, { headers: bearer(s.account.key) }),
    200,
  );
  return page.recipients.find((r: any) => r.identifier === identifier);
}

async function capped(s: Setup, cap: FrequencyCap | null = ONE_A_WEEK) {
  expect(
    await call(s.account, "PUT", "/v1/settings", { marketingFrequencyCap: cap }),
  ).toMatchObject({ marketingFrequencyCap: cap });
}

describe("frequency cap (pure)", () => {
  const now = Date.parse("2027-03-10T10:00:00Z");
  const cap = { messages: 2, days: 7 };

  it("allows below the cap, skips at it, and ignores sends older than the window", () => {
    const policy = "skip" as const;
    expect(capVerdict({ cap, sentAt: [now - DAY], policy, validUntil: null, now })).toEqual({
      kind: "allowed",
    });
    expect(
      capVerdict({ cap, sentAt: [now - DAY, now - 2 * DAY], policy, validUntil: null, now }),
    ).toEqual({ kind: "skip", reason: capReason(cap) });
    expect(
      capVerdict({ cap, sentAt: [now - DAY, now - 8 * DAY], policy, validUntil: null, now }),
    ).toEqual({ kind: "allowed" });
    expect(capReason(cap)).toContain("at most 2 per 7 days");
  });

  it("holds until the oldest counted send ages out, never past valid_until", () => {
    const sentAt = [now - DAY, now - 3 * DAY, now - 2 * DAY];
    // Three in the window, cap 2: two must age out, the second oldest (now - 2 days) last.
    expect(capVerdict({ cap, sentAt, policy: "hold", validUntil: null, now })).toMatchObject({
      kind: "hold",
      until: now - 2 * DAY + 7 * DAY + 1,
    });
    const short = new Date(now + 2 * DAY).toISOString();
    expect(capVerdict({ cap, sentAt, policy: "hold", validUntil: short, now })).toMatchObject({
      kind: "skip",
    });
  });

  it("reads the stored setting, off when absent or malformed", () => {
    expect(parseFrequencyCap(null)).toBeNull();
    expect(parseFrequencyCap('{"messages":2,"days":7}')).toEqual(cap);
    expect(parseFrequencyCap('{"messages":0,"days":7}')).toBeNull();
    expect(parseFrequencyCap("not json")).toBeNull();
  });
});

describe("frequency cap through the API", () => {
  it("is off by default; the setting names its field when bad", async () => {
    const s = await setup();
    expect(await call(s.account, "GET", "/v1/settings")).toMatchObject({
      marketingFrequencyCap: null,
    });
    const bad = await call(
      s.account,
      "PUT",
      "/v1/settings",
      { marketingFrequencyCap: { messages: 0, days: 7 } },
      400,
    );
    expect(JSON.stringify(bad)).toContain("marketingFrequencyCap");
    await capped(s);
    await capped(s, null);
  });

  it("Broadcasts API: a person at the cap is rejected at create and validate with the reason; utility still goes", async () => {
    const s = await setup();
    await capped(s);
    const x = person();
    const y = person();
    const first = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [x]));
    await waitForStatus(s, first.uuid, "completed");

    const second = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [x, y]));
    expect(second).toMatchObject({ recipients: 1, rejected_recipients: 1 });
    expect(second.warnings.recipients).toEqual([
      { identifier: x, errors: [capReason(ONE_A_WEEK)] },
    ]);
    // Counted in the funnel as rejected.
    expect(await details(s, second.uuid)).toMatchObject({ rejected: 1 });

    const validated = await expectStatus(
      await api(
        "/broadcasts/validate",
        jsonInit("POST", holidayBody(s.sender.phoneNumber, [x]), bearer(s.account.key)),
      ),
      200,
    );
    expect(JSON.stringify(validated)).toContain("Frequency cap");

    // Utility templates are not marketing: the cap does not count or stop them.
    const utility = await createBroadcast(s, helloBody(s.sender.phoneNumber, [x]));
    expect(utility).toMatchObject({ recipients: 1, rejected_recipients: 0 });
  }, 30_000);

  it("v1: a contact at the cap (reached through the Broadcasts API) is rejected with the reason when the audience loads", async () => {
    const s = await setup();
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
    await capped(s);
    const x = person();
    const y = person();
    await call(s.account, "POST", "/v1/contacts/bulk", {
      contacts: [
        { phone: x, firstName: "Xan" },
        { phone: y, firstName: "Yan" },
      ],
    });
    const first = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [x]));
    await waitForStatus(s, first.uuid, "completed");

    const created = await call(s.account, "POST", "/v1/broadcasts", {
      name: "Promo",
      type: "client",
      template: { name: "class_booking_flow", language: "en" },
      bodyTextParameters: ["{{contact.firstName}}"],
    });
    const logs = await until(
      async () =>
        expectStatus<any[]>(
          await api(`/v1/broadcasts/${created.id}/logs?limit=100`, {
            headers: apiKey(s.account.key),
          }),
          200,
        ),
      (l) => l.length === 2 && l.some((r) => r.status === "sent"),
      "the v1 broadcast did not send",
    );
    const atCap = logs.find((l) => `${l.countryCode}${l.phone}` === x);
    expect(atCap.status).not.toBe("sent");
    expect(atCap.error).toContain("Frequency cap");
  }, 30_000);

  it("at send: a second broadcast reaching the cap first makes the first skip the person", async () => {
    const s = await setup();
    await capped(s);
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.parse("2027-03-01T10:00:00Z");
    vi.setSystemTime(t0);
    const x = person();
    const later = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, [x], {
        scheduled_for: new Date(t0 + 3_600_000).toISOString(),
      }),
    );
    expect(later).toMatchObject({ rejected_recipients: 0 });
    const now = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [x]));
    await runDurableObjectAlarm(broadcastStub(env, s.account.accountId, now.uuid));
    await waitForStatus(s, now.uuid, "completed");

    vi.setSystemTime(t0 + 3_600_000 + 1_000);
    await runDurableObjectAlarm(broadcastStub(env, s.account.accountId, later.uuid));
    const skipped = await until(
      () => recipient(s, later.uuid, x),
      (r) => r?.status === "failed",
      "the capped person was not skipped",
    );
    expect(skipped.error).toContain(capReason(ONE_A_WEEK));
    expect(await details(s, later.uuid)).toMatchObject({ status: "completed", failed: 1 });
  }, 30_000);

  it('at send with frequency_cap: "hold": held until the counted send ages out, then sent', async () => {
    const s = await setup();
    await capped(s);
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.parse("2027-04-01T10:00:00Z");
    vi.setSystemTime(t0);
    const x = person();
    const later = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, [x], {
        scheduled_for: new Date(t0 + 3_600_000).toISOString(),
        frequency_cap: "hold",
      }),
    );
    const now = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [x]));
    const laterStub = broadcastStub(env, s.account.accountId, later.uuid);
    await runDurableObjectAlarm(broadcastStub(env, s.account.accountId, now.uuid));
    await waitForStatus(s, now.uuid, "completed");

    vi.setSystemTime(t0 + 3_600_000 + 1_000);
    await runDurableObjectAlarm(laterStub);
    const held = await until(
      () => recipient(s, later.uuid, x),
      (r) => r?.status === "pending" && r.next_send_at !== undefined,
      "the capped person was not held",
    );
    expect(held.error).toContain("held until allowed");
    // The other broadcast's send (just after t0) ages out 7 days later.
    expect(Date.parse(held.next_send_at)).toBeGreaterThan(t0 + 7 * DAY);
    expect(Date.parse(held.next_send_at)).toBeLessThan(t0 + 7 * DAY + 3_600_000);
    expect((await details(s, later.uuid)).status).toBe("sending");

    vi.setSystemTime(Date.parse(held.next_send_at) + 1_000);
    await runDurableObjectAlarm(laterStub);
    await until(
      () => recipient(s, later.uuid, x),
      (r) => r?.status === "submitted" || r?.status === "sent",
      "the held person was not sent once allowed",
    );
    await waitForStatus(s, later.uuid, "completed");
  }, 30_000);

  it('v1 with frequencyCap: "hold": a contact at the cap waits, visibly, and is sent once allowed', async () => {
    const s = await setup();
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
    await capped(s);
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.parse("2027-05-01T10:00:00Z");
    vi.setSystemTime(t0);
    const x = person();
    await call(s.account, "POST", "/v1/contacts/bulk", {
      contacts: [{ phone: x, firstName: "Xan" }],
    });
    const first = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [x]));
    await runDurableObjectAlarm(broadcastStub(env, s.account.accountId, first.uuid));
    await waitForStatus(s, first.uuid, "completed");

    const created = await call(s.account, "POST", "/v1/broadcasts", {
      name: "Promo",
      type: "client",
      template: { name: "class_booking_flow", language: "en" },
      bodyTextParameters: ["{{contact.firstName}}"],
      frequencyCap: "hold",
    });
    const stub = broadcastStub(env, s.account.accountId, created.id);
    const logs = async () =>
      expectStatus<any[]>(
        await api(`/v1/broadcasts/${created.id}/logs?limit=100`, {
          headers: apiKey(s.account.key),
        }),
        200,
      );
    await runDurableObjectAlarm(stub);
    const waiting = await until(
      logs,
      (l) => l.length === 1 && typeof l[0].error === "string",
      "the v1 contact at the cap did not wait",
    );
    expect(waiting[0].status).not.toBe("sent");
    expect(waiting[0].error).toContain("held until allowed");

    vi.setSystemTime(t0 + 7 * DAY + 60_000);
    await runDurableObjectAlarm(stub);
    await until(logs, (l) => l[0]?.status === "sent", "the held contact was not sent once allowed");
    // The v1 send counts for the Broadcasts API too: one surface's sends cap the other's.
    const again = await expectStatus(
      await api(
        "/broadcasts/validate",
        jsonInit("POST", holidayBody(s.sender.phoneNumber, [x]), bearer(s.account.key)),
      ),
      200,
    );
    expect(JSON.stringify(again)).toContain(capReason(ONE_A_WEEK));
  }, 30_000);
});
