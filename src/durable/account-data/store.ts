/**
 * The AccountDataDO's SQL: its share of the recipient projection, the same
 * columns as D1's `recipient_states` (src/db/schema.ts), so a row moves
 * between them unchanged. Indexes need no account prefix: the whole object
 * is one account's.
 */
import {
  type RecipientStateRow,
  ROWS_PER_STATEMENT,
  recipientStateValues,
  UPSERT_RECIPIENT_STATES,
} from "../../db/recipient-states";
import { FINGERPRINT_SQL, type Fingerprint } from "../../domain/data-shard";

export type { Fingerprint };

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

export class AccountDataStore {
  constructor(private readonly sql: SqlStorage) {
    this.sql.exec(SCHEMA);
  }

  /** Upserts rows by (broadcast, seq): a repeat writes the same row again, harmlessly. */
  upsert(rows: RecipientStateRow[]): number {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      this.sql.exec(
        UPSERT_RECIPIENT_STATES,
        JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT).map(recipientStateValues)),
      );
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
