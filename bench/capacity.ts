/**
 * `npx tsx bench/capacity.ts` (or `npm run bench -- capacity`): a capacity
 * model of the send engine in production, where it cannot be measured here.
 * A deterministic discrete-event simulation (seeded, virtual clock, no
 * network, no timers) of ONE number sending ONE large broadcast, driven by
 * the real rules: src/domain/pacing.ts, the real Dispatcher and the real
 * Connections clamp, run on a virtual clock (bench/capacity/model.ts models
 * each step of sends.ts and the DOs; engine.ts is the clock).
 *
 * MODE=production: 80 and 1,000 mps × Meta p50 150 / 300 / 800 ms (p99 =
 *   3.6 × p50) under Cloudflare's limits, and variants of what Cloudflare
 *   does not publish (the autoscaler's ramp) or we cannot know (RPC distance).
 * MODE=validation: what the local benchmark (`npm run bench -- dispatch`)
 *   should measure: one invocation at a time, as Miniflare delivers.
 * MODE=all (default): both, then what-ifs: changes to the code, simulated.
 *
 * Flags, as env vars or `NAME=value` arguments: MODE, MPS (list), RECIPIENTS,
 * P50 (list), P99, MAX_BATCH_SIZE, CONNECTIONS (0 = unlimited), RPC_MS,
 * RAMP_MS, DELIVERY_MS, QUEUE_SEND_MS, DO_MS, SEED.
 * Prints tables and writes bench/results/capacity.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { BATCH_SIZE, CONNECTIONS_PER_INVOCATION, SAFETY } from "../src/domain/pacing.ts";
import {
  AS_BUILT,
  type Code,
  type Result,
  type Scenario,
  simulate,
  UNEXPORTED,
} from "./capacity/model.ts";

// ---- flags -----------------------------------------------------------------

const args = new Map(
  process.argv
    .slice(2)
    .map((a) => a.replace(/^--/, "").split("="))
    .filter((kv): kv is [string, string] => kv.length === 2)
    .map(([k, v]) => [k.toUpperCase().replaceAll("-", "_"), v]),
);
const flag = (name: string): string | undefined => args.get(name) ?? process.env[name];
const num = (name: string, fallback: number): number => {
  const raw = flag(name);
  return raw === undefined || raw === "" ? fallback : Number(raw);
};
const list = (name: string, fallback: number[]): number[] => {
  const raw = flag(name);
  return raw ? raw.split(",").map(Number) : fallback;
};

const MODE = flag("MODE") ?? "all";
const P99_OVER_P50 = 3.6;

/** chorus-sends' consumer settings, read from wrangler.toml so that the model follows the config. */
function sendsConsumer(): {
  maxBatchSize: number;
  maxBatchTimeoutMs: number;
  waitsForWaitUntil: boolean;
} {
  const toml = readFileSync(new URL("../wrangler.toml", import.meta.url).pathname, "utf8");
  const block = toml
    .split("[[queues.consumers]]")
    .slice(1)
    .map((b) => b.split("[[")[0] ?? "")
    .find((b) => /queue\s*=\s*"chorus-sends"/.test(b));
  const value = (key: string) => Number(block?.match(new RegExp(`${key}\\s*=\\s*(\\d+)`))?.[1]);
  const size = value("max_batch_size");
  const timeout = value("max_batch_timeout");
  // Missing: Cloudflare's own defaults (batch of 10, 5 s).
  return {
    maxBatchSize: Number.isFinite(size) ? size : 10,
    maxBatchTimeoutMs: (Number.isFinite(timeout) ? timeout : 5) * 1000,
    waitsForWaitUntil:
      !/compatibility_flags\s*=\s*\[[^\]]*"queue_consumer_no_wait_for_wait_until"/.test(toml),
  };
}
const CONSUMER = sendsConsumer();

// ---- assumptions: every number the model takes that is not in src/ -------------

/** Every assumption, in one place; printed with the results and written to the JSON. */
const ASSUMPTIONS = {
  maxBatchSize: {
    value: num("MAX_BATCH_SIZE", CONSUMER.maxBatchSize),
    why: "chorus-sends max_batch_size, read from wrangler.toml (MAX_BATCH_SIZE overrides)",
  },
  maxBatchTimeoutMs: {
    value: CONSUMER.maxBatchTimeoutMs,
    why: "chorus-sends max_batch_timeout, from wrangler.toml: a short batch waits this long",
  },
  batchWaitsForWaitUntil: {
    value: CONSUMER.waitsForWaitUntil,
    why: "read from wrangler.toml's compatibility_flags: without queue_consumer_no_wait_for_wait_until (experimental) workerd reports a queue batch only after its ctx.waitUntil() promises (finishScheduled)",
  },
  connections: {
    value: num("CONNECTIONS", CONNECTIONS_PER_INVOCATION),
    why: "per invocation, the real Connections clamp (0 = unlimited)",
  },
  connectionsPerContext: {
    value: "six per invocation, its waitUntil included",
    why: "a new invocation has its own six while an earlier one's waitUntil still holds its own",
  },
  recipientsPerMessage: { value: BATCH_SIZE, why: "BATCH_SIZE, src/domain/pacing.ts" },
  rpcMs: {
    value: num("RPC_MS", 10),
    why: "median round trip of a Durable Object RPC (claim, reserve, settle, state)",
  },
  rpcP99OverP50: {
    value: 2,
    why: "each RPC leg is log-normal: median RPC_MS / 2, p99 twice that",
  },
  rpcCrossColoMs: { value: 50, why: "the cross-colo variant: consumer and DOs apart" },
  localRpcMs: {
    value: num("RPC_MS", 2),
    why: "validation: DO RPC within one wrangler dev process (measure it, pass RPC_MS)",
  },
  localCpuMsPerSend: {
    value: num("LOCAL_CPU_MS", 5.4),
    why: "validation only: the one workerd thread's CPU per accepted send, both Workers (bench/dispatch.ts's stack_cpu_ms_per_send, clamp off at 1,000 mps where the thread is saturated: 5.43 ms, 2026-12-02); production 0",
  },
  doServiceMs: {
    value: num("DO_MS", 0),
    why: "CPU per DO request, one at a time (0: no limit; requests/s are reported)",
  },
  queueSendMs: {
    value: num("QUEUE_SEND_MS", 10),
    why: "the BroadcastDO's SENDS.sendBatch round trip; its pump awaits it, one pump at a time",
  },
  deliveryMs: {
    value: num("DELIVERY_MS", 20),
    why: "queue delivery delay, from the send accepted to deliverable",
  },
  metaLatency: {
    value: `log-normal, sigma = ln(p99/p50)/2.326, p99 = ${P99_OVER_P50} x p50`,
    why: "the sandbox's realistic model (p50 250 -> p99 900)",
  },
  autoscaler: {
    value: "starts at 1; when an invocation ends: +1 if the backlog is non-empty, else -1",
    why: "Cloudflare re-evaluates only after a batch finishes, from the backlog; ramp unpublished",
  },
  autoscalerMax: { value: 250, why: "Cloudflare's ceiling of concurrent consumer invocations" },
  rampMs: {
    value: num("RAMP_MS", 0),
    why: "least time between two increases (0: every finished invocation may add one)",
  },
  slowRampMs: { value: 1_000, why: "the slower-ramp variant: at most one more per second" },
  timerLateMs: { value: 1, why: "mean (exponential) of how late a timer fires in a busy isolate" },
  arrival: {
    value: "arrival = departure",
    why: "a constant one-way trip to Meta shifts every send alike: windows unchanged",
  },
  meta: {
    value: "accepts every send; recipients distinct",
    why: "no 130429 slowdowns, pair spacing or retries: the engine's best case",
  },
  unexported: {
    value: UNEXPORTED,
    why: "numbers of sends.ts and sender-do.ts that are not exported, copied by hand",
  },
  dispatcher: {
    value: "the real Dispatcher (src/durable/broadcast/dispatcher.ts) over a model of the store",
    why: "pumped on every settle (the settle awaits it) and every SENDING_TICK_MS",
  },
  reserveTrip: {
    value: "one average for the whole run",
    why: "sends.ts keeps it per isolate; the model has one isolate's view",
  },
  isolates: {
    value: "warm",
    why: "the sender's D1 read (cached 5 s per isolate) and CPU time are not modelled",
  },
  seed: { value: num("SEED", 1), why: "PRNG seed: the same seed gives the same figures" },
} as const;

// ---- scenarios ---------------------------------------------------------------

const defaultRecipients = (mps: number) => num("RECIPIENTS", mps >= 1000 ? 20_000 : mps * 50);
const p99For = (p50: number) => num("P99", Math.round(p50 * P99_OVER_P50));

function scenario(name: string, mps: number, p50: number, over: Partial<Scenario> = {}): Scenario {
  return {
    name,
    mps,
    recipients: defaultRecipients(mps),
    latency: { p50, p99: p99For(p50) },
    rpcMs: ASSUMPTIONS.rpcMs.value,
    rpcP99OverP50: ASSUMPTIONS.rpcP99OverP50.value,
    doServiceMs: ASSUMPTIONS.doServiceMs.value,
    queueSendMs: ASSUMPTIONS.queueSendMs.value,
    deliveryMs: ASSUMPTIONS.deliveryMs.value,
    batchWaitsForWaitUntil: ASSUMPTIONS.batchWaitsForWaitUntil.value,
    maxBatchSize: ASSUMPTIONS.maxBatchSize.value,
    maxBatchTimeoutMs: ASSUMPTIONS.maxBatchTimeoutMs.value,
    connections: ASSUMPTIONS.connections.value,
    autoscaler: {
      start: 1,
      max: ASSUMPTIONS.autoscalerMax.value,
      rampMs: ASSUMPTIONS.rampMs.value,
      shrinkWhenIdle: true,
      fixed: false,
    },
    timerLateMs: ASSUMPTIONS.timerLateMs.value,
    localCpuMsPerSend: 0,
    seed: ASSUMPTIONS.seed.value,
    code: AS_BUILT,
    ...over,
  };
}

const MPS = list("MPS", [80, 1000]);
const PRODUCTION_P50 = list("P50", [150, 300, 800]);
const VALIDATION_P50 = list("P50", [20, 250]);

/** Every mps × latency, with `over` applied. */
function grid(name: string, p50s: number[], over: (s: Scenario) => Partial<Scenario>) {
  return MPS.flatMap((mps) =>
    p50s.map((p50) => {
      const s = scenario(name, mps, p50);
      return { ...s, ...over(s) };
    }),
  );
}

const HEADLINE_TITLE = "as built (fast ramp, RPC 10 ms)";

const production = (): Record<string, Scenario[]> => ({
  [HEADLINE_TITLE]: grid("as built", PRODUCTION_P50, () => ({})),
  [`slower ramp (RAMP_MS ${ASSUMPTIONS.slowRampMs.value})`]: grid(
    "slow ramp",
    PRODUCTION_P50,
    (s) => ({ autoscaler: { ...s.autoscaler, rampMs: ASSUMPTIONS.slowRampMs.value } }),
  ),
  [`cross-colo RPC ${ASSUMPTIONS.rpcCrossColoMs.value} ms`]: grid(
    "cross-colo",
    PRODUCTION_P50,
    () => ({ rpcMs: ASSUMPTIONS.rpcCrossColoMs.value }),
  ),
});

/** Miniflare: one batch at a time; max_batch_size and the clamp from the flags. */
function validation(): Record<string, Scenario[]> {
  const local = (
    name: string,
    p50s: number[],
    p99: (p50: number) => number,
    over: (s: Scenario) => Partial<Scenario> = () => ({}),
  ) =>
    grid(name, p50s, (s) => ({
      latency: { p50: s.latency.p50, p99: p99(s.latency.p50) },
      rpcMs: ASSUMPTIONS.localRpcMs.value,
      localCpuMsPerSend: ASSUMPTIONS.localCpuMsPerSend.value,
      autoscaler: { ...s.autoscaler, start: 1, max: 1, fixed: true },
      ...over(s),
    }));
  const noWait = { batchWaitsForWaitUntil: false };
  return {
    "one batch at a time (Miniflare), as built": [
      ...local("local, log-normal", VALIDATION_P50, p99For),
      ...local("local, fixed", VALIDATION_P50, (p50) => p50),
      ...local(
        "local, fixed, hand off once all left (before)",
        VALIDATION_P50,
        (p50) => p50,
        (s) => ({
          code: { ...s.code, handoffWithinMs: null },
        }),
      ),
    ],
    "one batch at a time (Miniflare), p50 250: changes, and the clamp off": [
      ...local("local, whole messages", [250], p99For, (s) => ({
        code: { ...s.code, pump: "whole" },
      })),
      ...local("local, + no_wait flag", [250], p99For, () => noWait),
      // The engine-efficiency run: the clamp off (CLOUD_API_CONNECTIONS=0), still one batch at a
      // time. With one message of six per batch the clamp never binds: the same as clamp on.
      ...local("local, clamp off", [250], p99For, () => ({ connections: 0 })),
    ],
  };
}

/** A change to the design: what it sets in the code, or in the scenario. */
interface Change {
  code?: Partial<Code>;
  over?: (s: Scenario) => Partial<Scenario>;
}

const CHANGES: Record<string, Change> = {
  "hand off once all left (before)": { code: { handoffWithinMs: null } },
  "+ no_wait flag": { over: () => ({ batchWaitsForWaitUntil: false }) },
  "+ no_wait flag, whole msgs": {
    code: { pump: "whole" },
    over: () => ({ batchWaitsForWaitUntil: false }),
  },
  "whole messages": { code: { pump: "whole" } },
  "max_batch_size 2": { over: () => ({ maxBatchSize: 2 }) },
  "4 send queues": { over: (s) => ({ autoscaler: { ...s.autoscaler, start: 4, max: 4 * 250 } }) },
  "slower ramp + no_wait flag": {
    over: (s) => ({
      batchWaitsForWaitUntil: false,
      autoscaler: { ...s.autoscaler, rampMs: ASSUMPTIONS.slowRampMs.value },
    }),
  },
  "50,000 recipients": { over: () => ({ recipients: 50_000 }) },
  "50,000, + no_wait flag": {
    over: () => ({ recipients: 50_000, batchWaitsForWaitUntil: false }),
  },
  "DO CPU 1 ms/request": { over: () => ({ doServiceMs: 1 }) },
  "DO 1 ms + settle linger 50": { code: { settleLingerMs: 50 }, over: () => ({ doServiceMs: 1 }) },
  "recheck 250 ms ahead": { code: { recheckLeadMs: 250 } },
  "+ no_wait flag, recheck ahead": {
    code: { recheckLeadMs: 250 },
    over: () => ({ batchWaitsForWaitUntil: false }),
  },
};

function changed(name: string, s: Scenario): Scenario {
  const change = CHANGES[name] ?? {};
  return { ...s, name, code: { ...s.code, ...change.code }, ...change.over?.(s) };
}

/** Changes to the code, each against the design rows of the production tables. */
function whatIfs(): Record<string, Scenario[]> {
  const everywhere = (name: string) =>
    grid(name, PRODUCTION_P50, () => ({})).map((s) => changed(name, s));
  const at1000x300 = (name: string) => [changed(name, scenario(name, 1000, 300))];
  const crossColo = (name: string) =>
    grid(name, [150, 300], () => ({ rpcMs: ASSUMPTIONS.rpcCrossColoMs.value })).map((s) =>
      changed(name, s),
    );
  return {
    "what-ifs: the send path (fast ramp, RPC 10 ms)": [
      "hand off once all left (before)",
      "+ no_wait flag",
      "+ no_wait flag, whole msgs",
      "whole messages",
      "max_batch_size 2",
      "4 send queues",
      "slower ramp + no_wait flag",
    ].flatMap(everywhere),
    "what-ifs at 1,000 mps, p50 300: broadcast length, Durable Object CPU": [
      "50,000 recipients",
      "50,000, + no_wait flag",
      "DO CPU 1 ms/request",
      "DO 1 ms + settle linger 50",
    ].flatMap(at1000x300),
    [`what-ifs cross-colo (RPC ${ASSUMPTIONS.rpcCrossColoMs.value} ms)`]: [
      "hand off once all left (before)",
      "recheck 250 ms ahead",
      "+ no_wait flag",
      "+ no_wait flag, recheck ahead",
    ].flatMap(crossColo),
  };
}

// ---- output ----------------------------------------------------------------

const COLUMNS: [string, (r: Result, s: Scenario) => string | number][] = [
  ["scenario", (r) => r.scenario],
  ["mps", (r) => r.mps],
  ["p50/p99", (r) => `${r.p50}/${r.p99}`],
  ["batch", (_, s) => s.maxBatchSize],
  ["conns", (_, s) => s.connections || "inf"],
  ["sent", (r) => (r.stalled ? `${r.accepted} STALLED` : r.accepted)],
  ["rows/msg", (r) => r.rowsPerMessage],
  ["rate/s", (r) => r.achievedMps],
  ["% cap", (r) => r.pctOfCap],
  ["steady %", (r) => r.steadyPctOfCap],
  ["peak inv", (r) => r.peakInvocations],
  ["peak sends", (r) => r.peakSendsInFlight],
  ["inv ms", (r) => r.meanInvocationMs],
  ["wave ms", (r) => r.meanWaveMs],
  ["late", (r) => r.lateGiveUps],
  ["max 1s", (r) => r.maxInOneSecond],
  ["over", (r) => r.overCap],
  ["ramp90 s", (r) => r.rampTo90PctS ?? "never"],
  ["secs", (r) => r.durationS],
  ["cycle", (r) => r.finalCycleMs],
  ["target", (r) => r.finalInFlightTarget],
  ["BDO rps", (r) => r.broadcastDoRps],
  ["SDO rps", (r) => r.senderDoRps],
];

function table(title: string, rows: { r: Result; s: Scenario }[]): void {
  const cells = [
    COLUMNS.map(([h]) => h),
    ...rows.map(({ r, s }) => COLUMNS.map(([, f]) => String(f(r, s)))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) =>
    c.map((v, j) => (j === 0 ? v.padEnd(widths[j] ?? 0) : v.padStart(widths[j] ?? 0))).join("  ");
  console.log(`\n## ${title}`);
  console.log(line(cells[0] as string[]));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const c of cells.slice(1)) console.log(line(c));
}

const LEGEND = `rate/s: (sent - 1) / (last accept - first accept), as bench/dispatch.ts; % cap: of mps (slots
  are paced at SAFETY ${SAFETY} x the cap, so 97% is the ceiling). steady %: between the 10th and
  90th percentile accept, i.e. once ramped. rows/msg: recipients per queue message.
peak inv: most batches in progress at once, as the autoscaler counts them; peak sends: most
  sends waiting for Meta's answer. inv ms: mean batch, delivery to done as the queue sees it.
  wave ms: mean wave, from holding its connections to its last answer.
late: slots given up, > MAX_DEPARTURE_DELAY_MS late (the gate spaces the rest). max 1s / over: most sends in any sliding
  one-second window at the receiver; sends that found the window already at the cap.
ramp90 s: from the start until a one-second window first holds 90% of the cap.
cycle / target: the dispatcher's last cycle (ms) and inFlightTarget (rows).
BDO / SDO rps: requests/s to the BroadcastDO and the SenderDO (soft limit ~1,000/s per object).
STALLED: stopped, livelocked (nothing sent for 120 s, or 3 slots given up per recipient).`;

async function runAll(sections: Record<string, Scenario[]>) {
  const out: Record<string, Result[]> = {};
  for (const [title, scenarios] of Object.entries(sections)) {
    const rows: { r: Result; s: Scenario }[] = [];
    for (const s of scenarios) rows.push({ r: await simulate(s), s });
    table(title, rows);
    out[title] = rows.map(({ r }) => r);
  }
  return out;
}

/** The first seconds of a run: how fast the autoscaler brings the rate up. */
function printRamp(r: Result): void {
  const seconds = r.timeline.slice(0, 10).map((x) => `${x.t}s ${x.sent}/s ${x.running}inv`);
  console.log(`\nRamp, ${r.scenario}, ${r.mps} mps p50 ${r.p50}: ${seconds.join(", ")}`);
}

function printAssumptions(): void {
  console.log("\n## Assumptions (ASSUMPTIONS in bench/capacity.ts)");
  for (const [key, { value, why }] of Object.entries(ASSUMPTIONS)) {
    const shown = typeof value === "object" ? JSON.stringify(value) : String(value);
    console.log(`- ${key}: ${shown} (${why})`);
  }
}

/** As bench/lib.ts's writeResult, without echoing the whole record (it would bury the tables). */
function writeJson(record: Record<string, unknown>): void {
  mkdirSync("bench/results", { recursive: true });
  const body = {
    benchmark: "capacity",
    at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}`,
    ...record,
  };
  writeFileSync("bench/results/capacity.json", `${JSON.stringify(body, null, 2)}\n`);
  console.log("\nwrote bench/results/capacity.json");
}

// ---- main ------------------------------------------------------------------

const startedAt = performance.now();
const results: Record<string, Record<string, Result[]>> = {};
if (MODE === "production" || MODE === "all") {
  console.log("\n# production: one number, one broadcast, under Cloudflare's limits");
  results.production = await runAll(production());
}
if (MODE === "validation" || MODE === "all") {
  console.log("\n# validation: the local benchmark's case (Miniflare: one invocation at a time)");
  results.validation = await runAll(validation());
}
if (MODE === "all") {
  console.log("\n# what-ifs: changes to the code, simulated");
  results.whatIfs = await runAll(whatIfs());
}
console.log(`\n${LEGEND}`);
printAssumptions();

const headline = results.production?.[HEADLINE_TITLE]?.find((r) => r.mps === 1000 && r.p50 === 300);
if (headline) {
  printRamp(headline);
  const fixed = results.whatIfs?.["what-ifs: the send path (fast ramp, RPC 10 ms)"]?.find(
    (r) => r.scenario === "+ no_wait flag" && r.mps === 1000 && r.p50 === 300,
  );
  if (fixed) printRamp(fixed);
  const met = (pct: number) => (pct >= 90 ? "met" : "NOT met");
  console.log(
    `Target ≥ 90% of a 1,000 mps cap at p50 300 ms: first→last ${headline.pctOfCap}% ` +
      `(${met(headline.pctOfCap)}), steady ${headline.steadyPctOfCap}% (${met(headline.steadyPctOfCap)}).`,
  );
}
console.log(`(simulated in ${((performance.now() - startedAt) / 1000).toFixed(1)} s)`);

// Timelines only for the production design rows: the rest would only make the file long.
for (const [mode, sections] of Object.entries(results)) {
  for (const [title, rows] of Object.entries(sections)) {
    const keep = mode === "production" && title === HEADLINE_TITLE;
    sections[title] = rows.map((r) => ({ ...r, timeline: keep ? r.timeline.slice(0, 60) : [] }));
  }
}
writeJson({
  mode: MODE,
  assumptions: Object.fromEntries(Object.entries(ASSUMPTIONS).map(([k, v]) => [k, v.value])),
  results,
});
