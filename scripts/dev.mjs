// `npm run dev`: the API on :8787 and the WhatsApp sandbox on :8788, wired to
// each other over plain HTTP (as production is with Meta), with local D1
// migrations applied and the demo account, key, sender and templates seeded.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";

const API_PORT = Number(process.env.CHORUS_PORT ?? 8787);
const SANDBOX_PORT = Number(process.env.SANDBOX_PORT ?? 8788);

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("[dev] created .dev.vars from .dev.vars.example");
}
const vars = Object.fromEntries(
  readFileSync(".dev.vars", "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
);

// CHORUS_STATE_DIR moves the local state (D1, Durable Objects, queues) out of
// .wrangler/: the benchmarks put it on tmpfs so that they measure Chorus, not
// the disk's fsync rate.
const stateDir = process.env.CHORUS_STATE_DIR;
const persist = (sub) => (stateDir ? ["--persist-to", `${stateDir}/${sub}`] : []);

spawnSync(process.execPath, ["scripts/copy-assets.mjs"], { stdio: "inherit" });
const migrate = spawnSync(
  "wrangler",
  ["d1", "migrations", "apply", "DB", "--local", ...persist("api")],
  {
    stdio: "inherit",
    env: { ...process.env, CI: "true" },
  },
);
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

// CHORUS_DEV_QUIET=1 (the benchmarks) drops wrangler's per-request log lines:
// at a thousand requests a second, printing them costs more than serving them.
const quiet = process.env.CHORUS_DEV_QUIET === "1" ? ["--log-level", "warn"] : [];

const children = [];
function start(name, args) {
  const child = spawn("wrangler", args, { stdio: ["ignore", "pipe", "pipe"], env: process.env });
  const prefix = (chunk) =>
    chunk
      .toString()
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => `[${name}] ${l}`)
      .join("\n");
  child.stdout.on("data", (d) => console.log(prefix(d)));
  child.stderr.on("data", (d) => console.error(prefix(d)));
  child.on("exit", (code) => {
    console.log(`[dev] ${name} exited (${code}); stopping`);
    shutdown(code ?? 1);
  });
  children.push(child);
}

function shutdown(code = 0) {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

start("sandbox", [
  "dev",
  "-c",
  "sandbox/wrangler.toml",
  "--port",
  String(SANDBOX_PORT),
  "--inspector-port",
  "9230",
  "--var",
  `WEBHOOK_URL:http://localhost:${API_PORT}/webhooks/whatsapp`,
  "--var",
  `APP_SECRET:${vars.META_APP_SECRET ?? "chorus-dev-app-secret"}`,
  ...quiet,
  ...persist("sandbox"),
]);
start("api", [
  "dev",
  "--port",
  String(API_PORT),
  "--inspector-port",
  "9229",
  "--var",
  `WHATSAPP_API_BASE:http://localhost:${SANDBOX_PORT}`,
  ...quiet,
  ...persist("api"),
]);

async function waitFor(url, timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not come up`);
}

try {
  await waitFor(`http://localhost:${SANDBOX_PORT}/__sandbox/stats`);
  await waitFor(`http://localhost:${API_PORT}/health`);
  const res = await fetch(`http://localhost:${API_PORT}/admin/dev/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${vars.ADMIN_TOKEN ?? "chorus-dev-admin"}` },
  });
  const seed = await res.json();
  console.log(`[dev] seeded: ${JSON.stringify(seed)}`);
  console.log(`
[dev] Chorus API   http://localhost:${API_PORT}   (docs: /docs, key: ${vars.DEMO_API_KEY ?? "chorus-demo-key"})
[dev] Sandbox      http://localhost:${SANDBOX_PORT}   (inspect: /__sandbox/stats, /__sandbox/messages)
[dev] Try: curl -H 'x-api-key: ${vars.DEMO_API_KEY ?? "chorus-demo-key"}' localhost:${API_PORT}/v1/senders
`);
} catch (err) {
  console.error(`[dev] ${err.message}`);
  shutdown(1);
}
