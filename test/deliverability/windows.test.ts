/**
 * Sending windows: a recipient outside its local window waits as pending with
 * a visible next_send_at, the broadcast's alarm is armed for that moment, and
 * the alarm sends it once the window opens. The test moves the clock (Date
 * only, timers stay real) instead of sleeping until 09:00.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";
import { createBroadcast, details, helloBody, setup, waitForStatus } from "../engine";
import { api, bearer, call, expectStatus, jsonInit } from "../helpers";

afterEach(() => vi.useRealTimers());

const at = (iso: string) => Date.parse(iso);

async function recipients(key: string, uuid: string): Promise<any[]> {
  const page = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100`, { headers: bearer(key) }),
    200,
  );
  return page.recipients;
}

describe("sending windows", () => {
  it("holds a recipient while its window is closed and sends it when the alarm finds it open", async () => {
    const s = await setup();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(at("2027-01-15T06:00:00Z"));
    const person = mobileNumber(Math.floor(Math.random() * 60_000), "0");
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [person], {
        send_window: { start: "09:00", end: "20:00" },
        timezone: "UTC",
      }),
    );
    const stub = broadcastStub(env, s.account.accountId, created.uuid);
    // The clock is in the future of the real one: alarms are run by hand.
    await runDurableObjectAlarm(stub);
    const [held] = await recipients(s.account.key, created.uuid);
    expect(held).toMatchObject({
      identifier: person,
      status: "pending",
      next_send_at: "2027-01-15T09:00:00Z",
    });
    // Nothing is due before 09:00: the broadcast sleeps until then on its alarm.
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(
      at("2027-01-15T09:00:00Z"),
    );

    vi.setSystemTime(at("2027-01-15T09:00:05Z"));
    await runDurableObjectAlarm(stub);
    const done = await waitForStatus(s, created.uuid, "completed");
    expect(done).toMatchObject({ submitted: 1, pending: 0 });
  });

  it("honours each recipient's own local time: country by number, a contact's location first", async () => {
    const s = await setup();
    vi.useFakeTimers({ toFake: ["Date"] });
    // 08:30 UTC: 08:30 in London (closed), 09:30 in Berlin, 10:30 in Johannesburg,
    // 03:30 in New York (closed), 17:30 in Tokyo.
    vi.setSystemTime(at("2027-01-15T08:30:00Z"));
    const uk = "447592850122";
    const de = "4915112345678";
    const za = "27827134468";
    const us = "14155552671";
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [uk, de, za, us], {
        send_window: { start: "09:00", end: "20:00" },
      }),
    );
    const stub = broadcastStub(env, s.account.accountId, created.uuid);
    await runDurableObjectAlarm(stub);
    await vi.waitUntil(async () => (await details(s, created.uuid)).submitted === 2, {
      timeout: 10_000,
      interval: 250,
    });
    const byNumber = Object.fromEntries(
      (await recipients(s.account.key, created.uuid)).map((r) => [r.identifier, r]),
    );
    expect(byNumber[de].status).toBe("submitted");
    expect(byNumber[za].status).toBe("submitted");
    expect(byNumber[uk]).toMatchObject({ status: "pending", next_send_at: "2027-01-15T09:00:00Z" });
    expect(byNumber[us]).toMatchObject({ status: "pending", next_send_at: "2027-01-15T14:00:00Z" });
    // Once the tick that sent the open ones has run, the broadcast sleeps until London opens.
    await runDurableObjectAlarm(stub);
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(
      at("2027-01-15T09:00:00Z"),
    );

    // A v1 broadcast to a UK contact whose location is in Tokyo: the location's clock wins.
    const tokyo = await call(
      s.account,
      "POST",
      "/v1/locations",
      {
        name: "Tokyo",
        timezone: "Asia/Tokyo",
        sender: { id: s.sender.id },
      },
      201,
    );
    await call(
      s.account,
      "POST",
      "/v1/contacts",
      {
        phone: `+${uk}`,
        firstName: "Kei",
        location: { id: tokyo.id },
      },
      201,
    );
    const v1 = await call(
      s.account,
      "POST",
      "/v1/broadcasts",
      {
        name: "Tokyo hours",
        type: "client",
        status: "scheduled",
        location: { id: tokyo.id },
        template: { name: "hello_world", language: "en" },
        sendWindow: { start: "09:00", end: "20:00" },
      },
      200,
    );
    expect(v1).toMatchObject({
      sendWindow: { start: "09:00", end: "20:00" },
      timezone: "recipient",
    });
    const v1Stub = broadcastStub(env, s.account.accountId, v1.id);
    await runDurableObjectAlarm(v1Stub);
    await vi.waitUntil(
      async () =>
        (await call(s.account, "GET", `/v1/broadcasts/${v1.id}`, undefined, 200)).processedStats
          .successCount === 1,
      { timeout: 10_000, interval: 250 },
    );
  });

  it("lets valid_until win over a window that opens too late", async () => {
    const s = await setup();
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(at("2027-01-15T06:00:00Z"));
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [mobileNumber(Math.floor(Math.random() * 60_000), "0")], {
        send_window: { start: "09:00", end: "20:00" },
        timezone: "UTC",
        valid_until: "2027-01-15T07:00:00Z",
      }),
    );
    const stub = broadcastStub(env, s.account.accountId, created.uuid);
    await runDurableObjectAlarm(stub);
    // It wakes at the end of validity, not at the window's opening.
    expect(await runInDurableObject(stub, (_i, state) => state.storage.getAlarm())).toBe(
      at("2027-01-15T07:00:00Z"),
    );
    vi.setSystemTime(at("2027-01-15T07:00:01Z"));
    await runDurableObjectAlarm(stub);
    const done = await waitForStatus(s, created.uuid, "completed");
    expect(done).toMatchObject({ submitted: 0, pending: 0, failed: 1 });
    const [row] = await recipients(s.account.key, created.uuid);
    expect(row).toMatchObject({ status: "undeliverable", error: "Message validity expired" });
  });

  it("takes the account's default window unless the broadcast sets its own or null", async () => {
    const s = await setup();
    const settings = await call(
      s.account,
      "PUT",
      "/v1/settings",
      {
        sendWindow: { start: "10:00", end: "18:00" },
        timezone: "Europe/Paris",
      },
      200,
    );
    expect(settings).toEqual({
      sendWindow: { start: "10:00", end: "18:00" },
      timezone: "Europe/Paris",
      recipientRetentionDays: 400,
      pauseOnRedQuality: true,
      blockUsMarketing: true,
      marketingFrequencyCap: null,
    });
    const body = (extra: Record<string, unknown>) =>
      helloBody(s.sender.phoneNumber, [mobileNumber(Math.floor(Math.random() * 60_000), "0")], {
        scheduled_for: new Date(Date.now() + 3_600_000).toISOString(),
        ...extra,
      });
    const inherited = await createBroadcast(s, body({}));
    expect(await details(s, inherited.uuid)).toMatchObject({
      send_window: { start: "10:00", end: "18:00" },
      timezone: "Europe/Paris",
    });
    const own = await createBroadcast(s, body({ send_window: { start: "08:00", end: "09:00" } }));
    expect(await details(s, own.uuid)).toMatchObject({
      send_window: { start: "08:00", end: "09:00" },
      timezone: "Europe/Paris",
    });
    const none = await createBroadcast(s, body({ send_window: null }));
    expect((await details(s, none.uuid)).send_window).toBeNull();
  });

  it("answers 400 naming the field for a bad window or zone", async () => {
    const s = await setup();
    const cases: [Record<string, unknown>, string][] = [
      [{ send_window: { start: "9am", end: "20:00" } }, "send_window.start"],
      [{ send_window: { start: "09:00", end: "09:00" } }, "send_window: start and end must differ"],
      [{ send_window: { start: "09:00" } }, "send_window.end"],
      [{ timezone: "Mars/Olympus" }, "timezone"],
    ];
    for (const [extra, field] of cases) {
      const error = await expectStatus(
        await api(
          "/broadcasts",
          jsonInit(
            "POST",
            helloBody(s.sender.phoneNumber, ["447592850122"], extra),
            bearer(s.account.key),
          ),
        ),
        400,
      );
      expect(error.details).toContain(field);
    }
    const error = await call(s.account, "PUT", "/v1/settings", { timezone: "Nowhere" }, 400);
    expect(error.details).toContain("timezone");
  });
});
