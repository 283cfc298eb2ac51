/**
 * A private local stack for the reliability runs: its own ports and state on
 * tmpfs, the sandbox started once (it plays Meta, which does not crash) and
 * the API started, SIGKILLed and started again on the same persisted state.
 */
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import {
  apiArgs,
  combinedStack,
  devVars,
  killGroups,
  seed,
  stackOptions,
  startStack as startLocalStack,
  startWrangler,
  waitFor,
} from "../../scripts/dev-stack.mjs";

export const API_PORT = 8801;
export const SANDBOX_PORT = 8802;
// Both on one port when the stack is one process (the sandbox in front, passing the API's paths through).
export let API = `http://localhost:${API_PORT}`;
export let SANDBOX = `http://localhost:${SANDBOX_PORT}`;

const options = stackOptions({
  apiPort: API_PORT,
  sandboxPort: SANDBOX_PORT,
  stateDir: `/dev/shm/chorus-reliability-${process.pid}`,
  quiet: true,
  // Sends stuck longer than this count as timeouts: the fault run's 5% take seconds, not 10 s each.
  apiVars: { SEND_TIMEOUT_MS: "2000" },
});
const secrets = devVars();
/** A restart on a large persisted state takes longer than a first start. */
const API_START_TIMEOUT_MS = 120_000;
const log = (name: string) => (line: string) => {
  if (/error|fail/i.test(line) && !/webhook|retry|ENOTFOUND/i.test(line))
    console.log(`  [${name}] ${line}`);
};

let sandbox: ChildProcess | null = null;
let api: ChildProcess | null = null;

/**
 * "two": the API and the sandbox as two `wrangler dev` processes over local
 * HTTP (the crash run kills the API alone). "one": both Workers in one
 * process, sends and webhooks through service bindings, as the dispatch
 * bench runs them (RELIABILITY_STACK=one, for the faults run). Both gave the
 * faults run the same time on 2026-12-02 (94.3 s and 89.6 s).
 */
export type StackKind = "one" | "two";

export async function startStack(kind: StackKind = "two"): Promise<void> {
  rmSync(options.stateDir as string, { recursive: true, force: true });
  if (kind === "one") {
    API = SANDBOX = `http://localhost:${API_PORT}`;
    sandbox = startWrangler(combinedStack(options, secrets, options.apiVars), log("stack"));
    await waitFor(`${API}/health`, API_START_TIMEOUT_MS);
    await seed(options, secrets);
    return;
  }
  API = `http://localhost:${API_PORT}`;
  SANDBOX = `http://localhost:${SANDBOX_PORT}`;
  const started = await startLocalStack(options, {
    secrets,
    onLine: (name, line) => log(name)(line),
    apiTimeoutMs: API_START_TIMEOUT_MS,
  });
  sandbox = started.sandbox;
  api = started.api;
}

export async function startApi(): Promise<number> {
  const started = Date.now();
  api = startWrangler(apiArgs(options), log("api"));
  await waitFor(`${API}/health`, API_START_TIMEOUT_MS);
  return Date.now() - started;
}

/** SIGKILL to the API's whole process group: wrangler and its workerd, mid-whatever. */
export async function killApi(): Promise<void> {
  const pid = api?.pid;
  if (!pid) return;
  const exited = new Promise((resolve) => api?.once("exit", resolve));
  process.kill(-pid, "SIGKILL");
  await exited;
  api = null;
}

export function stopStack(): void {
  killGroups([api, sandbox], "SIGKILL");
  api = sandbox = null;
  rmSync(options.stateDir as string, { recursive: true, force: true });
}
