/**
 * The AccountDataDO's share of the callback delivery log: the deliveries
 * created in its month, the same columns as D1's `callback_deliveries`
 * (src/db/callbacks-schema.ts). The body is kept after delivery for
 * CALLBACK_REPLAY_DAYS: a replay (POST …/deliveries/{id}/replay) sends
 * exactly the events that were signed the first time, whatever the
 * delivery's status. Past the window the sweep empties the body of a
 * finished one and keeps its row (docs/SCALING.md §5).
 */
import type { CallbackDelivery, DeliveryAttempt, ShardDelivery } from "../../db/callbacks-schema";
import { AGED_OUT_BODY } from "../../domain/delivery-log";

export type { DeliveryAttempt, ShardDelivery };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS callback_deliveries (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL,
  endpoint_id TEXT,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  event_count INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  last_status_code INTEGER,
  last_error TEXT,
  next_attempt_at TEXT,
  created_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS callback_deliveries_endpoint_idx ON callback_deliveries (endpoint_id, created_at);
-- Only the rows that still hold a body: the sweep finds the oldest of them
-- without reading the others (a body is ~46 KB of overflow pages).
CREATE INDEX IF NOT EXISTS callback_deliveries_body_kept_idx ON callback_deliveries (created_at) WHERE body != '';
`;

/** Every column, in the table's order (a row written again names them all). */
const COLUMNS =
  "id, account_id, endpoint_id, url, body, event_count, status, attempts, last_status_code, last_error, next_attempt_at, created_at, delivered_at";

/** An attempt's fields and their columns: the only columns an update may name. */
const ATTEMPT_COLUMNS: Record<keyof DeliveryAttempt, string> = {
  status: "status",
  attempts: "attempts",
  lastStatusCode: "last_status_code",
  lastError: "last_error",
  nextAttemptAt: "next_attempt_at",
  deliveredAt: "delivered_at",
};

type Row = {
  id: string;
  account_id: string;
  endpoint_id: string | null;
  url: string;
  body: string;
  event_count: number;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
};

function fromRow(r: Row): CallbackDelivery {
  return {
    id: r.id,
    accountId: r.account_id,
    endpointId: r.endpoint_id,
    url: r.url,
    body: r.body,
    eventCount: Number(r.event_count),
    status: r.status,
    attempts: Number(r.attempts),
    lastStatusCode: r.last_status_code === null ? null : Number(r.last_status_code),
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  };
}

export class DeliveryStore {
  constructor(private readonly sql: SqlStorage) {
    this.sql.exec(SCHEMA);
  }

  /** Inserts every row; the caller wraps it in one transaction, so it is all or nothing. */
  insert(rows: ShardDelivery[]): number {
    for (const r of rows) {
      this.sql.exec(
        `INSERT INTO callback_deliveries (id, account_id, endpoint_id, url, body, event_count, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        r.id,
        r.accountId,
        r.endpointId,
        r.url,
        r.body,
        r.eventCount,
        r.createdAt,
      );
    }
    return rows.length;
  }

  get(id: string): CallbackDelivery | null {
    const row = this.sql
      .exec<Row>("SELECT * FROM callback_deliveries WHERE id = ?", id)
      .toArray()[0];
    return row ? fromRow(row) : null;
  }

  /** Writes an attempt's outcome; false when there is no such delivery. */
  recordAttempt(id: string, attempt: DeliveryAttempt): boolean {
    const set: string[] = [];
    const binds: (string | number | null)[] = [];
    for (const [field, column] of Object.entries(ATTEMPT_COLUMNS)) {
      const value = attempt[field as keyof DeliveryAttempt];
      if (value === undefined) continue;
      set.push(`${column} = ?`);
      binds.push(value);
    }
    if (set.length === 0) return this.get(id) !== null;
    this.sql.exec(`UPDATE callback_deliveries SET ${set.join(", ")} WHERE id = ?`, ...binds, id);
    return Number(this.sql.exec<{ n: number }>("SELECT changes() AS n").one().n) > 0;
  }

  /** How many deliveries this month made to the endpoint. */
  countFor(endpointId: string): number {
    return Number(
      this.sql
        .exec<{ n: number }>(
          "SELECT COUNT(*) AS n FROM callback_deliveries WHERE endpoint_id = ?",
          endpointId,
        )
        .one().n,
    );
  }

  /** One page of the endpoint's deliveries of this month, newest first (the last inserted first on a tie). */
  pageFor(endpointId: string, limit: number, offset: number): CallbackDelivery[] {
    return this.sql
      .exec<Row>(
        `SELECT * FROM callback_deliveries WHERE endpoint_id = ?
         ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
        endpointId,
        limit,
        offset,
      )
      .toArray()
      .map(fromRow);
  }

  /**
   * Empties the bodies of up to `limit` finished deliveries (delivered or
   * given up) made before `cutoff`, oldest first, in one statement; a pending
   * one keeps its body for its retries. Answers how many were emptied.
   *
   * Each row is written again rather than updated in place: an UPDATE would
   * leave every emptied row alone on the leaf page its body's first part
   * filled (SQLite does not merge them), ~4 KB a row, where a row written
   * anew packs with the others (~0.3 KB; bench/scaling.ts measures it). The
   * id is kept, the rowid is new: a tie on `created_at` in `pageFor` then
   * lists the emptied rows in the order they were emptied.
   */
  dropBodiesBefore(cutoff: string, limit: number): number {
    this.sql.exec(
      `INSERT OR REPLACE INTO callback_deliveries (${COLUMNS})
       SELECT ${COLUMNS.replace("body", "? AS body")}
       FROM callback_deliveries INDEXED BY callback_deliveries_body_kept_idx
       WHERE body != '' AND created_at < ? AND status != 'pending'
       ORDER BY created_at, rowid LIMIT ?`,
      AGED_OUT_BODY,
      cutoff,
      limit,
    );
    return Number(this.sql.exec<{ n: number }>("SELECT changes() AS n").one().n);
  }
}
