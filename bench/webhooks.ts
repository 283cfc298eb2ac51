/**
 * Issue 6's targets, against `npm run dev`:
 * - signed status webhooks, one event per POST and 50 per POST: events/s
 *   applied end to end (until the broadcast's own counters show every event)
 *   and the p50/p99 latency of the webhook's 200;
 * - POST /broadcasts/message_statuses with 1,000 client references (median of 20).
 * Run: `npm run bench -- webhooks` (EVENTS, CONCURRENCY override the defaults).
 */
import { createHmac } from "node:crypto";
import {
  API,
  DEMO_PHONE_NUMBER_ID,
  DEMO_SENDER,
  ensureDev,
  headers,
  json,
  median,
  mobile,
  percentile,
  waitForBroadcast,
  writeResult,
} from "./lib.ts";

const APP_SECRET = process.env.META_APP_SECRET ?? "chorus-dev-app-secret";
const EVENTS = Number(process.env.EVENTS ?? 10_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);

const sign = (body: string) =>
  `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}`;

/** A broadcast scheduled far ahead: its rows exist, nothing is sent, so only our events move them. */
async function createBroadcast(n: number, offset: number): Promise<string> {
  const created = await json(
    await fetch(`${API}/broadcasts`, {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({
        channel_type: "whatsapp",
        name: "bench webhooks",
        template_name: "hello_world",
        from: DEMO_SENDER,
        scheduled_for: new Date(Date.now() + 86_400_000).toISOString(),
        recipients: Array.from({ length: n }, (_, i) => ({
          identifier: mobile(offset + i),
          client_reference: `wh-${offset + i}`,
        })),
      }),
    }),
  );
  return created.uuid as string;
}

async function accountId(): Promise<string> {
  // The demo account's id is fixed by the dev seed.
  return "demo";
}

function envelopes(account: string, uuid: string, count: number, perPost: number): string[] {
  const posts: string[] = [];
  const timestamp = String(Math.floor(Date.now() / 1000));
  for (let i = 0; i < count; i += perPost) {
    const statuses = [];
    for (let seq = i; seq < Math.min(count, i + perPost); seq++) {
      statuses.push({
        id: `wamid.bench.${uuid}.${seq}`,
        status: "delivered",
        timestamp,
        recipient_id: "0",
        biz_opaque_callback_data: `c1:${account}:${uuid}:${seq}`,
      });
    }
    posts.push(
      JSON.stringify({
        object: "whatsapp_business_account",
        entry: [
          {
            id: "waba",
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: {
                    display_phone_number: DEMO_SENDER,
                    phone_number_id: DEMO_PHONE_NUMBER_ID,
                  },
                  statuses,
                },
              },
            ],
          },
        ],
      }),
    );
  }
  return posts;
}

async function fire(posts: string[]) {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < posts.length) {
        const body = posts[next++] as string;
        const t = performance.now();
        const res = await fetch(`${API}/webhooks/whatsapp`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-hub-signature-256": sign(body) },
          body,
        });
        await res.text();
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return latencies;
}

const stop = await ensureDev();
try {
  const account = await accountId();
  const runs = [];
  for (const perPost of [1, 50]) {
    const uuid = await createBroadcast(EVENTS, 500_000 + perPost * 20_000);
    const posts = envelopes(account, uuid, EVENTS, perPost);
    const started = performance.now();
    const latencies = await fire(posts);
    const acceptedMs = performance.now() - started;
    await waitForBroadcast(uuid, (d) => d.delivered >= EVENTS, 300_000);
    const appliedMs = performance.now() - started;
    const row = {
      events_per_post: perPost,
      events: EVENTS,
      posts: posts.length,
      concurrency: CONCURRENCY,
      webhook_p50_ms: Math.round(percentile(latencies, 50) * 10) / 10,
      webhook_p99_ms: Math.round(percentile(latencies, 99) * 10) / 10,
      accepted_events_per_s: Math.round(EVENTS / (acceptedMs / 1000)),
      applied_events_per_s: Math.round(EVENTS / (appliedMs / 1000)),
    };
    console.log(`[webhooks] ${JSON.stringify(row)}`);
    runs.push(row);
    await fetch(`${API}/broadcasts/${uuid}/cancel`, { method: "POST", headers: headers() });
  }

  // message_statuses with 1,000 client references (projection lag: wait for it).
  const uuid = await createBroadcast(5_000, 900_000);
  const refs = Array.from({ length: 1000 }, (_, i) => `wh-${900_000 + i * 5}`);
  const query = JSON.stringify({ filters: { clientReferences: refs }, limit: 1000, offset: 0 });
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const page = await json(
      await fetch(`${API}/broadcasts/message_statuses`, {
        method: "POST",
        headers: headers(),
        body: query,
      }),
    );
    if (page.pagination.total === 1000) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    const page = await json(
      await fetch(`${API}/broadcasts/message_statuses`, {
        method: "POST",
        headers: headers(),
        body: query,
      }),
    );
    times.push(performance.now() - t);
    if (page.recipients.length !== 1000)
      throw new Error(`expected 1,000 rows, got ${page.recipients.length}`);
  }
  await fetch(`${API}/broadcasts/${uuid}/cancel`, { method: "POST", headers: headers() });
  writeResult("webhooks", {
    runs,
    message_statuses_1000_refs: {
      median_ms: Math.round(median(times) * 10) / 10,
      p99_ms: Math.round(percentile(times, 99) * 10) / 10,
    },
    targets: {
      applied_events_per_s: ">= 2000",
      webhook_p99_ms: "< 50",
      message_statuses_median_ms: "<= 200",
    },
  });
} finally {
  stop();
}
