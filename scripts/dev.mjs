// `npm run dev`: the API on :8787 and the WhatsApp sandbox on :8788, wired to
// each other over plain HTTP (as production is with Meta), with local D1
// migrations applied and the demo account, key, sender and templates seeded.
// Ports and state: CHORUS_PORT, SANDBOX_PORT, CHORUS_STATE_DIR, CHORUS_DEV_QUIET
// (see scripts/dev-stack.mjs).
import { devVars, killGroups, stackOptions, startStack } from "./dev-stack.mjs";

const secrets = devVars();
const o = stackOptions();

const children = [];
function shutdown(code = 0) {
  killGroups(children);
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

try {
  const { seeded } = await startStack(o, {
    secrets,
    onLine: (name, line) => console.log(`[${name}] ${line}`),
    onChild: (name, child) => {
      child.on("exit", (code) => {
        console.log(`[dev] ${name} exited (${code}); stopping`);
        shutdown(code ?? 1);
      });
      children.push(child);
    },
  });
  console.log(`[dev] seeded: ${JSON.stringify(seeded)}`);
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
