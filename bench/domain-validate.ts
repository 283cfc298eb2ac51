/**
 * The pure part of a create: 50,000 inline recipients (identifier, client
 * reference, three body variables, two URL-button suffixes) validated and
 * rendered by the domain code, with no I/O. Target: well under 1 s.
 * Also times the phone check alone, and libphonenumber-js's own parse for
 * comparison (what the fast path in src/domain/phone.ts saves).
 * Run: `npm run bench -- domain-validate` (or `npx tsx bench/domain-validate.ts`) (RUNS=… to change the number of runs).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { planParameters } from "../src/domain/parameters.ts";
import { classifyWithLibrary, normalizePhone } from "../src/domain/phone.ts";
import { type RecipientInput, validateRecipients } from "../src/domain/recipients.ts";
import { analyzeTemplate } from "../src/domain/template.ts";
import { mobileNumber } from "../test/domain/phones.ts";
import { HOLIDAY_SALE } from "../test/domain/templates.ts";

const RUNS = Number(process.env.RUNS ?? 7);
const RECIPIENTS = 50_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

function time(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

// As the API layer gets it: parsed JSON.
function recipients(run: number): RecipientInput[] {
  const list = Array.from({ length: RECIPIENTS }, (_, i) => ({
    identifier: mobileNumber(run * RECIPIENTS + i),
    client_reference: `bench-${run}-${i}`,
    parameters: {
      body: { Name: `Person ${i}`, Time: "18h00", Place: "City Centre" },
      button: { url_1: `a${i}`, url_2: `b${i}` },
    },
  }));
  return JSON.parse(JSON.stringify(list)) as RecipientInput[];
}

const planned = planParameters(analyzeTemplate(HOLIDAY_SALE), {
  header: { type: "image", value: "https://www.example.com/image.jpg" },
  body_order: ["Name", "Time", "Place"],
  button_order: ["url_1", "url_2"],
});
if (!planned.ok) throw new Error(planned.errors.join("; "));
const plan = planned.plan;
const suppressed = new Set<string>(
  Array.from({ length: 1000 }, (_, i) => mobileNumber(10_000_000 + i)),
);

const validate: number[] = [];
const phones: number[] = [];
for (let run = 0; run <= RUNS; run++) {
  const input = recipients(run);
  let accepted = 0;
  const ms = time(() => {
    accepted = validateRecipients(plan, input, { suppressed }).accepted.length;
  });
  if (accepted !== RECIPIENTS) throw new Error(`expected ${RECIPIENTS} accepted, got ${accepted}`);
  const phoneMs = time(() => {
    for (const r of input) normalizePhone(r.identifier);
  });
  // Run 0 warms up (lazy regex compilation, JIT) and is not counted.
  if (run > 0) {
    validate.push(ms);
    phones.push(phoneMs);
  }
}

const sample = recipients(RUNS + 1).map((r) => r.identifier);
const libraryMs = time(() => {
  for (const n of sample) classifyWithLibrary(n);
});

const result = {
  benchmark: "domain-validate",
  at: new Date().toISOString(),
  machine: `${process.platform} ${process.arch}, node ${process.version}`,
  recipients: RECIPIENTS,
  runs: RUNS,
  validate_and_render_ms: {
    median: round(median(validate)),
    min: round(Math.min(...validate)),
    max: round(Math.max(...validate)),
  },
  phone_check_only_ms: { median: round(median(phones)) },
  libphonenumber_parse_isValid_getType_ms: round(libraryMs),
};
console.log(
  `validateRecipients: ${result.validate_and_render_ms.median} ms per ${RECIPIENTS} (median of ${RUNS}; ` +
    `min ${result.validate_and_render_ms.min}, max ${result.validate_and_render_ms.max}); ` +
    `phone check alone ${result.phone_check_only_ms.median} ms; ` +
    `libphonenumber-js parse+isValid+getType alone ${result.libphonenumber_parse_isValid_getType_ms} ms`,
);
mkdirSync("bench/results", { recursive: true });
writeFileSync("bench/results/domain-validate.json", `${JSON.stringify(result, null, 2)}\n`);
