/**
 * The simulation's machinery: a virtual clock over a priority heap of events,
 * and seeded random numbers. Nothing here knows about Chorus.
 *
 * The model's actors are written as ordinary async functions (so that they
 * read like src/queues/sends.ts) that await `sim.sleep()`; the clock only
 * moves when every promise that can run has run, so the outcome depends on
 * the seed alone, never on the machine. While a run lasts, `Date.now()` and
 * `setTimeout` read this clock too, so that real code from src/ (the
 * Dispatcher, Connections) runs on it unchanged.
 */

interface Event {
  at: number;
  /** Insertion order: events at the same instant run first come, first served. */
  order: number;
  run: () => void;
  cancelled?: boolean;
}

/** A binary min-heap of events by (at, order). */
class EventHeap {
  private readonly items: Event[] = [];

  get size(): number {
    return this.items.length;
  }

  push(event: Event): void {
    const items = this.items;
    items.push(event);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, items[parent] as Event)) break;
      items[i] = items[parent] as Event;
      i = parent;
    }
    items[i] = event;
  }

  pop(): Event | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && before(items[right] as Event, items[left] as Event) ? right : left;
      if (!before(items[child] as Event, last)) break;
      items[i] = items[child] as Event;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

const before = (a: Event, b: Event) => a.at < b.at || (a.at === b.at && a.order < b.order);

/** The virtual clock: milliseconds since the broadcast started. */
export class Sim {
  now = 0;
  /** Events run so far. */
  events = 0;
  private readonly heap = new EventHeap();
  private order = 0;

  /** Runs `run` at virtual time `at` (never in the past); returns the event, to cancel it. */
  at(at: number, run: () => void): Event {
    const event = { at: Math.max(at, this.now), order: this.order++, run };
    this.heap.push(event);
    return event;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.at(this.now + ms, resolve));
  }

  sleepUntil(at: number): Promise<void> {
    return at > this.now ? this.sleep(at - this.now) : Promise.resolve();
  }

  /**
   * Runs events until `done()` or `untilMs` of virtual time. After each event
   * it yields one macrotask, by which time every microtask the event set off
   * (a chain of awaits of any length) has run.
   */
  async run(done: () => boolean, untilMs: number): Promise<void> {
    const restore = this.install();
    try {
      while (!done()) {
        const event = this.heap.pop();
        if (!event || event.at > untilMs) return;
        if (event.cancelled) continue;
        this.now = event.at;
        this.events++;
        event.run();
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      restore();
    }
  }

  /** Points Date.now, setTimeout and clearTimeout at this clock; answers how to undo it. */
  private install(): () => void {
    const real = { now: Date.now, setTimeout, clearTimeout };
    Date.now = () => this.now;
    globalThis.setTimeout = ((run: () => void, ms = 0) =>
      this.at(this.now + ms, run)) as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((event?: Event) => {
      if (event) event.cancelled = true;
    }) as unknown as typeof clearTimeout;
    return () => {
      Date.now = real.now;
      globalThis.setTimeout = real.setTimeout;
      globalThis.clearTimeout = real.clearTimeout;
    };
  }
}

/** mulberry32: small, fast, and good enough for a simulation's draws. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed per named stream, so that one stream's draws never shift another's. */
export function seedFor(base: number, name: string): number {
  let h = base ^ 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** z of the 99th percentile of the standard normal. */
const Z99 = 2.326;

/**
 * Log-normal with the given median and 99th percentile: sigma =
 * ln(p99 / p50) / 2.326. p99 = p50 gives a fixed latency.
 */
export function logNormal(random: () => number, p50: number, p99: number): () => number {
  const mu = Math.log(p50);
  const sigma = Math.log(Math.max(p99, p50) / p50) / Z99;
  if (sigma === 0) return () => p50;
  return () => {
    // Box–Muller; 1 - random() keeps the logarithm's argument above 0.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.exp(mu + sigma * z);
  };
}

/** Exponential with the given mean (0: always 0). */
export function exponential(random: () => number, mean: number): () => number {
  return mean > 0 ? () => -mean * Math.log(1 - random()) : () => 0;
}
