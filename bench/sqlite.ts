/**
 * Chorus's stores over Node's own SQLite (`node:sqlite`, Node ≥ 22.5), so a
 * benchmark can drive the real `src/db/` functions and the real BroadcastStore
 * and measure what they write: D1 and a Durable Object's SQL storage are both
 * SQLite, with the same page format and the same statements. What differs
 * (D1's single writer over the network, a DO's storage latency) is the
 * platform's, and bench/scaling.ts takes it from REFERENCE.md, not from here.
 *
 * Every write statement is counted by the table it names, with SQLite's own
 * `changes` (rows inserted, updated or deleted; index entries not included).
 */
import { readdirSync, readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";

type Value = string | number | bigint | null | Uint8Array;

/** Rows changed and statements run, per table written. */
export class WriteLog {
  readonly rows = new Map<string, number>();
  readonly statements = new Map<string, number>();

  note(sql: string, changes: number): void {
    const table = writtenTable(sql);
    if (!table) return;
    this.rows.set(table, (this.rows.get(table) ?? 0) + changes);
    this.statements.set(table, (this.statements.get(table) ?? 0) + 1);
  }

  reset(): void {
    this.rows.clear();
    this.statements.clear();
  }

  snapshot(): Record<string, { rows: number; statements: number }> {
    return Object.fromEntries(
      [...this.rows].map(([t, n]) => [t, { rows: n, statements: this.statements.get(t) ?? 0 }]),
    );
  }
}

function writtenTable(sql: string): string | null {
  const m =
    /^\s*(?:insert(?:\s+or\s+\w+)?\s+into|update|delete\s+from|replace\s+into)\s+[`"]?(\w+)/i.exec(
      sql,
    );
  return m?.[1] ?? null;
}

const returnsRows = (sql: string) =>
  /^\s*(select|with|pragma)\b/i.test(sql) || /\breturning\b/i.test(sql);

function bindable(v: unknown): Value {
  if (v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  return v as Value;
}

/** Runs one statement; answers its rows (empty for a plain write) and counts what it wrote. */
function run(db: DatabaseSync, log: WriteLog, sql: string, binds: unknown[]) {
  const statement = db.prepare(sql);
  const values = binds.map(bindable);
  if (returnsRows(sql)) {
    const rows = statement.all(...values) as Record<string, Value>[];
    log.note(sql, rows.length);
    return { rows, changes: rows.length };
  }
  const { changes } = statement.run(...values);
  log.note(sql, Number(changes));
  return { rows: [] as Record<string, Value>[], changes: Number(changes) };
}

/** A new in-memory SQLite database. */
export function openSqlite(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  return db;
}

/** Applies migrations/*.sql in order, the way wrangler does (statements split on drizzle's breakpoints). */
export function applyMigrations(db: DatabaseSync, dir = "migrations"): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  for (const f of files) {
    for (const statement of readFileSync(`${dir}/${f}`, "utf8").split("--> statement-breakpoint")) {
      if (statement.trim()) db.exec(statement);
    }
  }
  return files;
}

class Statement {
  constructor(
    private readonly db: DatabaseSync,
    private readonly log: WriteLog,
    readonly sql: string,
    readonly binds: unknown[] = [],
  ) {}
  bind(...binds: unknown[]) {
    return new Statement(this.db, this.log, this.sql, binds);
  }
  exec() {
    return run(this.db, this.log, this.sql, this.binds);
  }
  async all() {
    const { rows, changes } = this.exec();
    return { results: rows, success: true, meta: { changes, rows_written: changes } };
  }
  async run() {
    return this.all();
  }
  async first(column?: string) {
    const row = this.exec().rows[0] ?? null;
    if (row && column) return row[column] ?? null;
    return row;
  }
  async raw() {
    return this.exec().rows.map((r) => Object.values(r));
  }
}

/** A D1Database over SQLite: enough of it for the `src/db/` functions and drizzle's d1 driver. */
export function d1Over(db: DatabaseSync, log: WriteLog): D1Database {
  return {
    prepare: (sql: string) => new Statement(db, log, sql),
    batch: async (statements: Statement[]) => {
      db.exec("BEGIN");
      try {
        const results = [];
        for (const s of statements) results.push(await s.all());
        db.exec("COMMIT");
        return results;
      } catch (err) {
        db.exec("ROLLBACK");
        throw err;
      }
    },
    exec: async (sql: string) => {
      db.exec(sql);
      return { count: 1, duration: 0 };
    },
  } as unknown as D1Database;
}

/** A Durable Object's SqlStorage over SQLite: what BroadcastStore calls. */
export function sqlStorageOver(db: DatabaseSync, log: WriteLog): SqlStorage {
  return {
    exec(sql: string, ...binds: unknown[]) {
      // The schema is one string of many statements without bindings.
      let rows: Record<string, Value>[] = [];
      if (binds.length === 0 && sql.trim().replace(/;\s*$/, "").includes(";")) db.exec(sql);
      else rows = run(db, log, sql, binds).rows;
      return {
        toArray: () => rows,
        one: () => {
          if (rows.length !== 1) throw new Error(`expected one row, got ${rows.length}: ${sql}`);
          return rows[0];
        },
        [Symbol.iterator]: () => rows[Symbol.iterator](),
      };
    },
  } as unknown as SqlStorage;
}

/** Bytes on disk (pages of the table and of its indexes) and rows, per table. */
export function tableSizes(db: DatabaseSync): Record<string, { bytes: number; rows: number }> {
  const sizes = db
    .prepare(
      `SELECT m.tbl_name AS t, SUM(s.pgsize) AS bytes FROM dbstat s
       JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name`,
    )
    .all() as { t: string; bytes: number }[];
  const out: Record<string, { bytes: number; rows: number }> = {};
  for (const { t, bytes } of sizes) {
    const { n } = db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number };
    out[t] = { bytes: Number(bytes), rows: Number(n) };
  }
  return out;
}
