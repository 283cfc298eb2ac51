/**
 * Shared pieces for the benchmarks: they run against `npm run dev` (the API on
 * :8787 and the sandbox on :8788), starting it when it is not already up.
 * Each benchmark prints its figures and writes them to bench/results/<name>.json.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";

export const API = process.env.CHORUS_URL ?? "http://localhost:8787";
export const SANDBOX = process.env.SANDBOX_URL ?? "http://localhost:8788";
export const KEY = process.env.CHORUS_KEY ?? "chorus-demo-key";
export const DEMO_SENDER = "447576209857";
export const DEMO_PHONE_NUMBER_ID = "100000000000001";

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${KEY}`, "content-type": "application/json", ...extra };
}

export async function json(res: Response): Promise<any> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${res.url}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function up(): Promise<boolean> {
  try {
    const res = await fetch(`${API}/v1/templates?name=hello_world`, {
      headers: { "x-api-key": KEY },
    });
    return res.ok && (await res.json()).length > 0;
  } catch {
    return false;
  }
}

/** Makes sure `npm run dev` is serving; returns a function that stops it if we started it. */
export async function ensureDev(): Promise<() => void> {
  if (await up()) return () => undefined;
  console.log("[bench] starting npm run dev …");
  const child: ChildProcess = spawn(process.execPath, ["scripts/dev.mjs"], {
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (await up()) {
      return () => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGTERM");
        } catch {
          // already gone
        }
      };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    if (child.pid) process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
  throw new Error("npm run dev did not come up within 120 s");
}

/** Distinct valid mobile numbers: the same generator the tests use. */
export { mobileNumber as mobile } from "../test/domain/phones.ts";

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function writeResult(name: string, result: Record<string, unknown>): void {
  mkdirSync("bench/results", { recursive: true });
  const record = {
    benchmark: name,
    at: new Date().toISOString(),
    machine: `${process.platform} ${process.arch}`,
    ...result,
  };
  writeFileSync(`bench/results/${name}.json`, `${JSON.stringify(record, null, 2)}\n`);
  console.log(JSON.stringify(record, null, 2));
}

export async function sandboxStats(phoneNumberId = DEMO_PHONE_NUMBER_ID): Promise<any> {
  const body = await json(
    await fetch(`${SANDBOX}/__sandbox/stats?phone_number_id=${phoneNumberId}`),
  );
  const list = Array.isArray(body) ? body : (body.numbers ?? [body]);
  return list.find((n: any) => n.phone_number_id === phoneNumberId) ?? list[0];
}

export async function waitForBroadcast(
  uuid: string,
  done: (d: any) => boolean,
  timeoutMs: number,
): Promise<any> {
  const until = Date.now() + timeoutMs;
  let last: any;
  while (Date.now() < until) {
    last = await json(await fetch(`${API}/broadcasts/${uuid}`, { headers: headers() }));
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`broadcast ${uuid} did not finish: ${JSON.stringify(last)}`);
}
