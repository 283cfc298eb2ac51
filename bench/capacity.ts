/**
 * `npx tsx bench/capacity.ts` (or `npm run bench -- capacity`): a capacity
 * model of the send engine in production, where it cannot be measured here.
 * A deterministic discrete-event simulation (seeded, virtual clock, no
 * network, no timers) of ONE number sending ONE large broadcast, driven by
 * the real rules: src/domain/pacing.ts and the real `Connections` clamp (see
 * bench/capacity/model.ts for what is modelled, step for step).
 *
 * MODE=production: 80 and 1,000 mps × Meta p50 150 / 300 / 800 ms (p99 =
 *   3.6 × p50), under Cloudflare's limits, as built and with variants of
 *   what Cloudflare does not publish (the autoscaler's ramp, RPC distance).
 * MODE=validation: what the local benchmark (`npm run bench -- dispatch`)
 *   should measure: one invocation at a time, as Miniflare delivers.
 * MODE=all (default): both, then a few what-ifs of the code.
 *
 * Flags, as env vars or `NAME=value` arguments: MODE, MPS (list), RECIPIENTS,
 * P50 (list), P99, MAX_BATCH_SIZE, CONNECTIONS (0 = unlimited), RPC_MS,
 * RAMP_MS, DELIVERY_MS, DO_MS, SEED.
 * Prints tables and writes bench/results/capacity.json.
 */
import { BATCH_SIZE, CONNECTIONS_PER_INVOCATION, SAFETY } from "../src/domain/pacing.ts";
import {
  type Code,
  DESIGN,
  type Result,
  type Scenario,
  SENDS_TS,
  simulate,
} from "./capacity/model.ts";
import { writeResult } from "./lib.ts";

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

// ---- assumptions: every number the model takes that is not in src/ -------------

/** Every assumption, in one place; printed with the results and written to the JSON. */
const ASSUMPTIONS = {
  maxBatchSize: {
    value: num("MAX_BATCH_SIZE", 2),
    why: "chorus-sends max_batch_size (production config; MAX_BATCH_SIZE)",
  },
  maxBatchTimeoutMs: {
    value: 1_000,
    why: "chorus-sends max_batch_timeout = 1 s (wrangler.toml): a short batch waits this long to fill",
  },
  connections: {
    value: num("CONNECTIONS", CONNECTIONS_PER_INVOCATION),
    why: "per invocation, the real Connections clamp (CONNECTIONS_PER_INVOCATION; 0 = unlimited)",
  },
  recipientsPerMessage: { value: BATCH_SIZE, why: "BATCH_SIZE from src/domain/pacing.ts" },
  rpcMs: {
    value: num("RPC_MS", 10),
    why: "round trip of a Durable Object RPC (claim, reserve, settle), half each way; RPC_MS",
  },
  rpcJitter: {
    value: 2,
    why: "each RPC leg is log-normal, median RPC_MS/2, p99 = this x the median",
  },
  rpcCrossColoMs: { value: 50, why: "the variant: consumer and DOs in different colos" },
  localRpcMs: {
    value: num("RPC_MS", 2),
    why: "validation: DO RPC inside one wrangler dev process (measure it and pass RPC_MS)",
  },
  doServiceMs: {
    value: num("DO_MS", 0),
    why: "CPU per DO request, served one at a time (0: not a limit; rates are reported instead)",
  },
  deliveryMs: {
    value: num("DELIVERY_MS", 20),
    why: "queue delivery delay: from the BroadcastDO's send to the message being deliverable",
  },
  latency: {
    value: `log-normal, sigma = ln(p99/p50)/2.326, p99 = ${P99_OVER_P50} x p50`,
    why: "the sandbox's realistic model (p50 250 -> p99 900)",
  },
  autoscaler: {
    value: "starts at 1; when an invocation ends: +1 if the backlog is non-empty, -1 if empty",
    why: "Cloudflare: re-evaluated only after a batch finishes, from the backlog; ramp unpublished",
  },
  autoscalerMax: { value: 250, why: "Cloudflare's ceiling of concurrent consumer invocations" },
  rampMs: {
    value: num("RAMP_MS", 0),
    why: "minimum time between two increases (0: every finished invocation may add one)",
  },
  slowRampMs: { value: 1_000, why: "the slower-ramp variant: at most one more per second" },
  timerLateMs: {
    value: 1,
    why: "mean (exponential) of how late a timer fires in a busy isolate",
  },
  arrival: {
    value: "arrival = departure",
    why: "a constant one-way trip to Meta shifts every send alike: windows unchanged",
  },
  meta: {
    value: "accepts every send; distinct recipients",
    why: "no 130429 slowdowns, no pair spacing, no retries: the engine's best case",
  },
  sendsTs: {
    value: SENDS_TS,
    why: "SEND_TIMEOUT_MS and STATE_RECHECK_AFTER_MS of src/queues/sends.ts (not exported)",
  },
  cycle: {
    value: "ewma per settle of (batch's queue delay + Meta's latency), mean over the settle",
    why: "inFlightTarget's cycle as pacing.ts describes it; INITIAL_CYCLE_MS until the first",
  },
  isolates: {
    value: "warm",
    why: "the sender's D1 read (cached 5 s per isolate) and CPU time are not modelled",
  },
  seed: { value: num("SEED", 1), why: "PRNG seed; the same seed gives the same figures" },
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
    rpcP99OverP50: ASSUMPTIONS.rpcJitter.value,
    doServiceMs: ASSUMPTIONS.doServiceMs.value,
    deliveryMs: ASSUMPTIONS.deliveryMs.value,
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
    seed: ASSUMPTIONS.seed.value,
    code: DESIGN,
    ...over,
  };
}

const MPS = list("MPS", [80, 1000]);
const PRODUCTION_P50 = list("P50", [150, 300, 800]);
const VALIDATION_P50 = list("P50", [20, 250]);

/** Production at every mps × latency, under one variant. */
function productionGrid(variant: string, over: (s: Scenario) => Partial<Scenario>): Scenario[] {
  return MPS.flatMap((mps) =>
    PRODUCTION_P50.map((p50) => {
      const s = scenario(variant, mps, p50);
      return { ...s, ...over(s) };
    }),
  );
}

const production = (): Record<string, Scenario[]> => ({
  "as built (fast ramp, RPC 10 ms)": productionGrid("as built", () => ({})),
  [`slower ramp (RAMP_MS ${ASSUMPTIONS.slowRampMs.value})`]: productionGrid("slow ramp", (s) => ({
    autoscaler: { ...s.autoscaler, rampMs: ASSUMPTIONS.slowRampMs.value },
  })),
  [`cross-colo RPC ${ASSUMPTIONS.rpcCrossColoMs.value} ms`]: productionGrid("cross-colo", () => ({
    rpcMs: ASSUMPTIONS.rpcCrossColoMs.value,
  })),
});

/** Miniflare: one batch at a time, max_batch_size and the clamp from the flags. */
function validation(): Record<string, Scenario[]> {
  const local = (name: string, mps: number, p50: number, p99: number, connections?: number) => {
    const s = scenario(name, mps, p50, { rpcMs: ASSUMPTIONS.localRpcMs.value });
    return {
      ...s,
      latency: { p50, p99 },
      connections: connections ?? s.connections,
      autoscaler: { ...s.autoscaler, start: 1, max: 1, fixed: true },
    };
  };
  const rows = MPS.flatMap((mps) =>
    VALIDATION_P50.flatMap((p50) => [
      local("local, log-normal", mps, p50, p99For(p50)),
      local("local, fixed", mps, p50, p50),
    ]),
  );
  // The engine-efficiency run: the clamp off, still one batch at a time.
  const clampOff = MPS.map((mps) => local("local, clamp off", mps, 250, p99For(250), 0));
  return { "one invocation at a time (Miniflare)": [...rows, ...clampOff] };
}

/** A change to the design, by name: what it sets. */
const CHANGES: Record<string, { code?: Partial<Code>; over?: (s: Scenario) => Partial<Scenario> }> =
  {
    design: {},
    "partial messages (today's pump)": { code: { pump: "partial" } },
    "max_batch_size 1": { over: () => ({ maxBatchSize: 1 }) },
    "wave = free connections": { code: { wave: "free" } },
    "cycle = claim->settle": { code: { cycle: "claim-to-settle" } },
    "4 send queues": { over: (s) => ({ autoscaler: { ...s.autoscaler, start: 4, max: 4 * 250 } }) },
    "recheck 250 ms ahead": { code: { recheckLeadMs: 250 } },
    "slots from now + 50 ms": { code: { slotLeadMs: 50 } },
    "recheck ahead + slot lead": { code: { recheckLeadMs: 250, slotLeadMs: 50 } },
    "DO CPU 0.5 ms/request": { over: () => ({ doServiceMs: 0.5 }) },
    "DO CPU 1 ms/request": { over: () => ({ doServiceMs: 1 }) },
    "DO 1 ms + settle linger 50": {
      code: { settleLingerMs: 50 },
      over: () => ({ doServiceMs: 1 }),
    },
    "50,000 recipients": { over: () => ({ recipients: 50_000 }) },
    "50,000, max_batch_size 1": { over: () => ({ recipients: 50_000, maxBatchSize: 1 }) },
  };

function changed(name: string, s: Scenario): Scenario {
  const change = CHANGES[name] ?? {};
  return { ...s, name, code: { ...s.code, ...change.code }, ...change.over?.(s) };
}

/** Changes to the code, simulated where they matter. */
function whatIfs(): Record<string, Scenario[]> {
  const at1000 = (name: string) =>
    PRODUCTION_P50.map((p50) => changed(name, scenario(name, 1000, p50)));
  const at300 = (name: string) => [changed(name, scenario(name, 1000, 300))];
  const crossColo = (name: string) =>
    [80, 1000].flatMap((mps) =>
      [150, 300].map((p50) =>
        changed(name, scenario(name, mps, p50, { rpcMs: ASSUMPTIONS.rpcCrossColoMs.value })),
      ),
    );
  return {
    "what-ifs at 1,000 mps (fast ramp, RPC 10 ms)": [
      "design",
      "partial messages (today's pump)",
      "max_batch_size 1",
      "wave = free connections",
      "4 send queues",
      "cycle = claim->settle",
    ].flatMap(at1000),
    "what-ifs at 1,000 mps, p50 300: broadcast length, Durable Object CPU": [
      "50,000 recipients",
      "50,000, max_batch_size 1",
      "DO CPU 0.5 ms/request",
      "DO CPU 1 ms/request",
      "DO 1 ms + settle linger 50",
    ].flatMap(at300),
    [`what-ifs cross-colo (RPC ${ASSUMPTIONS.rpcCrossColoMs.value} ms)`]: [
      "design",
      "recheck 250 ms ahead",
      "slots from now + 50 ms",
      "recheck ahead + slot lead",
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
  console.log(`\n## ${title}`);
  for (const [i, c] of cells.entries()) {
    console.log(
      c.map((v, j) => (j === 0 ? v.padEnd : v.padStart).call(v, widths[j] as number)).join("  "),
    );
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

const LEGEND = `rate/s: (sent - 1) / (last accept - first accept), as bench/dispatch.ts; % cap of mps (pacing
is SAFETY ${SAFETY} x cap). steady %: between the 10th and 90th percentile accept. peak inv: most
concurrent invocations. inv ms / wave ms: mean invocation, and mean wave from holding its connections
to its last answer. late: slots given up (> DEPARTURE_TOLERANCE_MS late). max 1s / over: most sends in
any sliding one-second window at the receiver, and sends that found the window already at the cap.
ramp90 s: from the start until a one-second window first holds 90% of the cap. cycle / target: the
dispatcher's final cycle (ms) and inFlightTarget. BDO/SDO rps: requests per second to the BroadcastDO
and the SenderDO (Cloudflare's soft limit is ~1,000/s per object).`;

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

function printAssumptions(): void {
  console.log("\n## Assumptions (ASSUMPTIONS in bench/capacity.ts)");
  for (const [key, { value, why }] of Object.entries(ASSUMPTIONS)) {
    const shown = typeof value === "object" ? JSON.stringify(value) : String(value);
    console.log(`- ${key}: ${shown} (${why})`);
  }
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

const target = results.production?.["as built (fast ramp, RPC 10 ms)"]?.find(
  (r) => r.mps === 1000 && r.p50 === 300,
);
if (target) {
  const ok = target.pctOfCap >= 90;
  console.log(
    `\nTarget ≥ 90% of a 1,000 mps cap at p50 300 ms: ${target.pctOfCap}% first→last, ` +
      `${target.steadyPctOfCap}% steady: ${ok ? "met" : "NOT met"}.`,
  );
}
console.log(`(simulated in ${((performance.now() - startedAt) / 1000).toFixed(1)} s)`);

writeResult("capacity", {
  mode: MODE,
  assumptions: Object.fromEntries(Object.entries(ASSUMPTIONS).map(([k, v]) => [k, v.value])),
  results,
});
