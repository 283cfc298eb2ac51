/**
 * Meta's per-user marketing limit (item 4 of issue 18): a 131049 is not
 * final. The recipient goes back to pending, visibly, at least 24 h later, at
 * most twice more and never past valid_until; the broadcast is completed only
 * when nothing waits. The clock is moved (Date only), alarms run by hand:
 * nobody waits a day. Sandbox: W1 (US numbers), W2 (`…2223`: 131049 twice).
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MARKETING_LIMIT_DELAY_MS, marketingLimitRetryAt } from "../../src/domain/marketing-limit";
import { settle } from "../../src/domain/settlement";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  holidayBody,
  type Setup,
  sandboxMessages,
  setup,
} from "../engine";
import { api, bearer, call, expectStatus, until } from "../helpers";

afterEach(() => vi.useRealTimers());

const DAY = 24 * 3_600_000;

async function recipient(s: Setup, uuid: string, identifier: string): Promise<any> {
  const page = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100`, { headers: bearer(s.account.key) }),
    200,
  );
  return page.recipients.find((r: any) => r.identifier === identifier);
}

/** Waits until the sandbox accepted `n` messages to `to`, then delivers its webhooks. */
async function acceptedThenWebhooks(s: Setup, to: string, n: number) {
  await vi.waitUntil(
    async () =>
      (await sandboxMessages(s.number.phoneNumberId)).filter((m: any) => m.to === `+${to}`)
        .length >= n,
    { timeout: 10_000, interval: 100 },
  );
  await deliverWebhooks(s.number.phoneNumberId);
}

describe("131049 policy (pure)", () => {
  const now = Date.parse("2027-03-01T10:00:00Z");
  it("waits a day, at most twice, never past valid_until; none fails at once", () => {
    expect(marketingLimitRetryAt({ policy: "next_day", retried: 0, validUntil: null, now })).toBe(
      now + MARKETING_LIMIT_DELAY_MS,
    );
    expect(marketingLimitRetryAt({ policy: undefined, retried: 1, validUntil: null, now })).toBe(
      now + DAY,
    );
    expect(marketingLimitRetryAt({ policy: "next_day", retried: 2, validUntil: null, now })).toBe(
      null,
    );
    expect(
      marketingLimitRetryAt({
        policy: "next_day",
        retried: 0,
        validUntil: "2027-03-02T09:00:00Z",
        now,
      }),
    ).toBe(null);
    expect(marketingLimitRetryAt({ policy: "none", retried: 0, validUntil: null, now })).toBe(null);
  });

  it("a 131049 on a marketing send's answer goes back to pending; without the policy it fails", () => {
    const row = { status: "sending" as const, attempts: 0, wamid: null, claimedAt: 1 };
    const outcome = {
      seq: 1,
      outcome: "failed" as const,
      code: 131049,
      title: "healthy ecosystem",
      details: "",
    };
    const ctx = { stopped: false, claim: 1, now: "2027-03-01T10:00:00.000Z" };
    const later = settle(row, outcome, {
      ...ctx,
      marketingLimit: { policy: "next_day", validUntil: null },
    });
    expect(later).toMatchObject({
      to: "pending",
      verdict: null,
      change: { marketingRetries: 1, errorCode: 131049, nextSendAt: Date.parse(ctx.now) + DAY },
    });
    expect(settle(row, outcome, ctx)).toMatchObject({ to: "failed", verdict: "failed" });
  });
});

describe("131049 through the sandbox", () => {
  it("W2: back to pending for a day twice, visibly; the broadcast completes only when nothing waits", async () => {
    const s = await setup();
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.parse("2027-03-01T10:00:00Z");
    vi.setSystemTime(t0);
    const limited = mobileNumber(Math.floor(Math.random() * 60_000), "2223");
    const fine = mobileNumber(Math.floor(Math.random() * 60_000), "0");
    const created = await createBroadcast(s, holidayBody(s.sender.phoneNumber, [limited, fine]));
    const stub = broadcastStub(env, s.account.accountId, created.uuid);
    await runDurableObjectAlarm(stub);

    for (const [round, title] of [
      [1, "retry 1 of 2"],
      [2, "retry 2 of 2"],
    ] as const) {
      await acceptedThenWebhooks(s, limited, round);
      const held = await until(
        () => recipient(s, created.uuid, limited),
        (r) => r?.status === "pending" && r.next_send_at !== undefined,
        `round ${round}: the limited recipient was not put back`,
      );
      expect(held.error).toContain("131049");
      expect(held.error).toContain(title);
      expect(held.error_code).toBe(131049);
      expect(Date.parse(held.next_send_at)).toBeGreaterThanOrEqual(Date.now() + DAY - 1_000);
      // Someone waits: not completed.
      expect((await details(s, created.uuid)).status).toBe("sending");
      vi.setSystemTime(Date.parse(held.next_send_at) + 1_000);
      await runDurableObjectAlarm(stub);
    }

    await acceptedThenWebhooks(s, limited, 3);
    const done = await until(
      () => details(s, created.uuid),
      (d) => d.status === "completed",
      "the broadcast did not complete",
    );
    expect(done).toMatchObject({ pending: 0, failed: 0 });
    // The third try's statuses (W2 lets it through) reach the recipient.
    await until(
      () => recipient(s, created.uuid, limited),
      (r) => r?.status === "read",
      "the third try was not read",
    );
  }, 40_000);

  it("W1 with the US block off: never past valid_until, so a 131049 a day before it ends fails at once", async () => {
    const s = await setup();
    await call(s.account, "PUT", "/v1/settings", { blockUsMarketing: false });
    const us = "12125550199";
    const created = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, [us], {
        valid_until: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
    await acceptedThenWebhooks(s, us, 1);
    const failed = await until(
      () => recipient(s, created.uuid, us),
      (r) => r?.status === "failed",
      "the US recipient did not fail",
    );
    expect(failed).toMatchObject({ error_code: 131049 });
  }, 20_000);

  it('marketing_limit_retry: "none" fails the recipient at the first 131049', async () => {
    const s = await setup();
    const limited = mobileNumber(Math.floor(Math.random() * 60_000), "2223");
    const created = await createBroadcast(
      s,
      holidayBody(s.sender.phoneNumber, [limited], { marketing_limit_retry: "none" }),
    );
    await acceptedThenWebhooks(s, limited, 1);
    const failed = await until(
      () => recipient(s, created.uuid, limited),
      (r) => r?.status === "failed",
      "the limited recipient did not fail",
    );
    expect(failed).toMatchObject({ error_code: 131049 });
    const bad = await expectStatus(
      await api("/broadcasts", {
        method: "POST",
        headers: { ...bearer(s.account.key), "content-type": "application/json" },
        body: JSON.stringify(
          holidayBody(s.sender.phoneNumber, [limited], { marketing_limit_retry: "later" }),
        ),
      }),
      400,
    );
    expect(JSON.stringify(bad)).toContain("marketing_limit_retry");
  }, 20_000);
});
