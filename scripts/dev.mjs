// `npm run dev`: the API on :8787 and the WhatsApp sandbox on :8788, wired to
// each other over plain HTTP (as production is with Meta), with local D1
// migrations applied and the demo account, key, sender and templates seeded.
// Ports and state: CHORUS_PORT, SANDBOX_PORT, CHORUS_STATE_DIR, CHORUS_DEV_QUIET
// (see scripts/dev-stack.mjs).
import {
  apiArgs,
  devVars,
  prepare,
  sandboxArgs,
  seed,
  stackOptions,
  startWrangler,
  waitFor,
} from "./dev-stack.mjs";

const secrets = devVars();
const o = stackOptions();
prepare(o);

const children = [];
function start(name, args) {
  const child = startWrangler(args, (line) => console.log(`[${name}] ${line}`));
  child.on("exit", (code) => {
    console.log(`[dev] ${name} exited (${code}); stopping`);
    shutdown(code ?? 1);
  });
  children.push(child);
}

function shutdown(code = 0) {
  for (const child of children) {
    if (child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

start("sandbox", sandboxArgs(o, secrets));
start("api", apiArgs(o));

try {
  await waitFor(`http://localhost:${o.sandboxPort}/__sandbox/stats`);
  await waitFor(`http://localhost:${o.apiPort}/health`);
  console.log(`[dev] seeded: ${JSON.stringify(await seed(o, secrets))}`);
  const key = secrets.DEMO_API_KEY ?? "chorus-demo-key";
  console.log(`
[dev] Chorus API   http://localhost:${o.apiPort}   (docs: /docs, key: ${key})
[dev] Sandbox      http://localhost:${o.sandboxPort}   (inspect: /__sandbox/stats, /__sandbox/messages)
[dev] Try: curl -H 'x-api-key: ${key}' localhost:${o.apiPort}/v1/senders
`);
} catch (err) {
  console.error(`[dev] ${err.message}`);
  shutdown(1);
}
