/**
 * Meta's deliverability signals in the sandbox: the pair rate limit (131056),
 * the spam limit (131048), the number's own fields, and the quality and
 * template-status webhooks, signed like every other webhook.
 */
import { describe, expect, it } from "vitest";
import {
  configure,
  createNumber,
  drain,
  errorOf,
  hello,
  holiday,
  json,
  postJson,
  recipient,
  sandboxFetch,
  send,
  sendOk,
  signatureOf,
  stats,
} from "./helpers";

const fields = (id: string, token: string, query = "") =>
  sandboxFetch(`/v23.0/${id}${query}`, { headers: { authorization: `Bearer ${token}` } });

describe("pair rate and spam limits", () => {
  it("refuses a second message to the same person within pair_rate_limit_ms with 131056, others pass", async () => {
    const n = await createNumber({ pair_rate_limit_ms: 60_000 });
    const to = recipient();
    await sendOk(n, hello(to));
    const refused = await errorOf(send(n, hello(to)));
    expect(refused).toMatchObject({ status: 400, code: 131056 });
    expect(refused.error.message).toContain("pair rate limit hit");
    await sendOk(n, hello(recipient()));
    expect((await stats(n)).pair_rate_limited).toBe(1);
    // Once the window has passed (here: turned down), the same person can be messaged again.
    await configure(n, { pair_rate_limit_ms: 1 });
    await new Promise((r) => setTimeout(r, 5));
    await sendOk(n, hello(to));
  });

  it("answers every send with 131048 in spam_limited mode", async () => {
    const n = await createNumber({ failure_mode: "spam_limited" });
    const refused = await errorOf(send(n, hello(recipient())));
    expect(refused).toMatchObject({ status: 400, code: 131048 });
    expect(refused.error.error_data.details).toContain("flagged as spam");
  });
});

describe("the number's fields", () => {
  it("answers the fields asked for, all of them without `fields`, and refuses a bad token", async () => {
    const n = await createNumber({ messaging_limit_tier: "TIER_10K", mps: 80 });
    expect(
      await json(fields(n.phoneNumberId, n.accessToken, "?fields=messaging_limit_tier,throughput")),
    ).toEqual({
      id: n.phoneNumberId,
      messaging_limit_tier: "TIER_10K",
      throughput: { level: "STANDARD" },
    });
    expect(await json(fields(n.phoneNumberId, n.accessToken))).toMatchObject({
      id: n.phoneNumberId,
      display_phone_number: n.displayNumber,
      quality_rating: "GREEN",
      messaging_limit_tier: "TIER_10K",
      throughput: { level: "STANDARD" },
    });
    expect((await errorOf(fields(n.phoneNumberId, "wrong"))).code).toBe(190);
  });
});

describe("quality and template webhooks", () => {
  it("a quality event changes the number and sends a signed phone_number_quality_update", async () => {
    const n = await createNumber({ messaging_limit_tier: "TIER_2K" });
    const up = await json(
      postJson(`/__sandbox/numbers/${n.phoneNumberId}/quality`, { event: "THROUGHPUT_UPGRADE" }),
    );
    expect(up.config.mps).toBe(1000);
    const down = await json(
      postJson(`/__sandbox/numbers/${n.phoneNumberId}/quality`, { event: "DOWNGRADE" }),
    );
    expect(down.config.messaging_limit_tier).toBe("TIER_250");
    const deliveries = await drain(n);
    expect(deliveries).toHaveLength(2);
    for (const d of deliveries)
      expect(d.headers["x-hub-signature-256"]).toBe(await signatureOf(d.body));
    const [first, second] = deliveries.map((d) => JSON.parse(d.body));
    expect(first.entry[0]).toMatchObject({
      id: n.wabaId,
      changes: [
        {
          field: "phone_number_quality_update",
          value: {
            display_phone_number: n.displayNumber,
            event: "THROUGHPUT_UPGRADE",
            current_limit: "TIER_UNLIMITED",
          },
        },
      ],
    });
    expect(second.entry[0].changes[0].value).toEqual({
      display_phone_number: n.displayNumber,
      event: "DOWNGRADE",
      old_limit: "TIER_2K",
      current_limit: "TIER_250",
      max_daily_conversations_per_business: "TIER_250",
    });
    expect(
      await json(postJson(`/__sandbox/numbers/${n.phoneNumberId}/quality`, { event: "NOPE" }), 400),
    ).toMatchObject({ error: expect.stringContaining("event must be one of") });
  });

  it("a template status event changes sendability and sends message_template_status_update", async () => {
    const n = await createNumber();
    const paused = await json(
      postJson("/__sandbox/templates/status", {
        phone_number_id: n.phoneNumberId,
        name: "holiday_sale_template",
        language: "en",
        event: "PAUSED",
        reason: "LOW_QUALITY",
      }),
    );
    expect(paused.template.status).toBe("PAUSED");
    expect((await errorOf(send(n, holiday(recipient())))).code).toBe(132015);
    const [delivery] = await drain(n);
    expect(delivery?.headers["x-hub-signature-256"]).toBe(await signatureOf(delivery?.body ?? ""));
    expect(JSON.parse(delivery?.body ?? "{}").entry[0]).toMatchObject({
      id: n.wabaId,
      changes: [
        {
          field: "message_template_status_update",
          value: {
            event: "PAUSED",
            message_template_name: "holiday_sale_template",
            message_template_language: "en",
            reason: "LOW_QUALITY",
          },
        },
      ],
    });
    await json(
      postJson("/__sandbox/templates/status", {
        phone_number_id: n.phoneNumberId,
        name: "holiday_sale_template",
        language: "en",
        event: "REINSTATED",
      }),
    );
    await sendOk(n, holiday(recipient()));
  });
});
