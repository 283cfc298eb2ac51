/**
 * Where an account's audience is (docs/SCALING.md §5): the seam every caller
 * of the audience goes through. The rule follows the account's data plane
 * (./data-plane.ts): D1 on "d1" and "dual", the account's AccountAudienceDO
 * (named by the account id, so no call can reach another account's) on
 * "shards-dual" and "shards".
 *
 * Writes are refused (503 AUDIENCE_MOVING, with Retry-After) while the
 * audience may be moving: on "dual", the plane from which the move to
 * "shards-dual" copies D1's audience into the object. The copy starts only
 * once every isolate has seen "dual" (PLANE_SETTLE_MS), so no write can
 * land in D1 behind it; and an isolate still on "dual" after the flip
 * refuses too, so none lands in D1 after it. The object refuses writes
 * itself while a copy into it or out of it runs (AccountAudienceDO).
 */
import type { Bindings } from "../env";
import { ChorusError } from "../errors";
import { type AudienceOps, audienceOps } from "./audience-ops";
import { accountDataPlane, PLANE_SETTLE_MS, readsShards } from "./data-plane";

export interface AudienceStore {
  /** "d1": the shared D1 (its page query joins suppressions); "store": the account's object. */
  where: "d1" | "store";
  ops: AudienceOps;
}

/** What the object throws (and an RPC carries as the message) when it refuses a write. */
export const AUDIENCE_MOVING = "AUDIENCE_MOVING";

export const audienceMoving = () =>
  new ChorusError(
    "AUDIENCE_MOVING",
    "The audience is moving to another store",
    `audience: this account's contacts, segments and classes are being copied between stores; nothing was changed, retry after ${PLANE_SETTLE_MS / 1000} s`,
    { "Retry-After": String(PLANE_SETTLE_MS / 1000) },
  );

export const isAudienceMoving = (err: unknown): boolean =>
  err instanceof Error && err.message.startsWith(AUDIENCE_MOVING);

/** The account's AccountAudienceDO. */
export function audienceObject(env: Bindings, accountId: string) {
  return env.ACCOUNT_AUDIENCE.get(env.ACCOUNT_AUDIENCE.idFromName(accountId));
}

/** The object's operations, its refusal to write answered as the API's 503. */
export function objectOps(env: Bindings, accountId: string): AudienceOps {
  const stub = audienceObject(env, accountId);
  // The stub answers every operation of AudienceOps by RPC (AccountAudienceDO
  // implements AudienceOps); its types are RPC-wrapped, the values the same.
  const ops = stub as unknown as AudienceOps;
  return new Proxy(ops, {
    get(target, prop) {
      // Not a thenable: an async function returns this proxy as it is.
      if (prop === "then") return undefined;
      const call = Reflect.get(target, prop) as unknown;
      if (typeof call !== "function") return call;
      return async (...args: unknown[]) => {
        try {
          return await Reflect.apply(call as (...a: unknown[]) => Promise<unknown>, target, args);
        } catch (err) {
          throw isAudienceMoving(err) ? audienceMoving() : err;
        }
      };
    },
  });
}

/** The store that answers the account's audience reads (and its writes, where writes are open). */
export async function audienceStore(env: Bindings, accountId: string): Promise<AudienceStore> {
  const plane = await accountDataPlane(env.DB, accountId);
  return readsShards(plane)
    ? { where: "store", ops: objectOps(env, accountId) }
    : { where: "d1", ops: audienceOps(env.DB) };
}

/** The store for a write: as audienceStore, refused while the account's audience may be moving. */
export async function audienceWriter(env: Bindings, accountId: string): Promise<AudienceOps> {
  const plane = await accountDataPlane(env.DB, accountId);
  if (plane === "dual") throw audienceMoving();
  return readsShards(plane) ? objectOps(env, accountId) : audienceOps(env.DB);
}
