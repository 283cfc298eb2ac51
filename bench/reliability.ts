/**
 * `npm run test:reliability`: invariants 1 and 2 under failure, against
 * `wrangler dev` with persisted local state (the crash run: API and sandbox
 * as two processes over HTTP; the faults run too, or in one process with
 * RELIABILITY_STACK=one).
 *
 * 1. Crash: a 10,000-recipient broadcast at 200 mps; the API is SIGKILLed
 *    mid-dispatch and started again on the same state. It must complete, with
 *    every recipient final, counters equal to rows, and the sandbox's
 *    duplicates no more than the sends in flight at the kill (aim: 0).
 * 2. Faults: 5,000 recipients while the sandbox fails 10% of sends with 500,
 *    5% with timeouts, 5% with 130429, and duplicates and shuffles 30% of its
 *    webhooks: nothing stuck, no duplicate, each final status what the sandbox
 *    did, the dead-letter queue empty or accounted for as failed.
 *
 * Prints the figures, writes bench/results/reliability.json, exits 1 when an
 * invariant is broken.
 */
import { mobile, writeResult } from "./lib";
import {
  allRecipients,
  call,
  countersMatchRows,
  details,
  histogram,
  sandboxAccepted,
  sandboxStats,
  waitUntil,
} from "./reliability/checks";
import { API, killApi, SANDBOX, startApi, startStack, stopStack } from "./reliability/stack";

const DEMO_NUMBER = "100000000000001";
const FAULTY_NUMBER = "100000000000777";
const DEAD_LETTER = "Could not be sent: the send queue gave up after repeated failures";
const failures: string[] = [];
const check = (ok: boolean, problem: string) => {
  if (!ok) failures.push(problem);
};

function body(from: string, count: number, offset: number) {
  return {
    channel_type: "whatsapp",
    name: `reliability ${count}`,
    template_name: "hello_world",
    from,
    recipients: Array.from({ length: count }, (_, i) => ({
      // Ending in 0: none of the sandbox's scripted behaviours (1111 fails, 4444 is never read…).
      identifier: mobile(offset + i, "0"),
      client_reference: `r-${offset + i}`,
    })),
  };
}

async function crashRun() {
  console.log("\n== crash recovery: 10,000 recipients at 200 mps, SIGKILL mid-dispatch ==");
  await call("POST", `${SANDBOX}/__sandbox/numbers/${DEMO_NUMBER}`, { mps: 200 });
  const sender = (await call("GET", `${API}/v1/senders`)).find(
    (s: any) => s.phoneNumberId === DEMO_NUMBER,
  );
  await call("PUT", `${API}/v1/senders/${sender.id}`, { throughputMps: 200 });
  const started = Date.now();
  const created = await call("POST", `${API}/broadcasts`, body(sender.phoneNumber, 10_000, 0));
  await waitUntil(
    "3,000 submitted",
    () => details(created.uuid),
    (d) => d.submitted >= 3_000,
    120_000,
  );

  const before = await details(created.uuid);
  const acceptedBefore = (await sandboxStats(DEMO_NUMBER)).accepted;
  await killApi();
  const killedAt = Date.now();
  // Sends Meta accepted that Chorus had not recorded yet: the only possible duplicates.
  const acceptedAtKill = (await sandboxStats(DEMO_NUMBER)).accepted;
  const restartMs = await startApi();
  console.log(
    `  killed at ${before.submitted} submitted; restarted in ${(restartMs / 1000).toFixed(1)} s`,
  );

  const done = await waitUntil(
    "completion",
    () => details(created.uuid),
    (d) => d.status === "completed",
    600_000,
  );
  const completedAfterRestartS = (Date.now() - killedAt) / 1000;
  const stats = await sandboxStats(DEMO_NUMBER);
  const rows = histogram(await allRecipients(created.uuid));
  const problems = countersMatchRows(done, rows);
  const inFlight = acceptedAtKill - before.submitted;
  check(problems.length === 0, `crash: ${problems.join("; ")}`);
  check(
    stats.duplicates <= Math.max(0, inFlight),
    `crash: ${stats.duplicates} duplicates > ${inFlight} in flight`,
  );
  check(
    stats.accepted - stats.duplicates === done.submitted,
    `crash: sandbox accepted ${stats.accepted} (−${stats.duplicates} dup) ≠ submitted ${done.submitted}`,
  );
  return {
    recipients: 10_000,
    mps: 200,
    submitted_at_kill: before.submitted,
    sandbox_accepted_at_kill: acceptedAtKill,
    sandbox_accepted_just_before_kill: acceptedBefore,
    in_flight_at_kill: inFlight,
    duplicates: stats.duplicates,
    restart_s: restartMs / 1000,
    completed_after_kill_s: completedAfterRestartS,
    total_s: (Date.now() - started) / 1000,
    final_statuses: rows,
    counters_equal_rows: problems.length === 0,
  };
}

async function faultRun() {
  console.log(
    "\n== faults: 5,000 recipients, 10% 500, 5% timeout, 5% 130429, 30% duplicated + shuffled webhooks ==",
  );
  await call("POST", `${SANDBOX}/__sandbox/numbers/${FAULTY_NUMBER}`, {
    waba_id: "200000000000001",
    display_phone_number: "447576209858",
    access_token: "faulty-token",
    mps: 200,
    faults: { error_500_rate: 0.1, timeout_rate: 0.05, throttle_rate: 0.05 },
    timeout_ms: 4_000,
    shuffle_webhooks: true,
    duplicate_webhook_rate: 0.3,
  });
  const sender = await call("POST", `${API}/v1/senders`, {
    phoneNumber: "447576209858",
    phoneNumberId: FAULTY_NUMBER,
    wabaId: "200000000000001",
    accessToken: "faulty-token",
    throughputMps: 200,
  });
  await call("POST", `${API}/v1/templates/sync`, { senderId: sender.id });
  // The sync reads Meta's throughput level, and a number the sandbox paces at
  // 200/s reports STANDARD, which caps the sender at 80/s: the run has been at
  // 80 mps since that sync landed. Set back to the 200 it is about.
  await call("PUT", `${API}/v1/senders/${sender.id}`, { throughputMps: 200 });
  const started = Date.now();
  const created = await call("POST", `${API}/broadcasts`, body(sender.phoneNumber, 5_000, 20_000));
  const done = await waitUntil(
    "completion",
    () => details(created.uuid),
    (d) => d.status === "completed",
    900_000,
  ).catch(async (err) => {
    // What is left, for the report: held (next_send_at) or in flight.
    const left = await call(
      "GET",
      `${API}/broadcasts/${created.uuid}/recipients?status=pending&limit=20`,
    );
    throw new Error(`${err.message}; still pending: ${JSON.stringify(left.recipients)}`);
  });

  const sentS = (Date.now() - started) / 1000;
  // Webhooks (with their retries, duplicates and shuffling) settle after the sends.
  await waitUntil(
    "webhooks settled",
    () => details(created.uuid),
    (d) => d.read + d.failed === d.recipients,
    120_000,
  ).catch((err) => failures.push(`faults: ${err.message}`));
  const recipients = await allRecipients(created.uuid);
  const accepted = await sandboxAccepted(FAULTY_NUMBER);
  const stats = await sandboxStats(FAULTY_NUMBER);
  const rows = histogram(recipients);
  const wrong = recipients.filter((r) =>
    accepted.has(r.identifier) ? r.status !== "read" : r.status !== "failed",
  );
  const deadLettered = recipients.filter((r) => r.error === DEAD_LETTER).length;
  const final = await details(created.uuid);
  const problems = countersMatchRows(final, rows);
  check(problems.length === 0, `faults: ${problems.join("; ")}`);
  check(stats.duplicates === 0, `faults: ${stats.duplicates} duplicate sends`);
  check(
    wrong.length === 0,
    `faults: ${wrong.length} recipients in a status the sandbox contradicts, e.g. ${JSON.stringify(wrong.slice(0, 3))}`,
  );
  return {
    recipients: 5_000,
    mps: 200,
    sent_s: sentS,
    total_s: (Date.now() - started) / 1000,
    sandbox_refused: stats.rejected_other + stats.rejected_throughput,
    sandbox_accepted: stats.accepted,
    duplicates: stats.duplicates,
    webhooks_duplicated: stats.webhooks_duplicated,
    final_statuses: rows,
    status_mismatches: wrong.length,
    dead_lettered_as_failed: deadLettered,
    counters_equal_rows: problems.length === 0,
    completed: done.status === "completed",
  };
}

const t0 = Date.now();
try {
  // RELIABILITY_RUNS=faults (or crash) runs one of the two.
  const runs = process.env.RELIABILITY_RUNS ?? "crash,faults";
  let crash = null;
  if (runs.includes("crash")) {
    // It kills the API alone: two processes.
    await startStack("two");
    crash = await crashRun();
    console.log(JSON.stringify({ crash }, null, 2));
    stopStack();
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  let faults = null;
  if (runs.includes("faults")) {
    // Two processes unless RELIABILITY_STACK=one (./reliability/stack.ts).
    const kind = process.env.RELIABILITY_STACK === "one" ? "one" : "two";
    await startStack(kind);
    faults = {
      stack: kind === "one" ? "one wrangler dev" : "two wrangler dev",
      ...(await faultRun()),
    };
  }
  writeResult("reliability", { crash, faults, run_s: (Date.now() - t0) / 1000, failures });
} catch (err) {
  failures.push(String(err));
  console.error(err);
} finally {
  stopStack();
}
if (failures.length > 0) {
  console.error(
    `\nreliability: ${failures.length} invariant(s) broken:\n- ${failures.join("\n- ")}`,
  );
  process.exit(1);
}
console.log(`\nreliability: every invariant held (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
