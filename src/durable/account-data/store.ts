/**
 * The AccountDataDO's SQL: its share of the recipient projection, the same
 * columns as D1's `recipient_states` (src/db/schema.ts), so a row moves
 * between them unchanged. Indexes need no account prefix: the whole object
 * is one account's.
 */
import { DIGITS } from "../../db/erasure";
import {
  type RecipientStateRow,
  ROWS_PER_STATEMENT,
  recipientStateValues,
  UPSERT_RECIPIENT_STATES,
} from "../../db/recipient-states";
import {
  FINGERPRINT_SQL,
  type Fingerprint,
  type RetargetQuery,
  type SentRow,
  type SentSinceQuery,
  type ShardStatusFilter,
  type ShardStatusRow,
} from "../../domain/data-shard";

export type {
  RetargetQuery,
  SentRow,
  SentSinceQuery,
  ShardStatusFilter,
  ShardStatusRow,
} from "../../domain/data-shard";
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

  /** Deletes one broadcast's rows (retention's archive, a broadcast's removal). */
  deleteBroadcast(broadcastId: string): number {
    this.sql.exec("DELETE FROM recipient_states WHERE broadcast_id = ?", broadcastId);
    return this.changes();
  }

  /** Rows the last statement changed (a cursor's rowsWritten counts index entries too). */
  private changes(): number {
    return Number(this.sql.exec<{ n: number }>("SELECT changes() AS n").one().n);
  }

  /**
   * message_statuses' rows of this month: the first `limit` in the filter's
   * order (the caller merges months in that order and pages), and how many
   * match in all.
   */
  statusPage(filter: ShardStatusFilter, limit: number): { rows: ShardStatusRow[]; total: number } {
    const where: string[] = ["true"];
    const binds: (string | number)[] = [];
    if (filter.broadcastId) {
      where.push("broadcast_id = ?");
      binds.push(filter.broadcastId);
    }
    if (filter.clientReferences) {
      where.push("client_reference IN (SELECT value FROM json_each(?))");
      binds.push(JSON.stringify(filter.clientReferences));
    }
    if (filter.updatedSince) {
      where.push("updated_at >= ?");
      binds.push(filter.updatedSince);
    }
    const clause = where.join(" AND ");
    const total = Number(
      this.sql
        .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM recipient_states WHERE ${clause}`, ...binds)
        .one().n,
    );
    if (limit <= 0 || total === 0) return { rows: [], total };
    const orderBy = filter.updatedSince ? "updated_at, broadcast_id, seq" : "broadcast_id, seq";
    const rows = this.sql
      .exec<ShardStatusRow>(
        `SELECT broadcast_id, seq, identifier, status, delivered_at, read_at, error, client_reference, updated_at
         FROM recipient_states WHERE ${clause} ORDER BY ${orderBy} LIMIT ?`,
        ...binds,
        limit,
      )
      .toArray()
      .map((r) => ({ ...r, seq: Number(r.seq) }));
    return { rows, total };
  }

  /** The latest message sent from one of these numbers to `identifier` at or after `since`. */
  findLatestSent(
    phoneNumberIds: string[],
    identifier: string,
    since: string,
  ): { broadcastId: string; seq: number; submittedAt: string } | null {
    const row = this.sql
      .exec<{ broadcast_id: string; seq: number; submitted_at: string }>(
        `SELECT broadcast_id, seq, submitted_at FROM recipient_states
         WHERE phone_number_id IN (SELECT value FROM json_each(?)) AND identifier = ? AND submitted_at >= ?
         ORDER BY submitted_at DESC LIMIT 1`,
        JSON.stringify(phoneNumberIds),
        identifier,
        since,
      )
      .toArray()[0];
    return row
      ? { broadcastId: row.broadcast_id, seq: Number(row.seq), submittedAt: row.submitted_at }
      : null;
  }

  identifierOf(broadcastId: string, seq: number): string | null {
    const row = this.sql
      .exec<{ identifier: string }>(
        "SELECT identifier FROM recipient_states WHERE broadcast_id = ? AND seq = ?",
        broadcastId,
        seq,
      )
      .toArray()[0];
    return row?.identifier ?? null;
  }

  /**
   * This month's projection rows sent at or after `since`, from these numbers
   * (all when omitted), to these identifiers (all when omitted): the general
   * read behind reach and a frequency cap ("who got what in the last D days").
   * At most `limit` rows, newest first.
   */
  sentSince(q: SentSinceQuery): SentRow[] {
    const where = ["submitted_at >= ?"];
    const binds: (string | number)[] = [q.since];
    if (q.phoneNumberIds) {
      where.push("phone_number_id IN (SELECT value FROM json_each(?))");
      binds.push(JSON.stringify(q.phoneNumberIds));
    }
    if (q.identifiers) {
      where.push("identifier IN (SELECT value FROM json_each(?))");
      binds.push(JSON.stringify(q.identifiers));
    }
    return this.sql
      .exec<{
        broadcast_id: string;
        seq: number;
        identifier: string;
        phone_number_id: string;
        status: string;
        submitted_at: string;
      }>(
        `SELECT broadcast_id, seq, identifier, phone_number_id, status, submitted_at FROM recipient_states
         WHERE ${where.join(" AND ")} ORDER BY submitted_at DESC LIMIT ?`,
        ...binds,
        q.limit ?? 100_000,
      )
      .toArray()
      .map((r) => ({
        broadcastId: r.broadcast_id,
        seq: Number(r.seq),
        identifier: r.identifier,
        phoneNumberId: r.phone_number_id,
        status: r.status,
        submittedAt: r.submitted_at,
      }));
  }

  /**
   * How many distinct people these numbers reached at or after `since`, this
   * month's together with `alsoReached` (those another month's shard reached,
   * so a person in both counts once).
   */
  countReached(phoneNumberIds: string[], since: string, alsoReached: string[]): number {
    return Number(
      this.sql
        .exec<{ n: number }>(
          `SELECT COUNT(*) AS n FROM (
             SELECT identifier FROM recipient_states
             WHERE phone_number_id IN (SELECT value FROM json_each(?1)) AND submitted_at >= ?2
             UNION SELECT value FROM json_each(?3))`,
          JSON.stringify(phoneNumberIds),
          since,
          JSON.stringify(alsoReached),
        )
        .one().n,
    );
  }

  /** The distinct people these numbers reached at or after `since` (for countReached of another month). */
  reachedPeople(phoneNumberIds: string[], since: string, among: string[] | null): string[] {
    const amongClause = among ? "AND identifier IN (SELECT value FROM json_each(?3))" : "";
    const binds: string[] = [JSON.stringify(phoneNumberIds), since];
    if (among) binds.push(JSON.stringify(among));
    return this.sql
      .exec<{ identifier: string }>(
        `SELECT DISTINCT identifier FROM recipient_states
         WHERE phone_number_id IN (SELECT value FROM json_each(?1)) AND submitted_at >= ?2 ${amongClause}`,
        ...binds,
      )
      .toArray()
      .map((r) => r.identifier);
  }

  /** One broadcast's rows after `afterSeq` in sequence, matching statuses (retargeting's audience). */
  retargetPage(q: RetargetQuery): { seq: number; identifier: string }[] {
    const replied =
      q.replied === null ? "" : q.replied ? "AND replied_at IS NOT NULL" : "AND replied_at IS NULL";
    return this.sql
      .exec<{ seq: number; identifier: string }>(
        `SELECT seq, identifier FROM recipient_states
         WHERE broadcast_id = ? AND seq > ? AND status IN (SELECT value FROM json_each(?)) ${replied}
         ORDER BY seq LIMIT ?`,
        q.broadcastId,
        q.afterSeq,
        JSON.stringify(q.statuses),
        q.limit,
      )
      .toArray()
      .map((r) => ({ seq: Number(r.seq), identifier: r.identifier }));
  }

  /** Broadcasts with a row for this person (identifier reduced to digits, as erasure compares). */
  broadcastsHolding(digits: string): string[] {
    return this.sql
      .exec<{ id: string }>(
        `SELECT DISTINCT broadcast_id AS id FROM recipient_states WHERE ${DIGITS("identifier")} = ?`,
        digits,
      )
      .toArray()
      .map((r) => r.id);
  }

  /** Scrubs a person's rows (erasure): the number becomes `erased`, name and reply go. */
  erase(digits: string, erased: string): number {
    this.sql.exec(
      `UPDATE recipient_states SET identifier = ?2, name = NULL, reply_text = NULL,
         error = CASE WHEN error IS NULL THEN NULL ELSE REPLACE(error, identifier, ?2) END
       WHERE ${DIGITS("identifier")} = ?1`,
      digits,
      erased,
    );
    return this.changes();
  }
}
