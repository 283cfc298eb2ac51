/**
 * What a broadcast costs, end to end: the sandbox prices every status as
 * Meta does (pricing.category from the template, type regular, or
 * free_entry_point for numbers ending in 1011), Chorus keeps it per
 * recipient, and the estimate, the cost and the usage follow the rate card.
 */
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { broadcastStub } from "../../src/durable/stubs";
import type { Bindings } from "../../src/env";
import type { SendBatchMessage } from "../../src/queues/messages";
import { type StatusEvent, splitEnvelope } from "../../src/whatsapp/webhooks";
import worker from "../../src/worker";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  details,
  future,
  queueByHand,
  type Setup,
  sandbox,
  setup,
  waitForStatus,
} from "../engine";
import { adminHeaders, api, apiKey, bearer, expectStatus, jsonInit } from "../helpers";

const PROMO = "cost_promo";

/** A MARKETING template without variables on the sender's WABA, synced to Chorus. */
async function promoSetup(): Promise<Setup> {
  const s = await setup();
  await expectStatus(
    await env.WHATSAPP_API.fetch(
      "http://sandbox.test/__sandbox/templates",
      jsonInit("POST", {
        waba_id: s.sender.wabaId,
        template: {
          name: PROMO,
          language: "en",
          category: "MARKETING",
          components: [{ type: "BODY", text: "Our winter sale is on." }],
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
  return s;
}

/** `n` distinct mobile numbers from `prefix`, none ending in a sandbox behaviour's digits. */
function numbers(prefix: string, n: number, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const tail = String(i).padStart(width, "0");
    if (/(\d)\1\1\1$/.test(tail) || tail.endsWith("1011")) continue;
    out.push(`${prefix}${tail}`);
  }
  return out;
}

const india = numbers("9198765", 400, 5);
const brazil = numbers("551198765", 350, 4);
const ukRegular = Array.from({ length: 240 }, (_, i) => mobileNumber(i + 1));
const ukFree = Array.from({ length: 10 }, (_, i) => mobileNumber(i + 1, "1011"));
const everyone = [...india, ...brazil, ...ukRegular, ...ukFree];

function promoBody(from: string, identifiers: string[]) {
  return {
    channel_type: "whatsapp",
    name: "Winter sale",
    template_name: PROMO,
    locale: "en",
    from,
    recipients: identifiers.map((identifier) => ({ identifier })),
  };
}

/** The latest day Meta changes rates on (Jan 1, Apr 1, Jul 1, Oct 1) that is already past. */
function lastChangeDay(): string {
  const now = new Date();
  const quarter = Math.floor(now.getUTCMonth() / 3) * 3;
  return new Date(Date.UTC(now.getUTCFullYear(), quarter, 1)).toISOString().slice(0, 10);
}

const line = (market: string, recipients: number, rate: number, cost: number) => ({
  market,
  category: "marketing",
  recipients,
  rate,
  cost,
});

const ESTIMATE = {
  currency: "USD",
  // 400 × 0.0118 + 350 × 0.0625 + 250 × 0.0529: the built-in card's figures.
  total: 39.82,
  card_effective: "2025-07-01",
  upper_bound: true,
  unpriced_recipients: 0,
  by_market: [
    line("India", 400, 0.0118, 4.72),
    line("Brazil", 350, 0.0625, 21.875),
    line("United Kingdom", 250, 0.0529, 13.225),
  ],
};

/** Puts the broadcast's rows in waves as its dispatcher would, and gives the consumer every wave in one batch. */
async function sendAtOnce(s: Setup, uuid: string, count: number) {
  const WAVE = 50;
  const stub = broadcastStub(env, s.account.accountId, uuid);
  const waves = Array.from({ length: Math.ceil(count / WAVE) }, (_, i) => i);
  // The sending tick armed: a send whose slot came too late goes back to pending, and the
  // dispatcher sends it again through the queue.
  await queueByHand(
    stub,
    waves.map((i) => ({ batchId: i + 1, below: (i + 1) * WAVE })),
    { armTick: true },
  );
  const bodies: SendBatchMessage[] = waves.map((i) => ({
    accountId: s.account.accountId,
    broadcastId: uuid,
    batchId: i + 1,
    seqs: Array.from({ length: Math.min(WAVE, count - i * WAVE) }, (_, j) => i * WAVE + j),
    enqueuedAt: Date.now(),
  }));
  // One invocation per wave, all at once, as the queue runs consumers side by side
  // (each invocation has its own six connections).
  await Promise.all(
    bodies.map(async (body, i) => {
      const batch = createMessageBatch<SendBatchMessage>("chorus-sends", [
        { id: `m${i}`, timestamp: new Date(), attempts: 1, body },
      ]);
      const ctx = createExecutionContext();
      const handler = worker.queue as ExportedHandlerQueueHandler<Bindings, SendBatchMessage>;
      await handler(batch, env as unknown as Bindings, ctx);
      const result = await getQueueResult(batch, ctx);
      await waitOnExecutionContext(ctx);
      expect(result.explicitAcks).toEqual([`m${i}`]);
    }),
  );
}

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

/** Every webhook the sandbox holds for the sender's number, signed as Meta signs them. */
async function drain(s: Setup): Promise<Delivery[]> {
  const { deliveries } = await sandbox(
    `/__sandbox/numbers/${s.number.phoneNumberId}/webhooks/drain?all=true`,
    { method: "POST" },
  );
  return deliveries;
}

async function deliver(d: Delivery) {
  await expectStatus(
    await api("/webhooks/whatsapp", { method: "POST", headers: d.headers, body: d.body }),
    200,
  );
}

async function usage(s: Setup, groupBy: string, day: string) {
  return expectStatus(
    await api(`/v1/usage?from=${day}&to=${day}&groupBy=${groupBy}`, {
      headers: apiKey(s.account.key),
    }),
    200,
  );
}

describe("cost", () => {
  it("a 1,000-recipient broadcast over three markets costs exactly what the card says", async () => {
    const s = await promoSetup();
    const body = promoBody(s.sender.phoneNumber, everyone);

    const validated = await expectStatus(
      await api("/broadcasts/validate", jsonInit("POST", body, bearer(s.account.key))),
      200,
    );
    expect(validated.estimate).toEqual(ESTIMATE);
    const created = await createBroadcast(s, { ...body, scheduled_for: future(3_600_000) });
    expect(created.recipients).toBe(1000);
    expect(created.estimate).toEqual(ESTIMATE);
    expect((await details(s, created.uuid)).estimate).toEqual(ESTIMATE);

    // Sent by the real consumer, BroadcastDO, SenderDO and sandbox; only the queue is
    // the test, running twenty consumers side by side (the local queue runs one: 20 s).
    await sendAtOnce(s, created.uuid, 1000);
    await waitForStatus(s, created.uuid, "completed");
    // The sandbox's outbox holds sent, delivered and read for every message.
    const deliveries = await drain(s);
    for (const d of deliveries) await deliver(d);
    let cost: any;
    await vi.waitUntil(
      async () => {
        cost = (await details(s, created.uuid)).cost;
        return cost.billable_messages + cost.free_messages === 1000;
      },
      { timeout: 15_000, interval: 200 },
    );
    // The ten numbers ending in 1011 came through a free entry point: not billed.
    expect(cost).toEqual({
      currency: "USD",
      total: 39.291, // 4.72 + 21.875 + 240 × 0.0529
      card_effective: "2025-07-01",
      billable_messages: 990,
      free_messages: 10,
      free_by_type: { free_entry_point: 10 },
      unpriced_messages: 0,
      by_market: [
        {
          market: "India",
          category: "marketing",
          messages: 400,
          billable: 400,
          rate: 0.0118,
          cost: 4.72,
        },
        {
          market: "Brazil",
          category: "marketing",
          messages: 350,
          billable: 350,
          rate: 0.0625,
          cost: 21.875,
        },
        {
          market: "United Kingdom",
          category: "marketing",
          messages: 250,
          billable: 240,
          rate: 0.0529,
          cost: 12.696,
        },
      ],
    });

    // The account's usage: the same figures, once the DO has flushed them to D1.
    const day = new Date().toISOString().slice(0, 10);
    let byMarket: any;
    await vi.waitUntil(
      async () => {
        byMarket = await usage(s, "market", day);
        return byMarket.total === 39.291;
      },
      { timeout: 15_000, interval: 200 },
    );
    expect(byMarket.buckets).toEqual([
      {
        key: "Brazil",
        messages: 350,
        billable_messages: 350,
        free_messages: 0,
        cost: 21.875,
        unpriced_messages: 0,
      },
      {
        key: "India",
        messages: 400,
        billable_messages: 400,
        free_messages: 0,
        cost: 4.72,
        unpriced_messages: 0,
      },
      {
        key: "United Kingdom",
        messages: 250,
        billable_messages: 240,
        free_messages: 10,
        cost: 12.696,
        unpriced_messages: 0,
      },
    ]);
    expect((await usage(s, "broadcast", day)).buckets).toEqual([
      expect.objectContaining({ key: created.uuid, messages: 1000, cost: 39.291 }),
    ]);
    expect((await usage(s, "category", day)).buckets).toEqual([
      expect.objectContaining({ key: "marketing", billable_messages: 990, cost: 39.291 }),
    ]);
    expect((await usage(s, "day", day)).buckets).toEqual([
      expect.objectContaining({ key: day, messages: 1000, cost: 39.291 }),
    ]);

    // Statuses arriving again (Meta delivers at least once) change nothing: the first pricing won.
    for (const d of deliveries.slice(0, 3)) await deliver(d);
    // A later status pricing a message otherwise changes nothing either.
    const first = JSON.parse(deliveries[0]?.body ?? "{}");
    const status = first.entry[0].changes[0].value.statuses[0];
    expect(status.pricing).toMatchObject({
      type: "regular",
      category: "marketing",
      billable: true,
    });
    first.entry[0].changes[0].value.statuses = [
      {
        ...status,
        status: "read",
        pricing: { ...status.pricing, type: "free_customer_service", billable: false },
      },
    ];
    // Applied straight to the BroadcastDO, as the events consumer does: no queue to wait for.
    const events = splitEnvelope(first).filter((e): e is StatusEvent => e.kind === "status");
    expect(events[0]?.pricing).toEqual({
      category: "marketing",
      type: "free_customer_service",
      billable: false,
    });
    await broadcastStub(env, s.account.accountId, created.uuid).applyStatuses(events);
    expect((await details(s, created.uuid)).cost).toEqual(cost);
  }, 60_000); // a thousand real sends: 10 s alone, more on a loaded machine

  it("refuses a bad usage period, naming the field", async () => {
    const s = await setup();
    const bad = await expectStatus(
      await api("/v1/usage?from=2026-11-30&to=2026-11-01", { headers: apiKey(s.account.key) }),
      400,
    );
    expect(bad.details).toContain("to:");
    const notDate = await expectStatus(
      await api("/v1/usage?from=yesterday&to=2026-11-01", { headers: apiKey(s.account.key) }),
      400,
    );
    expect(notDate.details).toContain("from");
    await expectStatus(await api("/v1/usage?from=2026-11-01&to=2026-11-01"), 401);
  });

  it("a v1 draft is estimated from its audience; the object carries estimate and cost", async () => {
    const s = await promoSetup();
    const key = apiKey(s.account.key);
    await expectStatus(
      await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key)),
      200,
    );
    const out = await expectStatus(
      await api(
        "/v1/contacts/bulk",
        jsonInit(
          "POST",
          {
            contacts: [
              ...india.slice(0, 3).map((phone) => ({ phone, firstName: "A" })),
              ...ukRegular.slice(0, 2).map((phone) => ({ phone, firstName: "B" })),
            ],
          },
          key,
        ),
      ),
      200,
    );
    expect(out.errors).toEqual([]);
    const draft = await expectStatus(
      await api(
        "/v1/broadcasts",
        jsonInit(
          "POST",
          {
            name: "Promo",
            type: "client",
            status: "draft",
            template: { name: PROMO, language: "en" },
          },
          key,
        ),
      ),
      200,
    );
    const got = await expectStatus(await api(`/v1/broadcasts/${draft.id}`, { headers: key }), 200);
    expect(got.estimate).toBeNull(); // not resolved yet: the audience is read when sending starts
    expect(got.cost).toMatchObject({ total: 0, billable_messages: 0 });

    const estimate = await expectStatus(
      await api(`/v1/broadcasts/${draft.id}/estimate`, { method: "POST", headers: key }),
      200,
    );
    expect(estimate).toMatchObject({
      total: 0.1412, // 3 × 0.0118 + 2 × 0.0529
      upper_bound: true,
      by_market: [line("India", 3, 0.0118, 0.0354), line("United Kingdom", 2, 0.0529, 0.1058)],
    });
    await expectStatus(
      await api("/v1/broadcasts/no-such-id/estimate", { method: "POST", headers: key }),
      404,
    );
  });

  it("an operator's CSV wins from its effective day on, and a bad one changes nothing", async () => {
    const s = await promoSetup();
    const load = (body: unknown, headers: Record<string, string> = adminHeaders) =>
      api("/admin/rate-cards", jsonInit("POST", body, headers));
    const csv = [
      "Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service",
      "United Kingdom,USD,0.0600,0.0220,0.0220,n/a,Free",
      "India,USD,0.0120,0.0014,0.0014,0.0280,Free",
      "Rest of Western Europe,USD,0.0592,0.0220,0.0220,0.0600,Free",
      "Other,USD,0.0604,0.0077,0.0077,0.0425,Free",
    ].join("\n");

    await expectStatus(await load({ currency: "USD", effective: "2026-10-01", csv }, {}), 401);
    const notAChangeDay = await expectStatus(
      await load({ currency: "USD", effective: "2026-10-02", csv }),
      400,
    );
    expect(notAChangeDay.details).toContain("effective:");
    const badFigure = await expectStatus(
      await load({
        currency: "USD",
        effective: "2026-10-01",
        csv: "Market,Marketing\nIndia,cheap",
      }),
      400,
    );
    expect(badFigure.details).toBe("csv: row 2 (India), column Marketing: 'cheap' is not a rate");

    const validate = async (identifiers: string[]) =>
      (
        await expectStatus(
          await api(
            "/broadcasts/validate",
            jsonInit("POST", promoBody(s.sender.phoneNumber, identifiers), bearer(s.account.key)),
          ),
          200,
        )
      ).estimate;
    const sample = [ukRegular[0] ?? "", india[0] ?? "", "971501234567"];
    // A card effective in the future is kept, but not in force yet.
    await expectStatus(await load({ currency: "USD", effective: "2099-01-01", csv }), 201);
    expect((await validate(sample)).card_effective).toBe("2025-07-01");

    const loaded = await expectStatus(
      await load({ currency: "USD", effective: lastChangeDay(), source: "test card", csv }),
      201,
    );
    expect(loaded).toEqual({
      currency: "USD",
      effective: lastChangeDay(),
      source: "test card",
      markets: 4,
      unknown_rates: 1,
      unmapped_markets: ["Rest of Western Europe"],
    });
    const estimate = await validate(sample);
    expect(estimate).toMatchObject({
      card_effective: lastChangeDay(),
      total: 0.1324, // 0.06 + 0.012 + 0.0604 (a UAE number is in Other on this card)
      unpriced_recipients: 0,
    });
  });
});
