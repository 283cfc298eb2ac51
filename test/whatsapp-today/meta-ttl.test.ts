/**
 * Validity and Meta's TTL (item 6 of issue 18): `valid_until` is Chorus's
 * promise about sending; the template's `message_send_ttl_seconds` (read on
 * sync) is how long Meta tries to deliver. Meta drops an expired message
 * without a status, so a message neither delivered nor failed by send + TTL +
 * a margin becomes `undeliverable` ("expired at Meta") in an alarm pass that
 * rings once, at that time, even after the broadcast completed. The clock is
 * moved (Date only), alarms run by hand. Sandbox: W10 (`…8088`: no status ever).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  EXPIRY_MARGIN_MS,
  expiredAtMetaAt,
  sendTtlSeconds,
  submittedBeforeExpired,
} from "../../src/domain/meta-ttl";
import { nextAlarmAt } from "../../src/durable/broadcast/alarm-schedule";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  helloBody,
  type Setup,
  sandboxMessages,
  setup,
} from "../engine";
import { api, apiKey, bearer, expectStatus, jsonInit } from "../helpers";

afterEach(() => vi.useRealTimers());

const HOUR = 3_600_000;
const NOTICE = "ttl_notice";

async function recipients(s: Setup, uuid: string): Promise<Record<string, any>> {
  const page = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100`, { headers: bearer(s.account.key) }),
    200,
  );
  return Object.fromEntries(page.recipients.map((r: any) => [r.identifier, r]));
}

/** A utility template whose messages Meta keeps one hour, synced into Chorus. */
async function withOneHourTemplate(s: Setup): Promise<void> {
  await expectStatus(
    await env.WHATSAPP_API.fetch(
      "http://sandbox.test/__sandbox/templates",
      jsonInit("POST", {
        waba_id: s.sender.wabaId,
        template: {
          name: NOTICE,
          language: "en",
          category: "UTILITY",
          message_send_ttl_seconds: 3_600,
          components: [{ type: "BODY", text: "Your order has shipped." }],
        },
      }),
    ),
    200,
  );
  await expectStatus(
    await api(
      "/v1/templates/sync",
      jsonInit("POST", { senderId: s.sender.id }, apiKey(s.account.key)),
    ),
    200,
  );
}

describe("Meta's TTL (pure)", () => {
  it("the template's TTL, else Meta's default by category; expiry at send + TTL + margin", () => {
    expect(sendTtlSeconds("UTILITY", 3_600)).toBe(3_600);
    expect(sendTtlSeconds("AUTHENTICATION", null)).toBe(600);
    expect(sendTtlSeconds("MARKETING", null)).toBe(30 * 86_400);
    expect(sendTtlSeconds(undefined, null)).toBe(30 * 86_400);
    const sent = Date.parse("2027-03-01T10:00:00Z");
    expect(expiredAtMetaAt(sent, 600)).toBe(sent + 600_000 + EXPIRY_MARGIN_MS);
    expect(submittedBeforeExpired(expiredAtMetaAt(sent, 600), 600)).toBe(sent);
  });

  it("the alarm rings at the first expiry, also for a completed broadcast", () => {
    const now = Date.parse("2027-03-01T10:00:00Z");
    const base = {
      loadingDeadline: null,
      scheduledAt: "2027-03-01T09:00:00Z",
      validUntil: null,
      counters: { pending: 0, queued: 0, sending: 0 } as any,
      hasDue: false,
      nextHeldAt: null,
      dirty: false,
    };
    expect(nextAlarmAt({ ...base, state: "completed" }, now)).toBe(null);
    expect(nextAlarmAt({ ...base, state: "completed", metaExpiryAt: now + HOUR }, now)).toBe(
      now + HOUR,
    );
  });
});

describe("expired at Meta, through the sandbox", () => {
  it("W10: the sandbox keeps a template's message_send_ttl_seconds and refuses a bad one", async () => {
    const s = await setup();
    await withOneHourTemplate(s);
    const listed = await expectStatus(
      await env.WHATSAPP_API.fetch(
        `http://sandbox.test/__sandbox/templates?waba_id=${s.sender.wabaId}`,
      ),
      200,
    );
    expect(listed.data.find((t: any) => t.name === NOTICE)).toMatchObject({
      message_send_ttl_seconds: 3_600,
    });
    const bad = await expectStatus(
      await env.WHATSAPP_API.fetch(
        "http://sandbox.test/__sandbox/templates",
        jsonInit("POST", {
          waba_id: s.sender.wabaId,
          template: {
            name: "too_short",
            language: "en",
            message_send_ttl_seconds: 5,
            components: [{ type: "BODY", text: "Hi" }],
          },
        }),
      ),
      400,
    );
    expect(JSON.stringify(bad)).toContain("message_send_ttl_seconds");
    // Chorus read it on sync and shows it; a template without one has Meta's default (null).
    const synced = await expectStatus(
      await api("/v1/templates?limit=100", { headers: apiKey(s.account.key) }),
      200,
    );
    const rows: any[] = Array.isArray(synced) ? synced : synced.data;
    expect(rows.find((t) => t.name === NOTICE)).toMatchObject({ sendTtlSeconds: 3_600 });
    expect(rows.find((t) => t.name === "hello_world")).toMatchObject({ sendTtlSeconds: null });
  });

  it("W10: no status by send + TTL + margin → undeliverable, after the broadcast completed", async () => {
    const s = await setup();
    await withOneHourTemplate(s);
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.parse("2027-03-01T10:00:00Z");
    vi.setSystemTime(t0);
    const silent = mobileNumber(Math.floor(Math.random() * 60_000), "8088");
    const fine = mobileNumber(Math.floor(Math.random() * 60_000), "0");
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [silent, fine], { template_name: NOTICE, locale: "en" }),
    );
    const stub = broadcastStub(env, s.account.accountId, created.uuid);
    await runDurableObjectAlarm(stub);
    await vi.waitUntil(async () => (await sandboxMessages(s.number.phoneNumberId)).length >= 2, {
      timeout: 10_000,
      interval: 100,
    });
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(
      async () => {
        const now = await recipients(s, created.uuid);
        return now[fine]?.status === "read" && now[silent]?.status === "submitted";
      },
      { timeout: 10_000, interval: 100 },
    );
    // Sending is over: the broadcast completes and does not wait for Meta's silence.
    await vi.waitUntil(async () => (await details(s, created.uuid)).status === "completed", {
      timeout: 10_000,
      interval: 100,
    });

    // Once the summary is flushed, the one alarm left rings at the silent
    // message's expiry: send + 1 h (the template's TTL) + the margin.
    const nextAlarm = () => runInDurableObject(stub, (_i, state) => state.storage.getAlarm());
    for (let i = 0; i < 10 && ((await nextAlarm()) ?? 0) < t0 + HOUR; i++) {
      await runDurableObjectAlarm(stub);
    }
    const alarm = await nextAlarm();
    expect(alarm).toBeGreaterThanOrEqual(t0 + HOUR + EXPIRY_MARGIN_MS);
    expect(alarm).toBeLessThan(t0 + HOUR + EXPIRY_MARGIN_MS + 60_000);

    // Before then, a pass changes nothing.
    vi.setSystemTime(t0 + HOUR);
    await runDurableObjectAlarm(stub);
    expect((await recipients(s, created.uuid))[silent].status).toBe("submitted");

    vi.setSystemTime(t0 + HOUR + EXPIRY_MARGIN_MS + 60_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await recipients(s, created.uuid);
    expect(after[silent].status).toBe("undeliverable");
    expect(after[silent].error).toContain("Expired at Meta");
    expect(after[fine].status).toBe("read");
    const summary = await details(s, created.uuid);
    expect(summary).toMatchObject({ status: "completed", failed: 1, read: 1, held: 0 });
    // Nothing more to wait for: no TTL alarm is left.
    const left = await nextAlarm();
    expect(left === null || left < Date.now() + 10_000).toBe(true);
  }, 30_000);
});
