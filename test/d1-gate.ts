/**
 * Holds one D1 query until the test lets it go: the way to make a race that
 * depends on "while the Durable Object awaits D1" happen every time instead
 * of only when the machine is slow. The query itself still runs against the
 * real D1; only its start is held.
 */

export interface D1Gate {
  /** The D1 binding to give the code under test. */
  db: D1Database;
  /** Resolves when the held query has been reached (and is waiting). */
  reached(): Promise<void>;
  /** Lets the held query (and every later one) run. */
  release(): void;
}

/**
 * The gate is made inside a Durable Object and watched from the test: a
 * promise resolved across the two would be an I/O object shared between
 * contexts, which workerd refuses. So both sides poll plain flags.
 */
const POLL_MS = 5;
const pause = () => new Promise((resolve) => setTimeout(resolve, POLL_MS));

const RUNS = new Set(["all", "raw", "first", "run"]);

/** Holds the `nth` query (1-based) whose SQL matches `pattern`; the others pass. */
export function gateD1(real: D1Database, pattern: RegExp, nth = 1): D1Gate {
  const state = { reached: false, released: false };
  let matches = 0;
  const unwrap = new WeakMap<object, D1PreparedStatement>();
  const sqlOf = new WeakMap<object, string>();

  const hold = async (sql: string) => {
    if (!pattern.test(sql)) return;
    matches++;
    if (matches !== nth) return;
    state.reached = true;
    while (!state.released) await pause();
  };

  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === "bind") return (...args: unknown[]) => wrap(target.bind(...args), sql);
        if (typeof prop === "string" && RUNS.has(prop))
          return async (...args: unknown[]) => {
            await hold(sql);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    unwrap.set(proxy, stmt);
    sqlOf.set(proxy, sql);
    return proxy;
  };

  const db = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (prop === "batch")
        return async (stmts: D1PreparedStatement[]) => {
          for (const s of stmts) await hold(sqlOf.get(s) ?? "");
          return target.batch(stmts.map((s) => unwrap.get(s) ?? s));
        };
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    db,
    async reached() {
      while (!state.reached) await pause();
    },
    release() {
      state.released = true;
    },
  };
}
