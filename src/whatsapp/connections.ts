/**
 * Production's connection limit, enforced here so that dev and tests run
 * under it too. Cloudflare lets one invocation have six requests waiting for
 * response headers; a seventh is queued by the runtime, and its timers run
 * while it waits (REFERENCE.md, "Workers limits that bound outbound
 * sending"). `wrangler dev` and workerd enforce none of it, so a figure
 * measured locally without this clamp is one production cannot reach.
 *
 * One `Connections` per invocation (a queue batch, a request): a connection
 * is held from the moment a request leaves until its headers arrive.
 */
import { CONNECTIONS_PER_INVOCATION, connectionLimit } from "../domain/pacing";
import type { Bindings } from "../env";

/** How long a wave waits for all the connections it wants before taking what is free. */
const ACQUIRE_PATIENCE_MS = 250;

export class Connections {
  private free: number;
  private readonly waiters: { n: number; wake: () => void }[] = [];

  /** `limit` 0 or less: unlimited (the engine-efficiency benchmark only). */
  constructor(readonly limit: number = CONNECTIONS_PER_INVOCATION) {
    this.free = limit > 0 ? limit : Number.POSITIVE_INFINITY;
  }

  /**
   * Takes up to `n` connections: all `n` if they are free within
   * `patienceMs`, else as many as are free then (at least one, waiting for
   * it). Answers one release function per connection taken. A wave waits a
   * moment for the whole of what it wants, but one slow answer holding a
   * connection never holds the rest of the wave back for long.
   */
  async acquire(n: number, patienceMs = ACQUIRE_PATIENCE_MS): Promise<(() => void)[]> {
    const want = Math.max(1, this.limit > 0 ? Math.min(n, this.limit) : n);
    if (this.free < want && this.waiters.length === 0 && patienceMs > 0) {
      await new Promise<void>((wake) => {
        const waiter = { n: want, wake };
        this.waiters.push(waiter);
        setTimeout(() => this.giveUpWaiting(waiter), patienceMs);
      });
    }
    while (this.free < 1) await new Promise<void>((wake) => this.waiters.push({ n: 1, wake }));
    const took = Math.min(want, this.free);
    this.free -= took;
    return Array.from({ length: took }, () => this.releaser());
  }

  private giveUpWaiting(waiter: { n: number; wake: () => void }): void {
    const i = this.waiters.indexOf(waiter);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    waiter.wake();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.free++;
      // First come, first served: the first waiter is woken once what it asked for is free.
      const first = this.waiters[0];
      if (first && this.free >= first.n) {
        this.waiters.shift();
        first.wake();
      }
    };
  }
}

/**
 * The invocation's connections as configured: CLOUD_API_CONNECTIONS=0 lifts
 * the clamp, for `npm run bench -- dispatch`'s engine-efficiency run only.
 */
export function invocationConnections(env: Bindings): Connections {
  return new Connections(connectionLimit(env.CLOUD_API_CONNECTIONS));
}
