/**
 * A D1Database over a Durable Object's own SQLite (`ctx.storage.sql`), so
 * that the audience modules of src/db/ (drizzle's d1 driver and their raw
 * statements) run unchanged inside the AccountAudienceDO: one
 * implementation of every query, whichever store holds the rows.
 *
 * Only what those modules and drizzle call is here: `prepare` → `bind` →
 * `all`/`run`/`first`/`raw`, `batch` (one `transactionSync`, so all or
 * nothing, as D1's batch), and `exec`. Every call runs synchronously at once
 * and answers a settled promise: no other request of the object can run in
 * between (no I/O happens), so an RPC operation is atomic as a whole.
 */

type Bound = string | number | null | ArrayBuffer;

function bindable(value: unknown): Bound {
  if (value === undefined || value === null) return null;
  // D1 binds booleans as 0/1; the object's SQLite takes numbers only.
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "bigint") return Number(value);
  return value as Bound;
}

/** A write begins with its verb (drizzle's and src/db/'s statements all do): its `changes` are read after it. */
const WRITES = /^\s*(insert|update|delete|replace)\b/i;

interface Ran {
  columns: string[];
  raw: SqlStorageValue[][];
  changes: number;
}

class StorageStatement {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly query: string,
    private readonly values: Bound[] = [],
  ) {}

  bind(...values: unknown[]): StorageStatement {
    return new StorageStatement(this.storage, this.query, values.map(bindable));
  }

  /** Runs the statement now; `changes` as D1's meta reports it (rows a write changed). */
  ran(): Ran {
    const cursor = this.storage.sql.exec(this.query, ...this.values);
    const raw = [...cursor.raw()];
    const columns = cursor.columnNames;
    const changes = WRITES.test(this.query)
      ? Number(this.storage.sql.exec<{ n: number }>("SELECT changes() AS n").one().n)
      : 0;
    return { columns, raw, changes };
  }

  result(): D1Result<Record<string, unknown>> {
    const { columns, raw, changes } = this.ran();
    const results = raw.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
    return {
      results,
      success: true,
      meta: {
        changes,
        rows_written: changes,
        rows_read: results.length,
        last_row_id: 0,
        changed_db: changes > 0,
        duration: 0,
        size_after: 0,
      },
    } as D1Result<Record<string, unknown>>;
  }

  async all() {
    return this.result();
  }

  async run() {
    return this.result();
  }

  async first(column?: string) {
    const row = this.result().results[0];
    if (!row) return null;
    return column === undefined ? row : (row[column] ?? null);
  }

  async raw(options?: { columnNames?: boolean }) {
    const { columns, raw } = this.ran();
    return options?.columnNames ? [columns, ...raw] : raw;
  }
}

/** The object's storage as a D1Database (what `database()` and the raw modules take). */
export function storageAsD1(storage: DurableObjectStorage): D1Database {
  const d1 = {
    prepare: (query: string) => new StorageStatement(storage, query),
    batch: async (statements: StorageStatement[]) =>
      storage.transactionSync(() => statements.map((s) => s.result())),
    exec: async (query: string) => {
      storage.sql.exec(query);
      return { count: 1, duration: 0 };
    },
  };
  return d1 as unknown as D1Database;
}
