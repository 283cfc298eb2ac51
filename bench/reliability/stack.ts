/**
 * A private local stack for the reliability runs: its own ports and state on
 * tmpfs, the sandbox started once (it plays Meta, which does not crash) and
 * the API started, SIGKILLed and started again on the same persisted state.
 */
import type { ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import {
  apiArgs,
  devVars,
  killGroups,
  stackOptions,
  startStack as startLocalStack,
  startWrangler,
  waitFor,
} from "../../scripts/dev-stack.mjs";

export const API_PORT = 8801;
export const SANDBOX_PORT = 8802;
export const API = `http://localhost:${API_PORT}`;
export const SANDBOX = `http://localhost:${SANDBOX_PORT}`;

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

export async function startStack(): Promise<void> {
  rmSync(options.stateDir as string, { recursive: true, force: true });
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
  rmSync(options.stateDir as string, { recursive: true, force: true });
}
