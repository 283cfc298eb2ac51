/**
 * Issue 5's target: a 20,000-recipient broadcast through `npm run dev` and the
 * sandbox, with the sender at 1,000 mps and again at 80 mps. Prints the
 * achieved messages/s from first to last accepted send (the sandbox's own
 * counters), its max-per-second and its duplicates.
 * Run: `npm run bench -- dispatch` (RECIPIENTS and RATES override the defaults).
 */
import {
  API,
  DEMO_PHONE_NUMBER_ID,
  DEMO_SENDER,
  ensureDev,
  headers,
  json,
  mobile,
  SANDBOX,
  sandboxStats,
  waitForBroadcast,
  writeResult,
} from "./lib.ts";

const RECIPIENTS = Number(process.env.RECIPIENTS ?? 20_000);
const RATES = (process.env.RATES ?? "1000,80").split(",").map(Number);

async function setRate(mps: number) {
  const senders = await json(await fetch(`${API}/v1/senders`, { headers: headers() }));
  const sender = senders.find((s: any) => s.phoneNumber === DEMO_SENDER);
  await json(
    await fetch(`${API}/v1/senders/${sender.id}`, {
      method: "PUT",
      headers: headers(),
      body: JSON.stringify({ throughputMps: mps }),
    }),
  );
  await json(
    await fetch(`${SANDBOX}/__sandbox/numbers/${DEMO_PHONE_NUMBER_ID}`, {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({ mps }),
    }),
  );
  await json(
    await fetch(`${SANDBOX}/__sandbox/reset?phone_number_id=${DEMO_PHONE_NUMBER_ID}`, {
      method: "POST",
    }),
  );
  await json(
    await fetch(`${SANDBOX}/__sandbox/numbers/${DEMO_PHONE_NUMBER_ID}`, {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({ mps }),
    }),
  );
}

/**
 * Numbers the sandbox treats plainly: none ending in its behaviour suffixes
 * (1111 … 6666), whose retries or failures would stretch the measured span.
 */
function plainNumbers(from: number, count: number): string[] {
  const out: string[] = [];
  for (let seq = from; out.length < count; seq++) {
    const n = mobile(seq);
    if (!/(1111|2222|3333|4444|5555|6666)$/.test(n)) out.push(n);
  }
  return out;
}

const stop = await ensureDev();
const results: Record<string, unknown>[] = [];
try {
  for (const mps of RATES) {
    await setRate(mps);
    const started = Date.now();
    const created = await json(
      await fetch(`${API}/broadcasts`, {
        method: "POST",
        headers: headers(),
        body: JSON.stringify({
          channel_type: "whatsapp",
          name: `bench dispatch ${mps} mps`,
          template_name: "hello_world",
          from: DEMO_SENDER,
          recipients: plainNumbers(mps * 100_000, RECIPIENTS).map((identifier) => ({ identifier })),
        }),
      }),
    );
    const done = await waitForBroadcast(
      created.uuid,
      (d) => d.status === "completed" || d.status === "paused",
      (RECIPIENTS / mps) * 1000 * 3 + 60_000,
    );
    const stats = await sandboxStats();
    const first = Date.parse(stats.first_accepted_at);
    const last = Date.parse(stats.last_accepted_at);
    const achieved = stats.accepted > 1 ? (stats.accepted - 1) / ((last - first) / 1000) : 0;
    const row = {
      mps,
      recipients: RECIPIENTS,
      status: done.status,
      submitted: done.submitted,
      failed: done.failed,
      accepted_by_sandbox: stats.accepted,
      achieved_mps: Math.round(achieved * 10) / 10,
      achieved_pct_of_cap: Math.round((achieved / mps) * 1000) / 10,
      max_per_second: stats.max_per_second,
      over_cap_rejections: stats.rejected_throughput,
      duplicates: stats.duplicates,
      wall_seconds: Math.round((Date.now() - started) / 100) / 10,
    };
    console.log(`[dispatch] ${JSON.stringify(row)}`);
    results.push(row);
  }
  writeResult("dispatch", {
    runs: results,
    targets: { "80": ">= 95% of cap", "1000": ">= 90% of cap", over_cap: 0, duplicates: 0 },
  });
} finally {
  stop();
}
