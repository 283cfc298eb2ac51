/**
 * Request limits: the per-key rate limit (429 with Retry-After) and the
 * per-route body limits (413, nothing written), with a 50,000-recipient
 * create still accepted under its route's limit.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DEFAULT_BODY_LIMIT } from "../../src/api/body-limits";
import { RATE_LIMIT_PERIOD_S, RATE_LIMIT_REQUESTS } from "../../src/api/rate-limit";
import { mobileNumber } from "../domain/phones";
import { createBroadcast, future, holidayBody, setup } from "../engine";
import { api, apiKey, bearer, createAccount, expectStatus, jsonInit } from "../helpers";

describe("per-key rate limit", () => {
  it("answers 429 with Retry-After once a key spends its budget, and leaves other keys alone", async () => {
    const busy = await createAccount();
    const calm = await createAccount();
    /** Spends the key's budget: every status until the first 429, and that 429's Retry-After. */
    const exhaust = async () => {
      const statuses: number[] = [];
      let retryAfter = 0;
      for (let i = 0; i < 2 * RATE_LIMIT_REQUESTS + 5; i++) {
        const res = await api("/v1/senders", { headers: apiKey(busy.key) });
        statuses.push(res.status);
        if (res.status === 429) {
          const body = await res.json<any>();
          expect(body.code).toBe("RATE_LIMITED");
          expect(body.details).toContain(
            `${RATE_LIMIT_REQUESTS} requests per ${RATE_LIMIT_PERIOD_S} s`,
          );
          retryAfter = Number(res.headers.get("retry-after"));
          expect(retryAfter).toBeGreaterThanOrEqual(1);
          expect(retryAfter).toBeLessThanOrEqual(RATE_LIMIT_PERIOD_S);
          break;
        }
        await res.body?.cancel();
      }
      return { statuses, retryAfter };
    };
    let { statuses, retryAfter } = await exhaust();
    // Windows are fixed: a run that straddles a boundary may pass up to twice the budget.
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(RATE_LIMIT_REQUESTS);
    // The checks below need the window to outlast them: on a slow machine the
    // budget may be spent just before the window ends, so spend the next one.
    if (retryAfter < 3) {
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      ({ statuses, retryAfter } = await exhaust());
      expect(statuses.at(-1)).toBe(429);
    }
    // The same limiter guards the Broadcasts API surface (same key, other header).
    expect(
      (
        await api(
          "/broadcasts/message_statuses",
          jsonInit("POST", { client_references: ["x"] }, bearer(busy.key)),
        )
      ).status,
    ).toBe(429);
    await expectStatus(await api("/v1/senders", { headers: apiKey(calm.key) }), 200);
  });
});

describe("body limits", () => {
  it("refuses a body over the route's limit with 413 and writes nothing", async () => {
    const account = await createAccount();
    const name = `big-${crypto.randomUUID()}`;
    const body = JSON.stringify({ name, address: "x".repeat(DEFAULT_BODY_LIMIT + 1) });
    const res = await api("/v1/locations", jsonInit("POST", body, apiKey(account.key)));
    const error = await expectStatus(res, 413);
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: "Request body too large" });
    expect(error.details).toContain("1 MB");
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM locations WHERE account_id = ?")
      .bind(account.accountId)
      .first<{ n: number }>();
    expect(count?.n).toBe(0);
  });

  it("refuses an oversized body even when it does not declare its length", async () => {
    const account = await createAccount();
    const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > DEFAULT_BODY_LIMIT) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const res = await api("/v1/segments", {
      method: "POST",
      headers: { "content-type": "application/json", ...apiKey(account.key) },
      body: stream,
      // @ts-expect-error: workerd needs duplex for a streamed request body
      duplex: "half",
    });
    expect(res.status).toBe(413);
  });

  it("still accepts a 50,000-recipient create (about 12 MB) on POST /broadcasts", async () => {
    const s = await setup();
    const base = Math.floor(Math.random() * 10_000_000);
    const identifiers = Array.from({ length: 50_000 }, (_, i) => mobileNumber(base + i));
    const body = holidayBody(s.sender.phoneNumber, identifiers, {
      scheduled_for: future(3_600_000),
    });
    expect(JSON.stringify(body).length).toBeGreaterThan(DEFAULT_BODY_LIMIT * 8);
    const created = await createBroadcast(s, body);
    expect(created).toMatchObject({ recipients: 50_000, rejected_recipients: 0 });
    await expectStatus(
      await api(`/broadcasts/${created.uuid}/cancel`, {
        method: "POST",
        headers: bearer(s.account.key),
      }),
      200,
    );
  }, 60_000);
});
