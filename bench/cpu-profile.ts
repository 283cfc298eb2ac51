/**
 * `npx tsx bench/cpu-profile.ts PORT [SECONDS] [TITLE_REGEX]`: a CPU profile
 * of a running `wrangler dev` through workerd's own inspector (wrangler's
 * proxy on --inspector-port shows the first worker only; workerd's port is the
 * `--inspector-addr` listener of its `workerd serve` process: `ss -ltnp`), to
 * name what saturates when the machine is the limit. Profiles
 * every worker the inspector lists for SECONDS (default 20), writes
 * bench/results/<worker>.cpuprofile (open it in Chrome DevTools) and prints
 * the top frames by self time, and by total time for Chorus's own functions.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import WebSocket from "ws";

const port = Number(process.argv[2] ?? 10272);
const seconds = Number(process.argv[3] ?? 20);
/** Which of the inspector's workers to profile (workerd's own inspector lists its internal ones too). */
const only = new RegExp(process.argv[4] ?? ".");

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const CALL_TIMEOUT_MS = 30_000;

function cdp(url: string) {
  const ws = new WebSocket(url);
  let id = 0;
  const waiting = new Map<number, (v: any) => void>();
  ws.on("close", (code) => console.log(`  inspector session closed (${code}): ${url}`));
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data));
    if (msg.id !== undefined) waiting.get(msg.id)?.(msg.result ?? msg.error);
  });
  const open = new Promise<void>((resolve, reject) => {
    ws.on("open", () => resolve());
    ws.on("error", reject);
  });
  return {
    open,
    // A busy isolate answers its inspector late, and a dropped session never:
    // every call gives up after CALL_TIMEOUT_MS instead of hanging the run.
    send: (method: string, params: Record<string, unknown> = {}) =>
      new Promise<any>((resolve, reject) => {
        const n = ++id;
        const timer = setTimeout(
          () => reject(new Error(`${method}: no answer in ${CALL_TIMEOUT_MS} ms (${url})`)),
          CALL_TIMEOUT_MS,
        );
        waiting.set(n, (v) => {
          clearTimeout(timer);
          resolve(v);
        });
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    close: () => ws.close(),
  };
}

function summarize(name: string, p: Profile): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const total = p.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const idle = p.nodes
    .filter((n) => ["(idle)", "(program)"].includes(n.callFrame.functionName))
    .reduce((s, n) => s + (n.hitCount ?? 0), 0);
  const label = (n: Node) =>
    `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-1)[0]}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  for (const n of p.nodes) self.set(label(n), (self.get(label(n)) ?? 0) + (n.hitCount ?? 0));
  // Total (inclusive) time per frame label, each sample counted once per label.
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const n of p.nodes) {
    if (!n.hitCount) continue;
    const seen = new Set<string>();
    for (let at: number | undefined = n.id; at !== undefined; at = parent.get(at)) {
      const l = label(byId.get(at) as Node);
      if (!seen.has(l)) {
        seen.add(l);
        inclusive.set(l, (inclusive.get(l) ?? 0) + n.hitCount);
      }
    }
  }
  const wall = (p.endTime - p.startTime) / 1e6;
  const pct = (h: number) => `${((h / Math.max(1, total)) * 100).toFixed(1)}%`;
  console.log(
    `\n## ${name}: ${wall.toFixed(1)} s, ${total} samples, busy ${pct(total - idle)} (idle/program ${pct(idle)})`,
  );
  console.log("top self time:");
  for (const [l, h] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15))
    console.log(`  ${pct(h).padStart(6)}  ${l}`);
  console.log("top total time (bundle frames):");
  for (const [l, h] of [...inclusive]
    .filter(([l]) => /index\.js|\.ts/.test(l) && !/^\(/.test(l))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20))
    console.log(`  ${pct(h).padStart(6)}  ${l}`);
}

const targets = (
  (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as {
    title: string;
    webSocketDebuggerUrl: string;
  }[]
).filter((t) => only.test(t.title));
console.log(`profiling ${targets.map((t) => t.title).join(", ")} for ${seconds} s`);
const sessions = await Promise.all(
  targets.map(async (t) => {
    const c = cdp(t.webSocketDebuggerUrl);
    await c.open;
    await c.send("Profiler.enable");
    await c.send("Profiler.setSamplingInterval", { interval: 1000 });
    await c.send("Profiler.start");
    return { t, c };
  }),
);
await new Promise((r) => setTimeout(r, seconds * 1000));
mkdirSync("bench/results", { recursive: true });
for (const { t, c } of sessions) {
  const { profile } = (await c.send("Profiler.stop")) as { profile: Profile };
  c.close();
  const name = t.title.replace(/[^\w-]+/g, "_");
  writeFileSync(`bench/results/${name}.cpuprofile`, JSON.stringify(profile));
  summarize(t.title, profile);
}
