/**
 * Issue 4's target: time from POST /broadcasts (50,000 recipients, three body
 * variables and a client reference each) to its 202. Median of 5 runs.
 * Run: `npm run bench -- create` (or `node bench/create.ts`) with or without `npm run dev` up.
 */
import { API, DEMO_SENDER, ensureDev, headers, json, median, mobile, writeResult } from "./lib.ts";

const RUNS = Number(process.env.RUNS ?? 5);
const RECIPIENTS = 50_000;

function body(run: number) {
  return JSON.stringify({
    channel_type: "whatsapp",
    name: `bench create ${run}`,
    template_name: "holiday_sale_template",
    locale: "en",
    from: DEMO_SENDER,
    // Far in the future: the benchmark measures the create, not the sending.
    scheduled_for: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    parameters: {
      header: { type: "image", value: "https://www.example.com/image.jpg" },
      body_order: ["Name", "Time", "Place"],
      button_order: ["url_1", "url_2"],
    },
    recipients: Array.from({ length: RECIPIENTS }, (_, i) => ({
      identifier: mobile(run * RECIPIENTS + i),
      client_reference: `bench-${run}-${i}`,
      parameters: {
        body: { Name: `Person ${i}`, Time: "18h00", Place: "City Centre" },
        button: { url_1: `a${i}`, url_2: `b${i}` },
      },
    })),
  });
}

async function waitForProjection(uuid: string, total: number): Promise<number> {
  const started = performance.now();
  const body = JSON.stringify({ filters: { broadcastUuid: uuid }, limit: 1, offset: 0 });
  while (performance.now() - started < 120_000) {
    const res = await fetch(`${API}/broadcasts/message_statuses`, {
      method: "POST",
      headers: headers(),
      body,
    });
    if (res.ok && (await res.json()).pagination.total >= total) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return performance.now() - started;
}

const stop = await ensureDev();
try {
  const times: number[] = [];
  const projections: number[] = [];
  const ids: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    const payload = body(run);
    const started = performance.now();
    const created = await json(
      await fetch(`${API}/broadcasts`, { method: "POST", headers: headers(), body: payload }),
    );
    const ms = performance.now() - started;
    times.push(ms);
    ids.push(created.uuid);
    // Let the broadcast's D1 projection (50,000 rows, flushed by its DO in
    // the background) finish before the next run, so runs do not compete.
    const projectedIn = await waitForProjection(created.uuid, RECIPIENTS);
    projections.push(projectedIn);
    console.log(
      `[create] run ${run + 1}: ${ms.toFixed(0)} ms to 202, accepted ${created.recipients}, rejected ${created.rejected_recipients}, ${(payload.length / 1e6).toFixed(1)} MB; projected to D1 in ${(projectedIn / 1000).toFixed(1)} s`,
    );
  }
  // Leave nothing scheduled behind.
  for (const id of ids)
    await fetch(`${API}/broadcasts/${id}/cancel`, { method: "POST", headers: headers() });
  writeResult("create-50k", {
    recipients: RECIPIENTS,
    runs: RUNS,
    times_ms: times.map((t) => Math.round(t)),
    median_ms: Math.round(median(times)),
    target_ms: 1500,
    projection_to_d1_ms: projections.map((t) => Math.round(t)),
  });
} finally {
  stop();
}
