/**
 * The SQLite storage of one sandbox number (inside its Durable Object):
 * configuration, counters, accepted messages, attempts per (recipient,
 * callback data) pair, and the webhook outbox. Every query on the send path
 * is a primary-key or indexed one; all of them are synchronous.
 */

import type { ScheduledEvent } from "./behaviours";
import { type NumberConfig, withDefaults } from "./config";
import type { OutboxEvent, QueuedEvent } from "./webhooks";

export interface Stats {
  accepted: number;
  rejected_throughput: number;
  /** Refused by the throughput window itself (not an injected throttle): a sender over its cap. */
  over_cap: number;
  rejected_other: number;
  max_per_second: number;
  duplicates: number;
  /** Sends refused with 131056 (pair_rate_limit_ms). */
  pair_rate_limited: number;
  first_accepted_at: number | null;
  last_accepted_at: number | null;
  /** Events POSTed to the webhook URL and answered 2xx. */
  webhooks_delivered: number;
  /** Events given up after the last retry. */
  webhooks_failed: number;
  /** Event deliveries that failed and were scheduled again. */
  webhooks_retried: number;
  /** Events handed out by the drain route. */
  webhooks_drained: number;
  /** Extra deliveries made on purpose (duplicate_webhook_rate). */
  webhooks_duplicated: number;
}

export const emptyStats = (): Stats => ({
  accepted: 0,
  rejected_throughput: 0,
  over_cap: 0,
  rejected_other: 0,
  max_per_second: 0,
  duplicates: 0,
  pair_rate_limited: 0,
  first_accepted_at: null,
  last_accepted_at: null,
  webhooks_delivered: 0,
  webhooks_failed: 0,
  webhooks_retried: 0,
  webhooks_drained: 0,
  webhooks_duplicated: 0,
});

// Row shapes are type aliases (not interfaces) so that they fit SqlStorage's row type.
export type MessageRow = {
  wamid: string;
  to_input: string;
  wa_id: string;
  callback: string | null;
  type: string;
  template: string | null;
  language: string | null;
  /** The message's template components, as JSON. */
  components: string | null;
  accepted_at: number;
  /** Attempts of its (recipient, callback data) pair. */
  attempts: number;
  /** The path it came in on (W11): messages or marketing_messages; null in rows from before. */
  endpoint: string | null;
  /** The Marketing Messages API's options as sent; null through /messages. */
  product_policy: string | null;
  message_activity_sharing: number | null;
};

export type AttemptRow = {
  wa_id: string;
  callback: string | null;
  attempts: number;
  accepted: number;
};

/** Bump when the tables below change: older tables (except the configuration) are dropped. */
const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stats (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  wamid TEXT PRIMARY KEY, to_input TEXT NOT NULL, wa_id TEXT NOT NULL, callback TEXT,
  pair TEXT NOT NULL, type TEXT NOT NULL, template TEXT, language TEXT, components TEXT,
  accepted_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_wa_id ON messages (wa_id);
CREATE TABLE IF NOT EXISTS attempts (
  pair TEXT PRIMARY KEY, wa_id TEXT NOT NULL, callback TEXT,
  attempts INTEGER NOT NULL, accepted INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_wa_id ON attempts (wa_id);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, due_at INTEGER NOT NULL, event TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (due_at, id);
`;

/** SQLite's limit of bound parameters per statement is 100. */
const CHUNK = 90;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The key of a (recipient, callback data) pair. */
export const pairKey = (waId: string, callback: string | null) => `${waId}|${callback ?? ""}`;

export class NumberStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
    if (row?.version !== SCHEMA_VERSION) {
      // Sandbox state is disposable; the configuration's JSON stays readable across versions.
      for (const table of ["stats", "messages", "attempts", "outbox"])
        sql.exec(`DROP TABLE IF EXISTS ${table}`);
      sql.exec("DELETE FROM schema_version");
      sql.exec("INSERT INTO schema_version (version) VALUES (?)", SCHEMA_VERSION);
    }
    sql.exec(SCHEMA);
    // W11's columns, added in place (no version bump: other numbers' messages stay).
    const columns = new Set(
      sql
        .exec<{ name: string }>("PRAGMA table_info(messages)")
        .toArray()
        .map((c) => c.name),
    );
    for (const [name, type] of [
      ["endpoint", "TEXT"],
      ["product_policy", "TEXT"],
      ["message_activity_sharing", "INTEGER"],
    ] as const) {
      if (!columns.has(name)) sql.exec(`ALTER TABLE messages ADD COLUMN ${name} ${type}`);
    }
  }

  // ---- configuration and counters ----------------------------------------------------

  loadConfig(): NumberConfig | null {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM config").toArray()[0];
    return row ? withDefaults(JSON.parse(row.json) as NumberConfig) : null;
  }

  saveConfig(cfg: NumberConfig): void {
    this.sql.exec(
      "INSERT INTO config (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
      JSON.stringify(cfg),
    );
  }

  deleteConfig(): void {
    this.sql.exec("DELETE FROM config");
  }

  loadStats(): Stats {
    const row = this.sql.exec<{ json: string }>("SELECT json FROM stats").toArray()[0];
    return { ...emptyStats(), ...(row ? (JSON.parse(row.json) as Partial<Stats>) : {}) };
  }

  saveStats(stats: Stats): void {
    this.sql.exec(
      "INSERT INTO stats (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
      JSON.stringify(stats),
    );
  }

  // ---- sends ------------------------------------------------------------------------

  /** Counts one more attempt of the pair; returns its attempts so far and how many were accepted. */
  recordAttempt(waId: string, callback: string | null): { attempts: number; accepted: number } {
    return this.sql
      .exec<{ attempts: number; accepted: number }>(
        `INSERT INTO attempts (pair, wa_id, callback, attempts, accepted) VALUES (?, ?, ?, 1, 0)
         ON CONFLICT(pair) DO UPDATE SET attempts = attempts + 1
         RETURNING attempts, accepted`,
        pairKey(waId, callback),
        waId,
        callback,
      )
      .one();
  }

  /** When this number last accepted a message to this person (epoch ms), or null. */
  lastAcceptedTo(waId: string): number | null {
    const row = this.sql
      .exec<{ at: number | null }>(
        "SELECT MAX(accepted_at) AS at FROM messages WHERE wa_id = ?",
        waId,
      )
      .one();
    return row.at === null ? null : Number(row.at);
  }

  recordAccepted(m: Omit<MessageRow, "attempts">, events: readonly ScheduledEvent[]): void {
    const pair = pairKey(m.wa_id, m.callback);
    this.sql.exec("UPDATE attempts SET accepted = accepted + 1 WHERE pair = ?", pair);
    this.sql.exec(
      `INSERT INTO messages (wamid, to_input, wa_id, callback, pair, type, template, language, components, accepted_at,
         endpoint, product_policy, message_activity_sharing)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      m.wamid,
      m.to_input,
      m.wa_id,
      m.callback,
      pair,
      m.type,
      m.template,
      m.language,
      m.components,
      m.accepted_at,
      m.endpoint,
      m.product_policy,
      m.message_activity_sharing,
    );
    for (const chunk of chunks(events, CHUNK / 2)) {
      this.sql.exec(
        `INSERT INTO outbox (due_at, event) VALUES ${chunk.map(() => "(?, ?)").join(", ")}`,
        ...chunk.flatMap((e) => [e.due, JSON.stringify(e.event)]),
      );
    }
  }

  // ---- outbox -----------------------------------------------------------------------

  /** Queues one webhook event, due at `due`. */
  enqueue(due: number, event: OutboxEvent): void {
    this.sql.exec("INSERT INTO outbox (due_at, event) VALUES (?, ?)", due, JSON.stringify(event));
  }

  /** The oldest events due by `dueBy` (every event with null), with their delivery attempts. */
  due(dueBy: number | null, limit: number): (QueuedEvent & { attempts: number })[] {
    const rows =
      dueBy === null
        ? this.sql.exec<{ id: number; event: string; attempts: number }>(
            "SELECT id, event, attempts FROM outbox ORDER BY due_at, id LIMIT ?",
            limit,
          )
        : this.sql.exec<{ id: number; event: string; attempts: number }>(
            "SELECT id, event, attempts FROM outbox WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
            dueBy,
            limit,
          );
    return rows.toArray().map((r) => ({
      id: r.id,
      event: JSON.parse(r.event) as OutboxEvent,
      attempts: r.attempts,
    }));
  }

  nextDue(): number | null {
    return this.sql.exec<{ due: number | null }>("SELECT MIN(due_at) AS due FROM outbox").one().due;
  }

  remove(ids: readonly number[]): void {
    for (const chunk of chunks(ids)) {
      this.sql.exec(`DELETE FROM outbox WHERE id IN (${chunk.map(() => "?").join(",")})`, ...chunk);
    }
  }

  reschedule(ids: readonly number[], attempts: number, due: number): void {
    for (const chunk of chunks(ids)) {
      this.sql.exec(
        `UPDATE outbox SET attempts = ?, due_at = ? WHERE id IN (${chunk.map(() => "?").join(",")})`,
        attempts,
        due,
        ...chunk,
      );
    }
  }

  pending(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }

  // ---- inspection -------------------------------------------------------------------

  messages(waId: string | null): MessageRow[] {
    const select = `SELECT m.wamid, m.to_input, m.wa_id, m.callback, m.type, m.template, m.language,
        m.components, m.accepted_at, COALESCE(a.attempts, 1) AS attempts,
        m.endpoint, m.product_policy, m.message_activity_sharing
      FROM messages m LEFT JOIN attempts a ON a.pair = m.pair`;
    return (
      waId === null
        ? this.sql.exec<MessageRow>(`${select} ORDER BY m.rowid`)
        : this.sql.exec<MessageRow>(`${select} WHERE m.wa_id = ? ORDER BY m.rowid`, waId)
    ).toArray();
  }

  attempts(waId: string | null): AttemptRow[] {
    const select = "SELECT wa_id, callback, attempts, accepted FROM attempts";
    return (
      waId === null
        ? this.sql.exec<AttemptRow>(`${select} ORDER BY rowid`)
        : this.sql.exec<AttemptRow>(`${select} WHERE wa_id = ? ORDER BY rowid`, waId)
    ).toArray();
  }

  /** Forgets everything sent and counted (the configuration stays). */
  wipe(): void {
    for (const table of ["messages", "attempts", "outbox", "stats"])
      this.sql.exec(`DELETE FROM ${table}`);
  }
}
