/**
 * The AccountDataDO's SQL: its share of the recipient projection, the same
 * columns as D1's `recipient_states` (src/db/schema.ts), so a row moves
 * between them unchanged. Indexes need no account prefix: the whole object
 * is one account's.
 */
import type { RecipientStateRow } from "../../db/recipient-states";
import { FINGERPRINT_SQL, type Fingerprint } from "../../domain/data-shard";

export type { Fingerprint };

const COLUMNS = [
  "broadcast_id",
  "seq",
  "account_id",
  "phone_number_id",
  "identifier",
  "client_reference",
  "name",
  "wamid",
  "status",
  "error",
  "error_code",
  "submitted_at",
  "delivered_at",
  "read_at",
  "replied_at",
  "reply_text",
  "created_at",
  "updated_at",
] as const;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS recipient_states (
  broadcast_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  phone_number_id TEXT NOT NULL,
  identifier TEXT NOT NULL,
  client_reference TEXT,
  name TEXT,
  wamid TEXT,
  status TEXT NOT NULL,
  error TEXT,
  error_code INTEGER,
  submitted_at TEXT,
  delivered_at TEXT,
  read_at TEXT,
  replied_at TEXT,
  reply_text TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (broadcast_id, seq)
);
CREATE INDEX IF NOT EXISTS recipient_states_ref_idx ON recipient_states (client_reference);
CREATE INDEX IF NOT EXISTS recipient_states_updated_idx ON recipient_states (updated_at);
CREATE INDEX IF NOT EXISTS recipient_states_wamid_idx ON recipient_states (wamid);
CREATE INDEX IF NOT EXISTS recipient_states_reply_idx ON recipient_states (phone_number_id, identifier, submitted_at);
`;

/** Rows per statement: one JSON parameter each (100 bound parameters at most per statement). */
const ROWS_PER_STATEMENT = 500;
const UPSERT = `INSERT INTO recipient_states (${COLUMNS.join(", ")})
  SELECT ${COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ")} FROM json_each(?) WHERE true
  ON CONFLICT (broadcast_id, seq) DO UPDATE SET ${COLUMNS.filter(
    (c) => c !== "broadcast_id" && c !== "seq" && c !== "created_at",
  )
    .map((c) => `${c} = excluded.${c}`)
    .join(", ")}`;

function values(r: RecipientStateRow): (string | number | null)[] {
  return [
    r.broadcastId,
    r.seq,
    r.accountId,
    r.phoneNumberId,
    r.identifier,
    r.clientReference,
    r.name,
    r.wamid,
    r.status,
    r.error,
    r.errorCode,
    r.submittedAt,
    r.deliveredAt,
    r.readAt,
    r.repliedAt,
    r.replyText,
    r.createdAt,
    r.updatedAt,
  ];
}

export class AccountDataStore {
  constructor(private readonly sql: SqlStorage) {
    this.sql.exec(SCHEMA);
  }

  /** Upserts rows by (broadcast, seq): a repeat writes the same row again, harmlessly. */
  upsert(rows: RecipientStateRow[]): number {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      this.sql.exec(UPSERT, JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT).map(values)));
    }
    return rows.length;
  }

  fingerprints(): Fingerprint[] {
    return this.sql
      .exec<{ broadcast_id: string; rows: number; latest: string | null; sum: number }>(
        `SELECT broadcast_id, ${FINGERPRINT_SQL} FROM recipient_states GROUP BY broadcast_id ORDER BY broadcast_id`,
      )
      .toArray()
      .map((r) => ({
        broadcastId: r.broadcast_id,
        rows: Number(r.rows),
        latest: r.latest,
        sum: Number(r.sum),
      }));
  }

  findByWamid(wamid: string): { broadcastId: string; seq: number } | null {
    const row = this.sql
      .exec<{ broadcast_id: string; seq: number }>(
        "SELECT broadcast_id, seq FROM recipient_states WHERE wamid = ? LIMIT 1",
        wamid,
      )
      .toArray()[0];
    return row ? { broadcastId: row.broadcast_id, seq: Number(row.seq) } : null;
  }
}
