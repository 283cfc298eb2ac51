import { applyD1Migrations, listDurableObjectIds, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll } from "vitest";

// Storage is isolated per test file; applying is idempotent within a file.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

/**
 * A file ends quiet. Durable Object alarms outlive their test file (a known
 * limit of the Workers Vitest pool: they ignore isolated storage), and an
 * alarm or a send that runs while vitest closes the file's runner fails the
 * whole run with "Closing rpc while 'resolve' was pending". So, once a file's
 * tests are done, the broadcasts still sending get up to QUIET_WITHIN_MS for
 * their sends on the queue to settle (a claim a test abandoned on purpose
 * never does: it is only waited for), and then every alarm still armed is
 * deleted (a summary flush two seconds out, a schedule an hour out: nothing a
 * test can still look at).
 */
const QUIET_WITHIN_MS = 5_000;
/** runInDurableObject for any of the four classes (its generic types recurse too deep over their union). */
const inObject = runInDurableObject as unknown as (
  stub: unknown,
  fn: (obj: unknown, state: DurableObjectState) => unknown,
) => Promise<unknown>;
const NAMESPACES = () =>
  [
    env.BROADCAST,
    env.SENDER,
    env.ACCOUNT_DATA,
    env.ACCOUNT_AUDIENCE,
  ] as unknown as DurableObjectNamespace[];

/** Some broadcast still has recipients on the queue or claimed. */
async function anyStillSending(): Promise<boolean> {
  let sending = false;
  for (const id of await listDurableObjectIds(env.BROADCAST)) {
    await inObject(env.BROADCAST.get(id), (obj) => {
      const store = (obj as any).store;
      const b = store?.broadcast();
      if (b?.state !== "sending") return;
      const c = store.counters();
      if (c.queued + c.sending > 0) sending = true;
    });
  }
  return sending;
}

afterAll(async () => {
  const deadline = Date.now() + QUIET_WITHIN_MS;
  while ((await anyStillSending()) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  for (const namespace of NAMESPACES()) {
    for (const id of await listDurableObjectIds(namespace)) {
      await inObject(namespace.get(id), (_obj, state) => state.storage.deleteAlarm());
    }
  }
}, 30_000);
