/**
 * The send engine, measured (issue 15). Both Workers run in ONE `wrangler
 * dev` process (scripts/dev-stack.mjs `combinedStack`): the API reaches the
 * sandbox, and the sandbox's webhooks reach the API, through service
 * bindings, so the local HTTP proxy is not what is measured. The sandbox
 * answers with its latency model (p50 250 ms, p99 900 ms, seeded).
 *
 * Runs (RUNS=efficiency,validation picks; MPS=80 keeps the runs at that cap):
 * - efficiency: the six-connection clamp lifted (CLOUD_API_CONNECTIONS=0, a
 *   bench-only switch), at 80 mps (4,000 recipients) and 1,000 mps (20,000).
 * - validation: the clamp on, at sandbox latencies 20 ms and 250 ms, at
 *   80 mps (1,000 recipients) and 1,000 mps (3,000): the figures
 *   bench/capacity.ts predicts for one consumer at a time.
 *
 * Prints, per run: achieved rate / cap (first to last accept, at the
 * sandbox), max in any one second at the receiver, over-cap refusals,
 * duplicates, p50/p99 send latency as the engine measured it, in flight
 * (Little: rate × mean latency), slots given up, most rows claimed at once,
 * the stack's CPU per accepted send, and the accepts in each second.
 * Writes bench/results/dispatch.json. Run: `npm run bench -- dispatch`
 * (SCALE=0.25 shrinks every run's recipients).
 */
import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import {
  combinedStack,
  devVars,
  seed,
  stackOptions,
  startWrangler,
  waitFor,
} from "../scripts/dev-stack.mjs";
import { DEMO_PHONE_NUMBER_ID, DEMO_SENDER, json, KEY, mobile, writeResult } from "./lib.ts";

const PORT = 8830;
const BASE = `http://localhost:${PORT}`;
const SCALE = Number(process.env.SCALE ?? 1);
const RUNS = (process.env.RUNS ?? "efficiency,validation").split(",");
/** MPS=80 (a list) keeps only the runs at those caps. */
const ONLY_MPS = (process.env.MPS ?? "").split(",").filter(Boolean).map(Number);
/** Messages per invocation in the efficiency runs (production: 1; more stands in for concurrency). */
const SENDS_BATCH = Number(process.env.SENDS_BATCH ?? 1);

interface Run {
  group: "efficiency" | "validation";
  mps: number;
  recipients: number;
  clamp: boolean;
  p50: number;
  p99: number;
}

const runs: Run[] = [
  { group: "efficiency", mps: 80, recipients: 4_000, clamp: false, p50: 250, p99: 900 },
  { group: "efficiency", mps: 1000, recipients: 20_000, clamp: false, p50: 250, p99: 900 },
  { group: "validation", mps: 80, recipients: 1_000, clamp: true, p50: 20, p99: 20 },
  { group: "validation", mps: 80, recipients: 1_000, clamp: true, p50: 250, p99: 250 },
  { group: "validation", mps: 1000, recipients: 3_000, clamp: true, p50: 20, p99: 20 },
  { group: "validation", mps: 1000, recipients: 3_000, clamp: true, p50: 250, p99: 250 },
].filter(
  (r) => RUNS.includes(r.group) && (ONLY_MPS.length === 0 || ONLY_MPS.includes(r.mps)),
) as Run[];

const authed = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
const api = async (path: string, init: RequestInit = {}) =>
  json(await fetch(`${BASE}${path}`, { ...init, headers: { ...authed, ...init.headers } }));

/** Numbers none of the sandbox's scripted suffixes touch (their retries would stretch the span). */
function plainNumbers(from: number, count: number): string[] {
  const out: string[] = [];
  for (let seq = from; out.length < count; seq++) {
    const n = mobile(seq);
    if (
      !/(1111|2222|3333|4444|5555|6666|7777|8888|9999|1011|8088|6061|7071|7072|5051|2223)$/.test(n)
    )
      out.push(n);
  }
  return out;
}

/**
 * CPU seconds the stack's workerd processes have used (Linux: /proc), so a run
 * can say what one accepted send costs this machine. All of Chorus and the
 * sandbox run on one workerd thread here: that cost bounds the local rate.
 */
function stackCpuSeconds(group: number): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the ")" that ends the command: state is 3rd, pgrp 5th, utime 14th, stime 15th.
      const command = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (command === "workerd" && Number(f[2]) === group)
        total += (Number(f[11]) + Number(f[12])) / tick;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

let cpuSeconds: () => number = () => 0;

async function withStack<T>(clamp: boolean, body: () => Promise<T>): Promise<T> {
  const o = stackOptions({
    apiPort: PORT,
    stateDir: `/dev/shm/chorus-dispatch-${process.pid}`,
    quiet: true,
  });
  rmSync(o.stateDir as string, { recursive: true, force: true });
  const secrets = devVars();
  // Clamp off: also a batch of SENDS_BATCH messages per invocation, since
  // Miniflare runs one invocation at a time (production runs them side by side).
  const args = combinedStack(
    o,
    secrets,
    { CLOUD_API_CONNECTIONS: clamp ? "6" : "0" },
    clamp ? null : SENDS_BATCH,
  );
  const child: ChildProcess = startWrangler(args, (line) => {
    if (/error/i.test(line) && !/webhook/i.test(line)) console.log(`  [stack] ${line}`);
  });
  cpuSeconds = () => (child.pid ? stackCpuSeconds(child.pid) : 0);
  try {
    await waitFor(`${BASE}/health`, 120_000);
    await seed(o, secrets);
    return await body();
  } finally {
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 1500));
    rmSync(o.stateDir as string, { recursive: true, force: true });
  }
}

/** Accepts in each second from the first one: where a run loses its rate (ramp, dips, tail). */
function perSecond(acceptedAt: number[], first: number): number[] {
  const counts: number[] = [];
  for (const at of acceptedAt) {
    const second = Math.floor((at - first) / 1000);
    counts[second] = (counts[second] ?? 0) + 1;
  }
  return Array.from(counts, (n) => n ?? 0);
}

async function measure(run: Run, index: number): Promise<Record<string, unknown>> {
  const recipients = Math.max(100, Math.round(run.recipients * SCALE));
  const senders = await api("/v1/senders", { headers: { "x-api-key": KEY } });
  const sender = senders.find((s: { phoneNumber: string }) => s.phoneNumber === DEMO_SENDER);
  await api(`/v1/senders/${sender.id}`, {
    method: "PUT",
    headers: { "x-api-key": KEY },
    body: JSON.stringify({ throughputMps: run.mps }),
  });
  await api(`/__sandbox/reset?phone_number_id=${DEMO_PHONE_NUMBER_ID}`, { method: "POST" });
  await api(`/__sandbox/numbers/${DEMO_PHONE_NUMBER_ID}`, {
    method: "POST",
    body: JSON.stringify({
      mps: run.mps,
      latency: { p50_ms: run.p50, p99_ms: run.p99, seed: 7 + index },
    }),
  });
  const started = Date.now();
  const cpuAtStart = cpuSeconds();
  const created = await api("/broadcasts", {
    method: "POST",
    body: JSON.stringify({
      channel_type: "whatsapp",
      name: `bench dispatch ${run.group} ${run.mps} mps`,
      template_name: "hello_world",
      from: DEMO_SENDER,
      recipients: plainNumbers(1_000_000 + index * 100_000, recipients).map((identifier) => ({
        identifier,
      })),
    }),
  });
  const until = Date.now() + (recipients / Math.min(run.mps, 20)) * 1000 + 120_000;
  let done: any;
  do {
    await new Promise((r) => setTimeout(r, 500));
    done = await api(`/broadcasts/${created.uuid}`);
  } while (done.status !== "completed" && done.status !== "paused" && Date.now() < until);
  const cpuUsed = cpuSeconds() - cpuAtStart;
  const stats = (await api(`/__sandbox/stats?phone_number_id=${DEMO_PHONE_NUMBER_ID}`)).numbers[0];
  const activity = await api(`/broadcasts/${created.uuid}/activity`);
  const first = Number(new Date(stats.first_accepted_at));
  const last = Number(new Date(stats.last_accepted_at));
  const achieved = stats.accepted > 1 ? (stats.accepted - 1) / ((last - first) / 1000) : 0;
  const latency = activity.send_path.latency_ms;
  const accepts = (
    await api(`/__sandbox/messages?phone_number_id=${DEMO_PHONE_NUMBER_ID}`)
  ).messages.map((m: { accepted_at: string }) => Number(new Date(m.accepted_at)));
  const row = {
    group: run.group,
    clamp: run.clamp ? "6 connections per invocation" : "off (bench switch)",
    sandbox_latency_ms: { p50: run.p50, p99: run.p99 },
    mps: run.mps,
    recipients,
    status: done.status,
    submitted: done.submitted,
    failed: done.failed,
    accepted_by_sandbox: stats.accepted,
    achieved_mps: Math.round(achieved * 10) / 10,
    achieved_pct_of_cap: Math.round((achieved / run.mps) * 1000) / 10,
    max_per_second_at_receiver: stats.max_per_second,
    over_cap_refusals: stats.over_cap,
    duplicates: stats.duplicates,
    send_latency_ms: latency,
    in_flight_sends_little: latency ? Math.round((achieved * latency.p50) / 1000) : null,
    slots_missed: activity.send_path.slots_missed,
    peak_claimed: activity.send_path.peak_claimed,
    wall_seconds: Math.round((Date.now() - started) / 100) / 10,
    // The create, the sends, the webhooks and the projection, both Workers: per accepted send.
    stack_cpu_ms_per_send: stats.accepted
      ? Math.round((cpuUsed / stats.accepted) * 1e5) / 100
      : null,
    accepted_per_second: perSecond(accepts, first),
  };
  console.log(`[dispatch] ${JSON.stringify(row)}`);
  return row;
}

const results: Record<string, unknown>[] = [];
for (const clamp of [false, true]) {
  const mine = runs.filter((r) => r.clamp === clamp);
  if (mine.length === 0) continue;
  await withStack(clamp, async () => {
    for (const run of mine) results.push(await measure(run, runs.indexOf(run)));
  });
}
writeResult("dispatch", {
  runs: results,
  targets: {
    efficiency: ">= 95% of cap at 80 mps, >= 90% at 1,000 mps, 0 over-cap refusals, 0 duplicates",
    validation: "within 15% of bench/capacity.ts's prediction for one consumer at a time",
  },
});
