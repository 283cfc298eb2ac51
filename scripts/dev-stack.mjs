// The local stack as `npm run dev` runs it — the WhatsApp sandbox and the API
// as two `wrangler dev` processes wired over HTTP, local D1 migrations, the
// demo seed — for scripts/dev.mjs and for the scripts that need to start, kill
// and restart the pieces themselves (bench/reliability.ts).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

/** .dev.vars (created from the example on first run), as an object. */
export function devVars() {
  if (!existsSync(".dev.vars")) {
    copyFileSync(".dev.vars.example", ".dev.vars");
    console.log("[dev] created .dev.vars from .dev.vars.example");
  }
  return Object.fromEntries(
    readFileSync(".dev.vars", "utf8")
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

/**
 * Ports, state and extra vars of one stack. `stateDir` moves the local state
 * (D1, Durable Objects, queues) out of .wrangler/: the benchmarks put it on
 * tmpfs so that they measure Chorus, not the disk's fsync rate.
 */
export function stackOptions(overrides = {}) {
  return {
    apiPort: Number(process.env.CHORUS_PORT ?? 8787),
    sandboxPort: Number(process.env.SANDBOX_PORT ?? 8788),
    stateDir: process.env.CHORUS_STATE_DIR,
    // CHORUS_DEV_QUIET=1 drops wrangler's per-request log lines: at a thousand
    // requests a second, printing them costs more than serving them.
    quiet: process.env.CHORUS_DEV_QUIET === "1",
    apiVars: {},
    ...overrides,
  };
}

const persist = (o, sub) => (o.stateDir ? ["--persist-to", `${o.stateDir}/${sub}`] : []);
const quiet = (o) => (o.quiet ? ["--log-level", "warn"] : []);
const vars = (record) => Object.entries(record).flatMap(([k, v]) => ["--var", `${k}:${v}`]);

/** Copies the static assets and applies the local D1 migrations; exits on failure. */
export function prepare(o) {
  spawnSync(process.execPath, ["scripts/copy-assets.mjs"], { stdio: "inherit" });
  const migrate = spawnSync(
    "wrangler",
    ["d1", "migrations", "apply", "DB", "--local", ...persist(o, "api")],
    { stdio: "inherit", env: { ...process.env, CI: "true" } },
  );
  if (migrate.status !== 0) process.exit(migrate.status ?? 1);
}

export function sandboxArgs(o, secrets) {
  return [
    "dev",
    "-c",
    "sandbox/wrangler.toml",
    "--port",
    String(o.sandboxPort),
    "--inspector-port",
    String(o.sandboxPort + 1442),
    ...vars({
      WEBHOOK_URL: `http://localhost:${o.apiPort}/webhooks/whatsapp`,
      APP_SECRET: secrets.META_APP_SECRET ?? "chorus-dev-app-secret",
    }),
    ...quiet(o),
    ...persist(o, "sandbox"),
  ];
}

export function apiArgs(o) {
  return [
    "dev",
    "--port",
    String(o.apiPort),
    "--inspector-port",
    String(o.apiPort + 1442),
    ...vars({ WHATSAPP_API_BASE: `http://localhost:${o.sandboxPort}`, ...o.apiVars }),
    ...quiet(o),
    ...persist(o, "api"),
  ];
}

/** Starts `wrangler <args>` in its own process group (so that it can be killed whole). */
export function startWrangler(args, onLine) {
  const child = spawn("wrangler", args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (d) => {
      for (const line of d.toString().split("\n")) if (line.trim()) onLine(line);
    });
  }
  return child;
}

export async function waitFor(url, timeoutMs = 90_000) {
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

/** Seeds the demo account, key, sender and templates (idempotent). */
export async function seed(o, secrets) {
  const res = await fetch(`http://localhost:${o.apiPort}/admin/dev/seed`, {
    method: "POST",
    headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN ?? "chorus-dev-admin"}` },
  });
  return res.json();
}

/** Kills each child's whole process group: wrangler and its workerd, even once wrangler itself is gone. */
export function killGroups(children, signal = "SIGTERM") {
  for (const child of children) {
    if (!child?.pid) continue;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * The start-up every local stack shares (npm run dev, the browser tests, the
 * reliability runs): state prepared, the sandbox and the API started, both
 * answering, the demo seeded. `onLine(name, line)` gets their output;
 * `onChild(name, child)` each child as soon as it is started (to watch it
 * exit while the rest comes up). Answers both children and the seed's answer.
 */
export async function startStack(
  o,
  { secrets = devVars(), onLine = () => {}, onChild = () => {}, apiTimeoutMs } = {},
) {
  prepare(o);
  const sandbox = startWrangler(sandboxArgs(o, secrets), (line) => onLine("sandbox", line));
  onChild("sandbox", sandbox);
  const api = startWrangler(apiArgs(o), (line) => onLine("api", line));
  onChild("api", api);
  await waitFor(`http://localhost:${o.sandboxPort}/__sandbox/stats`);
  await waitFor(`http://localhost:${o.apiPort}/health`, apiTimeoutMs);
  return { sandbox, api, seeded: await seed(o, secrets) };
}

/**
 * The dispatch benchmark's stack: both Workers in ONE `wrangler dev` process,
 * the sandbox in front (its own routes, everything else passed on to the API
 * through a service binding), the API reaching the sandbox and the sandbox's
 * webhooks reaching the API through service bindings too, so that the local
 * HTTP proxy is not what is measured. Writes its two configs to .bench/ and
 * answers the `wrangler` arguments. `apiVars` go into the API's config
 * (CLOUD_API_CONNECTIONS: "0" lifts the six-connection clamp, this run only);
 * `sendsBatchSize` replaces the sends consumer's max_batch_size.
 */
export function combinedStack(o, secrets, apiVars = {}, sendsBatchSize = null) {
  mkdirSync(".bench", { recursive: true });
  const toml = (record) =>
    Object.entries(record)
      .map(([k, v]) => `${k} = ${JSON.stringify(String(v))}`)
      .join("\n");
  const injected = { WHATSAPP_API_BASE: "http://sandbox", ...apiVars };
  // A var set here replaces wrangler.toml's own (TOML refuses a key twice).
  const withoutInjected = Object.keys(injected).reduce(
    (text, key) => text.replace(new RegExp(`\\n${key} = .*`), ""),
    readFileSync("wrangler.toml", "utf8"),
  );
  const api = withoutInjected
    .replace('main = "src/index.ts"', 'main = "../src/index.ts"')
    .replace('directory = "./public"', 'directory = "../public"')
    .replace('migrations_dir = "migrations"', 'migrations_dir = "../migrations"')
    .replace("[vars]\n", `[vars]\n${toml(injected)}\n`)
    // Miniflare delivers one batch at a time: a larger batch stands in for
    // the invocations production would run side by side (bench switch).
    .replace(/(queue = "chorus-sends"\nmax_batch_size = )\d+/, (line, head) =>
      sendsBatchSize ? `${head}${sendsBatchSize}` : line,
    );
  writeFileSync(
    ".bench/api.toml",
    `${api}\n[[services]]\nbinding = "WHATSAPP_API"\nservice = "chorus-sandbox"\n`,
  );
  const sandbox = readFileSync("sandbox/wrangler.toml", "utf8")
    .replace('main = "index.ts"', 'main = "../sandbox/index.ts"')
    .replace(/WEBHOOK_URL = .*/, `WEBHOOK_URL = "http://chorus/webhooks/whatsapp"`)
    .replace(
      /APP_SECRET = .*/,
      `APP_SECRET = ${JSON.stringify(secrets.META_APP_SECRET ?? "chorus-dev-app-secret")}`,
    );
  writeFileSync(
    ".bench/sandbox.toml",
    `${sandbox}\n[[services]]\nbinding = "WEBHOOK_SERVICE"\nservice = "chorus"\n\n[[services]]\nbinding = "PASS_THROUGH"\nservice = "chorus"\n`,
  );
  // wrangler reads the secrets beside each config.
  writeFileSync(".bench/.dev.vars", readFileSync(".dev.vars", "utf8"));
  const migrate = spawnSync(
    "wrangler",
    [
      "d1",
      "migrations",
      "apply",
      "DB",
      "--local",
      "-c",
      ".bench/api.toml",
      ...persist(o, "combined"),
    ],
    { stdio: "inherit", env: { ...process.env, CI: "true" } },
  );
  if (migrate.status !== 0) throw new Error("migrations failed");
  return [
    "dev",
    "-c",
    ".bench/sandbox.toml",
    "-c",
    ".bench/api.toml",
    "--port",
    String(o.apiPort),
    "--inspector-port",
    String(o.apiPort + 1442),
    ...quiet(o),
    ...persist(o, "combined"),
  ];
}
