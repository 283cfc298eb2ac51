/**
 * Synchronous SQL over one BroadcastDO's storage: the broadcast row, the
 * recipients and the per-status counters. Every status change goes through
 * `moveRecipients`/`setRecipientStatus`, which adjust the counters in the same
 * statement group, so the counters always equal the rows.
 */
import { nowIso } from "../../db/client";
import {
  type BroadcastPlan,
  type BroadcastState,
  type BroadcastSummary,
  type Counters,
  type NewRecipient,
  RECIPIENT_STATUSES,
  type RecipientStatus,
  type RecipientView,
} from "../../domain/broadcast";
import { isBusinessUserId } from "../../domain/business-user-id";
import type { MessagePricing, PricedMessages } from "../../domain/cost";
import {
  BREAKER_WINDOW,
  type RecipientChange,
  type Settlement,
  type SettlingRow,
} from "../../domain/settlement";
import { ADDED_RECIPIENT_COLUMNS, BROADCAST_DO_SCHEMA, LATE_INDEXES } from "./schema";

/** A pending row is due when it is not held, or held until a time now past. */
export const DUE = "status = 'pending' AND (next_send_at IS NULL OR next_send_at <= ?)";

/** Seconds of send-rate counters a broadcast keeps. */
const SEND_RATE_KEPT_S = 24 * 60 * 60;

/** What an erased person's identifier becomes. */
export const ERASED = "[erased]";
/** A stored identifier reduced to its digits (rejected rows keep the spelling they were sent in). */
const DIGITS_OF_IDENTIFIER =
  "REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(identifier, '+', ''), ' ', ''), '-', ''), '(', ''), ')', ''), '.', '')";

export interface BroadcastRow {
  plan: BroadcastPlan;
  state: BroadcastState;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  pauseReason: string | null;
  loadingDeadline: number | null;
  nextBatchId: number;
  /** Bumped by every change; the summary in D1 is current when flushedVersion equals it. */
  version: number;
  flushedVersion: number;
}

type Row = Record<string, SqlStorageValue>;

const str = (v: SqlStorageValue | undefined): string | null =>
  v === null || v === undefined ? null : String(v);
const num = (v: SqlStorageValue | undefined): number | null =>
  v === null || v === undefined ? null : Number(v);

export { nowIso };

/** What a consumer needs to send one claimed row. */
export interface ClaimedRow {
  seq: number;
  identifier: string;
  components: string | null;
  attempts: number;
}

const CHANGE_COLUMNS: Record<keyof RecipientChange, string> = {
  wamid: "wamid",
  submittedAt: "submitted_at",
  claimedAt: "claimed_at",
  batchId: "batch_id",
  attempts: "attempts",
  errorCode: "error_code",
  errorTitle: "error_title",
  errorDetails: "error_details",
  failedAt: "failed_at",
  nextSendAt: "next_send_at",
  previousWamid: "previous_wamid",
  marketingRetries: "marketing_retries",
  heldAt: "held_at",
  endpoint: "endpoint",
};

function changeColumns(change: RecipientChange): Record<string, SqlStorageValue> {
  const assign: Record<string, SqlStorageValue> = {};
  for (const [key, value] of Object.entries(change)) {
    if (value !== undefined) assign[CHANGE_COLUMNS[key as keyof RecipientChange]] = value;
  }
  return assign;
}

export class BroadcastStore {
  constructor(private readonly sql: SqlStorage) {
    this.ensureSchema();
  }

  /** Creates the tables (again, after a wipe). */
  ensureSchema(): void {
    this.sql.exec(BROADCAST_DO_SCHEMA);
    const columns = new Set(
      this.sql
        .exec<{ name: string }>("PRAGMA table_info(recipients)")
        .toArray()
        .map((c) => c.name),
    );
    for (const [name, type] of ADDED_RECIPIENT_COLUMNS) {
      if (!columns.has(name)) this.sql.exec(`ALTER TABLE recipients ADD COLUMN ${name} ${type}`);
    }
    this.sql.exec(LATE_INDEXES);
  }

  /**
   * The last plan parsed, by its text: the send path reads the broadcast on
   * every settle and pump, and parsing the plan each time was a tenth of the
   * BroadcastDO's CPU in the dispatch bench's profile (README, "The send
   * engine"). Nothing mutates a plan in place; a new text parses anew.
   */
  private parsedPlan: { text: string; plan: BroadcastPlan } | null = null;

  private plan(text: string): BroadcastPlan {
    if (this.parsedPlan?.text !== text)
      this.parsedPlan = { text, plan: JSON.parse(text) as BroadcastPlan };
    return this.parsedPlan.plan;
  }

  broadcast(): BroadcastRow | null {
    const row = this.sql.exec<Row>("SELECT * FROM broadcast WHERE id = 1").toArray()[0];
    if (!row) return null;
    return {
      plan: this.plan(String(row.plan)),
      state: String(row.state) as BroadcastState,
      createdAt: String(row.created_at),
      updatedAt: String(row.updated_at),
      startedAt: str(row.started_at),
      completedAt: str(row.completed_at),
      pauseReason: str(row.pause_reason),
      loadingDeadline: num(row.loading_deadline),
      nextBatchId: Number(row.next_batch_id),
      version: Number(row.version),
      flushedVersion: Number(row.flushed_version),
    };
  }

  createBroadcast(plan: BroadcastPlan, loadingDeadline: number): void {
    const now = nowIso();
    this.sql.exec(
      `INSERT INTO broadcast (id, plan, state, created_at, updated_at, loading_deadline)
       VALUES (1, ?, 'loading', ?, ?, ?)`,
      JSON.stringify(plan),
      now,
      now,
      loadingDeadline,
    );
    for (const name of [...RECIPIENT_STATUSES, "replied"]) {
      this.sql.exec("INSERT OR IGNORE INTO counters (name, n) VALUES (?, 0)", name);
    }
  }

  updateBroadcast(
    fields: Partial<{
      state: BroadcastState;
      startedAt: string | null;
      completedAt: string | null;
      pauseReason: string | null;
      loadingDeadline: number | null;
      plan: BroadcastPlan;
    }>,
  ): void {
    const sets: string[] = ["updated_at = ?", "version = version + 1"];
    const binds: SqlStorageValue[] = [nowIso()];
    const columns: Record<string, string> = {
      state: "state",
      startedAt: "started_at",
      completedAt: "completed_at",
      pauseReason: "pause_reason",
      loadingDeadline: "loading_deadline",
    };
    for (const [key, column] of Object.entries(columns)) {
      if (key in fields) {
        sets.push(`${column} = ?`);
        binds.push((fields as Record<string, SqlStorageValue>)[key] ?? null);
      }
    }
    if (fields.plan) {
      sets.push("plan = ?");
      binds.push(JSON.stringify(fields.plan));
    }
    this.sql.exec(`UPDATE broadcast SET ${sets.join(", ")} WHERE id = 1`, ...binds);
  }

  /** Something about the recipients changed: the summary must be flushed again. */
  markChanged(): void {
    this.sql.exec(
      "UPDATE broadcast SET version = version + 1, updated_at = ? WHERE id = 1",
      nowIso(),
    );
  }

  markFlushed(version: number): void {
    this.sql.exec(
      "UPDATE broadcast SET flushed_version = MAX(flushed_version, ?) WHERE id = 1",
      version,
    );
  }

  takeBatchId(): number {
    const row = this.sql
      .exec<{ id: number }>(
        "UPDATE broadcast SET next_batch_id = next_batch_id + 1 WHERE id = 1 RETURNING next_batch_id - 1 AS id",
      )
      .one();
    return Number(row.id);
  }

  /** Multi-row inserts: SQLite binds at most 100 parameters per statement (10 per row here). */
  insertRecipients(rows: NewRecipient[]): void {
    const now = nowIso();
    // One statement per chunk: the rows travel as one JSON parameter (SQLite
    // binds at most 100 parameters per statement here, so ten rows at a time
    // cost 500 statements for a 5,000-row chunk; json_each costs one).
    const tuples = rows.map((r) => [
      r.seq,
      r.identifier,
      r.clientReference,
      r.name,
      r.components,
      r.rejected ? "rejected" : "pending",
      r.rejected ? JSON.stringify(r.rejected) : null,
      r.timezone ?? null,
    ]);
    this.sql.exec(
      `INSERT OR IGNORE INTO recipients
         (seq, identifier, client_reference, name, components, status, errors, timezone, created_at, updated_at)
       SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
              json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]'),
              json_extract(value, '$[6]'), json_extract(value, '$[7]'), ?2, ?2
       FROM json_each(?1)`,
      JSON.stringify(tuples),
      now,
    );
  }

  recipientCount(): number {
    return Number(this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM recipients").one().n);
  }

  /** Recomputes every counter from the rows (used once, when the load is committed). */
  recountFromRows(): void {
    this.sql.exec("UPDATE counters SET n = 0");
    for (const row of this.sql.exec<{ status: string; n: number }>(
      "SELECT status, COUNT(*) AS n FROM recipients GROUP BY status",
    )) {
      this.sql.exec("UPDATE counters SET n = ? WHERE name = ?", row.n, row.status);
    }
    const replied = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM recipients WHERE replied_at IS NOT NULL")
      .one().n;
    this.sql.exec("UPDATE counters SET n = ? WHERE name = 'replied'", replied);
  }

  counters(): Counters {
    const c: Record<string, number> = {};
    for (const row of this.sql.exec<{ name: string; n: number }>("SELECT name, n FROM counters")) {
      c[row.name] = Number(row.n);
    }
    const get = (k: string) => c[k] ?? 0;
    return {
      pending: get("pending"),
      queued: get("queued"),
      sending: get("sending"),
      submitted: get("submitted"),
      sent: get("sent"),
      delivered: get("delivered"),
      read: get("read"),
      failed: get("failed"),
      rejected: get("rejected"),
      undeliverable: get("undeliverable"),
      cancelled: get("cancelled"),
      replied: get("replied"),
    };
  }

  /**
   * Adds each delta to its counter in one statement, and marks the summary
   * changed once: a status change moved two counters with four statements
   * (two updates, two version bumps), on every settle and status webhook.
   */
  private moveCounters(deltas: Record<string, number>): void {
    const moved = Object.entries(deltas).filter(([, delta]) => delta !== 0);
    if (moved.length === 0) return;
    this.sql.exec(
      `UPDATE counters SET n = n + CASE name ${moved.map(() => "WHEN ? THEN ?").join(" ")} END
       WHERE name IN (${moved.map(() => "?").join(", ")})`,
      ...moved.flat(),
      ...moved.map(([name]) => name),
    );
    this.markChanged();
  }

  /**
   * Moves every recipient matching `where` (and currently in one of `from`) to
   * `to`, with extra column assignments; returns the moved seqs. Counters move
   * with the rows.
   */
  private moveRecipients(
    from: readonly RecipientStatus[],
    to: RecipientStatus,
    where: { sql: string; binds: SqlStorageValue[] } | null,
    assign: Record<string, SqlStorageValue> = {},
  ): number[] {
    const fromList = from.map(() => "?").join(", ");
    const extraWhere = where ? ` AND (${where.sql})` : "";
    const sets = ["status = ?", "updated_at = ?", "rev = rev + 1"];
    const setBinds: SqlStorageValue[] = [to, nowIso()];
    for (const [column, value] of Object.entries(assign)) {
      sets.push(`${column} = ?`);
      setBinds.push(value);
    }
    const whereSql = `status IN (${fromList})${extraWhere}`;
    const whereBinds = [...from, ...(where?.binds ?? [])];
    // Count what is about to move (by old status), then move it: both run
    // synchronously, so nothing can change in between.
    const byOld = this.sql
      .exec<{ status: string; n: number }>(
        `SELECT status, COUNT(*) AS n FROM recipients WHERE ${whereSql} GROUP BY status`,
        ...whereBinds,
      )
      .toArray();
    if (byOld.length === 0) return [];
    const moved = this.sql
      .exec<{ seq: number }>(
        `UPDATE recipients SET ${sets.join(", ")} WHERE ${whereSql} RETURNING seq`,
        ...setBinds,
        ...whereBinds,
      )
      .toArray();
    const deltas: Record<string, number> = {};
    for (const { status, n } of byOld) {
      deltas[status] = (deltas[status] ?? 0) - Number(n);
      deltas[to] = (deltas[to] ?? 0) + Number(n);
    }
    this.moveCounters(deltas);
    return moved.map((m) => Number(m.seq));
  }

  /** Changes one recipient's status (and columns); the counters follow. */
  setRecipientStatus(
    seq: number,
    from: RecipientStatus,
    to: RecipientStatus,
    assign: Record<string, SqlStorageValue> = {},
  ) {
    const sets = ["status = ?", "updated_at = ?", "rev = rev + 1"];
    const binds: SqlStorageValue[] = [to, nowIso()];
    for (const [column, value] of Object.entries(assign)) {
      sets.push(`${column} = ?`);
      binds.push(value);
    }
    this.sql.exec(`UPDATE recipients SET ${sets.join(", ")} WHERE seq = ?`, ...binds, seq);
    if (from !== to) this.moveCounters({ [from]: -1, [to]: 1 });
  }

  /** Updates columns of one recipient without a status change. */
  touchRecipient(seq: number, assign: Record<string, SqlStorageValue>) {
    const sets = ["updated_at = ?", "rev = rev + 1"];
    const binds: SqlStorageValue[] = [nowIso()];
    for (const [column, value] of Object.entries(assign)) {
      sets.push(`${column} = ?`);
      binds.push(value);
    }
    this.sql.exec(`UPDATE recipients SET ${sets.join(", ")} WHERE seq = ?`, ...binds, seq);
  }

  /**
   * Erases one person from this broadcast: the number (in every spelling it
   * was given), the name, the rendered parameters and the reply text. Status,
   * times and the client's own reference stay, so counters still equal rows.
   * The revision moves, so the D1 projection is rewritten on the next flush.
   */
  erasePerson(digits: string): number {
    const cursor = this.sql.exec(
      `UPDATE recipients SET identifier = ?, name = NULL, components = NULL, reply_text = NULL,
         errors = CASE WHEN errors IS NULL THEN NULL ELSE REPLACE(errors, identifier, ?) END,
         error_details = NULL, updated_at = ?, rev = rev + 1
       WHERE ${DIGITS_OF_IDENTIFIER} = ? RETURNING seq`,
      ERASED,
      ERASED,
      nowIso(),
      digits,
    );
    return cursor.toArray().length;
  }

  /**
   * Keeps Meta's pricing of one recipient's message; the first status that
   * carried it wins. Answers whether it was new (the usage then needs a flush).
   */
  notePricing(seq: number, pricing: MessagePricing, callingCode: string, at: string): boolean {
    const kept =
      this.sql
        .exec(
          `UPDATE recipients SET pricing_category = ?, pricing_type = ?, pricing_billable = ?,
             priced_at = ?, pricing_calling_code = ?
           WHERE seq = ? AND pricing_category IS NULL RETURNING seq`,
          pricing.category,
          pricing.type,
          pricing.billable === null ? -1 : pricing.billable ? 1 : 0,
          at,
          callingCode,
          seq,
        )
        .toArray().length > 0;
    if (kept) {
      this.sql.exec(
        "INSERT INTO send_metrics (name, n) VALUES ('priced', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1",
      );
      this.markChanged();
    }
    return kept;
  }

  /** Priced messages by day, calling code, category and pricing type. */
  pricedMessages(): PricedMessages[] {
    return this.sql
      .exec<{
        day: string;
        calling_code: string | null;
        category: string;
        type: string | null;
        billable: number | null;
        n: number;
      }>(
        `SELECT substr(priced_at, 1, 10) AS day, pricing_calling_code AS calling_code,
           pricing_category AS category, pricing_type AS type, pricing_billable AS billable, COUNT(*) AS n
         FROM recipients WHERE pricing_category IS NOT NULL
         GROUP BY day, calling_code, category, type, billable ORDER BY day`,
      )
      .toArray()
      .map((r) => ({
        day: r.day,
        callingCode: r.calling_code ?? "",
        category: r.category,
        type: r.type ?? "",
        billable:
          r.billable === null || Number(r.billable) === -1 ? null : Number(r.billable) === 1,
        messages: Number(r.n),
      }));
  }

  /** How many recipients were priced, and how many of those D1's usage rows hold. */
  pricingProgress(): { priced: number; flushed: number } {
    const m = this.metrics();
    return { priced: m.priced ?? 0, flushed: m.usage_flushed ?? 0 };
  }

  usageUnflushed(): boolean {
    const { priced, flushed } = this.pricingProgress();
    return priced > flushed;
  }

  markUsageFlushed(priced: number): void {
    this.sql.exec(
      "INSERT INTO send_metrics (name, n) VALUES ('usage_flushed', ?) ON CONFLICT (name) DO UPDATE SET n = MAX(n, excluded.n)",
      priced,
    );
  }

  /** The sendable recipients' numbers (the estimate's audience): rejected ones are not sent. */
  acceptedIdentifiers(): string[] {
    return this.sql
      .exec<{ identifier: string }>(
        "SELECT identifier FROM recipients WHERE status NOT IN ('rejected', 'cancelled', 'undeliverable') ORDER BY seq",
      )
      .toArray()
      .map((r) => r.identifier);
  }

  bumpReplied(): void {
    this.moveCounters({ replied: 1 });
  }

  /**
   * How many pending rows are due now, counting at most `limit`: what the
   * dispatcher and the alarm ask on every settle, so without `duePending`'s
   * ORDER BY and row reads (the query stops at `limit`).
   */
  countDue(now: number, limit: number): number {
    const row = this.sql
      .exec<{ n: number }>(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM recipients WHERE ${DUE} LIMIT ?)`,
        now,
        limit,
      )
      .one();
    return Number(row.n);
  }

  /** Pending rows whose time has come (no `next_send_at`, or one now past), in order. */
  duePending(
    now: number,
    limit: number,
  ): { seq: number; identifier: string; timezone: string | null }[] {
    return this.sql
      .exec<{ seq: number; identifier: string; timezone: string | null }>(
        `SELECT seq, identifier, timezone FROM recipients WHERE ${DUE} ORDER BY seq LIMIT ?`,
        now,
        limit,
      )
      .toArray()
      .map((r) => ({ seq: Number(r.seq), identifier: r.identifier, timezone: r.timezone }));
  }

  /** Holds pending rows back until `at` (epoch ms): a closed window, a pair limit, a budget. */
  holdUntil(seqs: number[], at: number): void {
    for (let i = 0; i < seqs.length; i += 90) {
      const chunk = seqs.slice(i, i + 90);
      this.sql.exec(
        `UPDATE recipients SET next_send_at = ?, updated_at = ?, rev = rev + 1 WHERE status = 'pending' AND seq IN (${chunk.map(() => "?").join(", ")})`,
        at,
        nowIso(),
        ...chunk,
      );
    }
  }

  /**
   * Pending rows that may not be sent after all (a v1 audience's people at
   * the frequency cap when it loads) become rejected with the reason; the
   * caller recounts.
   */
  rejectPending(seqs: number[], reason: string): void {
    const errors = JSON.stringify([reason]);
    for (let i = 0; i < seqs.length; i += 90) {
      const chunk = seqs.slice(i, i + 90);
      this.sql.exec(
        `UPDATE recipients SET status = 'rejected', errors = ?, components = NULL, updated_at = ?, rev = rev + 1
         WHERE status = 'pending' AND seq IN (${chunk.map(() => "?").join(", ")})`,
        errors,
        nowIso(),
        ...chunk,
      );
    }
  }

  /** Every pending row's identifier with its seq, in order (for the messaging-limit check). */
  pendingPeople(): { seq: number; identifier: string }[] {
    return this.sql
      .exec<{ seq: number; identifier: string }>(
        "SELECT seq, identifier FROM recipients WHERE status = 'pending' ORDER BY seq",
      )
      .toArray()
      .map((r) => ({ seq: Number(r.seq), identifier: r.identifier }));
  }

  /** `n` more accepted sends in this second (the dashboard's send-rate chart). */
  countSends(at: number, n: number): void {
    if (n === 0) return;
    const second = Math.floor(at / 1000);
    this.sql.exec(
      "INSERT INTO send_rate (second, n) VALUES (?, ?) ON CONFLICT (second) DO UPDATE SET n = n + excluded.n",
      second,
      n,
    );
    // Bounded: a day of seconds at most, trimmed as the broadcast goes.
    if (second % 600 === 0)
      this.sql.exec("DELETE FROM send_rate WHERE second < ?", second - SEND_RATE_KEPT_S);
  }

  sendRate(): { at: number; count: number }[] {
    return this.sql
      .exec<{ second: number; n: number }>("SELECT second, n FROM send_rate ORDER BY second")
      .toArray()
      .map((r) => ({ at: Number(r.second) * 1000, count: Number(r.n) }));
  }

  failureGroups(): { code: number | null; title: string; count: number }[] {
    return this.sql
      .exec<{ code: number | null; title: string | null; n: number }>(
        `SELECT error_code AS code, MAX(error_title) AS title, COUNT(*) AS n FROM recipients
         WHERE status IN ('failed', 'undeliverable') GROUP BY error_code ORDER BY n DESC`,
      )
      .toArray()
      .map((r) => ({
        code: r.code === null ? null : Number(r.code),
        title: r.title ?? "Failed",
        count: Number(r.n),
      }));
  }

  /** The earliest `next_send_at` of a held row, or null when none waits. */
  nextHeldAt(): number | null {
    const row = this.sql
      .exec<{ at: number | null }>(
        "SELECT MIN(next_send_at) AS at FROM recipients WHERE status = 'pending' AND next_send_at IS NOT NULL",
      )
      .one();
    return row.at === null ? null : Number(row.at);
  }

  private sendableRows(seqs: number[]): ClaimedRow[] {
    const rows: ClaimedRow[] = [];
    // Chunks of 90: a statement binds at most 100 values (a message may be up to 250 rows).
    const sorted = [...seqs].sort((a, b) => a - b);
    for (let i = 0; i < sorted.length; i += 90) {
      const chunk = sorted.slice(i, i + 90);
      for (const r of this.sql
        .exec<{ seq: number; identifier: string; components: string | null; attempts: number }>(
          `SELECT seq, identifier, components, attempts FROM recipients WHERE seq IN (${chunk.map(() => "?").join(", ")}) ORDER BY seq`,
          ...chunk,
        )
        .toArray())
        rows.push({
          seq: Number(r.seq),
          identifier: r.identifier,
          components: r.components,
          attempts: Number(r.attempts),
        });
    }
    return rows;
  }

  /** Rows changed since they were last projected to D1, with the revision being projected. */
  unprojected(limit: number): (RecipientView & { rev: number })[] {
    return this.sql
      .exec<Row>("SELECT * FROM recipients WHERE rev > projected ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((row) => ({ ...toView(row), rev: Number(row.rev) }));
  }

  /** Marks rows projected up to the revision flushed (a later change stays pending). */
  markProjected(rows: { seq: number; rev: number }[]): void {
    if (rows.length === 0) return;
    // One statement for the whole chunk (as insertRecipients), not one per row.
    this.sql.exec(
      `UPDATE recipients SET projected = MAX(projected, f.rev)
       FROM (SELECT json_extract(value, '$[0]') AS seq, json_extract(value, '$[1]') AS rev
             FROM json_each(?)) AS f
       WHERE recipients.seq = f.seq`,
      JSON.stringify(rows.map((r) => [r.seq, r.rev])),
    );
  }

  hasUnprojected(): boolean {
    return (
      this.sql.exec("SELECT 1 FROM recipients WHERE rev > projected LIMIT 1").toArray().length > 0
    );
  }

  recipient(seq: number): RecipientView | null {
    const row = this.sql.exec<Row>("SELECT * FROM recipients WHERE seq = ?", seq).toArray()[0];
    return row ? toView(row) : null;
  }

  recipientByWamid(wamid: string): RecipientView | null {
    const row = this.sql.exec<Row>("SELECT * FROM recipients WHERE wamid = ?", wamid).toArray()[0];
    return row ? toView(row) : null;
  }

  listRecipients(
    limit: number,
    offset: number,
    updatedSince: string | null,
    status: RecipientStatus[] | null,
    held: boolean | null = null,
  ) {
    const where: string[] = [];
    const binds: SqlStorageValue[] = [];
    if (held !== null) where.push(held ? "held_at IS NOT NULL" : "held_at IS NULL");
    if (updatedSince) {
      where.push("updated_at >= ?");
      binds.push(updatedSince);
    }
    if (status?.length) {
      where.push(`status IN (${status.map(() => "?").join(", ")})`);
      binds.push(...status);
    }
    const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const order = updatedSince ? "ORDER BY updated_at, seq" : "ORDER BY seq";
    const rows = this.sql
      .exec<Row>(
        `SELECT * FROM recipients ${clause} ${order} LIMIT ? OFFSET ?`,
        ...binds,
        limit,
        offset,
      )
      .toArray()
      .map(toView);
    const total = Number(
      this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM recipients ${clause}`, ...binds).one()
        .n,
    );
    return { rows, total };
  }

  /** The next `limit` recipients after `afterSeq`, in seq order: an export's page (keyset, so each page is an index range). */
  recipientsAfter(afterSeq: number, limit: number): RecipientView[] {
    return this.sql
      .exec<Row>("SELECT * FROM recipients WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
      .toArray()
      .map(toView);
  }

  rejectedWarnings(): { identifier: string; errors: string[] }[] {
    return this.sql
      .exec<{ identifier: string; errors: string }>(
        "SELECT identifier, errors FROM recipients WHERE status = 'rejected' ORDER BY seq",
      )
      .toArray()
      .map((r) => ({ identifier: r.identifier, errors: JSON.parse(r.errors) as string[] }));
  }

  // ---- named moves: every status change the broadcast makes, by what it means ----

  /**
   * Claims a batch for a consumer: its queued rows, and its rows claimed
   * before `staleBefore` (a consumer presumed dead). Answers what to send.
   */
  claimBatch(batchId: number, now: number, staleBefore: number): ClaimedRow[] {
    const seqs = this.moveRecipients(
      ["queued", "sending"],
      "sending",
      {
        sql: "batch_id = ? AND (status = 'queued' OR claimed_at < ?)",
        binds: [batchId, staleBefore],
      },
      { claimed_at: now },
    );
    return this.sendableRows(seqs);
  }

  /** Puts up to `size` due pending rows in a new batch on its way to the queue; answers the batch. */
  queueDue(now: number, size: number): { batchId: number; seqs: number[] } | null {
    const batchId = this.takeBatchId();
    const seqs = this.moveRecipients(
      ["pending"],
      "queued",
      {
        sql: `seq IN (SELECT seq FROM recipients WHERE ${DUE} ORDER BY seq LIMIT ?)`,
        binds: [now, size],
      },
      { batch_id: batchId, next_send_at: null },
    );
    return seqs.length > 0 ? { batchId, seqs } : null;
  }

  /** A batch that never reached the queue: its rows go back to pending. */
  unqueueBatch(batchId: number): void {
    this.moveRecipients(
      ["queued"],
      "pending",
      { sql: "batch_id = ?", binds: [batchId] },
      {
        batch_id: null,
      },
    );
  }

  /** Claims older than `before` (their consumer is presumed dead) go to `to`. */
  releaseClaimsBefore(before: number, to: RecipientStatus): void {
    this.moveRecipients(
      ["sending"],
      to,
      { sql: "claimed_at < ?", binds: [before] },
      {
        batch_id: null,
        claimed_at: null,
      },
    );
  }

  /** Queued rows whose batch was never claimed since `before` (ISO): presumed lost, back to pending. */
  requeueStaleBatches(before: string): void {
    this.moveRecipients(
      ["queued"],
      "pending",
      { sql: "updated_at < ?", binds: [before] },
      {
        batch_id: null,
      },
    );
  }

  /** Every row on the queue goes back to pending (a resume: paused batches were acknowledged empty). */
  requeueQueued(): void {
    this.moveRecipients(["queued"], "pending", null, { batch_id: null });
  }

  /** A cancel: whatever is not yet handed to a consumer ends cancelled. */
  cancelUnsent(): void {
    this.moveRecipients(["pending", "queued"], "cancelled", null, { batch_id: null });
  }

  /** The broadcast's validity ended: what is not yet handed to a consumer is undeliverable. */
  expireUnsent(title: string): void {
    this.moveRecipients(["pending", "queued"], "undeliverable", null, {
      batch_id: null,
      error_title: title,
      failed_at: nowIso(),
    });
  }

  /**
   * Meta's TTL ran out: a message submitted before `submittedBefore` (ISO)
   * and neither delivered nor failed was dropped by Meta without a word
   * (domain/meta-ttl.ts). A hold ends with it.
   */
  expireAtMeta(submittedBefore: string, title: string): number[] {
    return this.moveRecipients(
      ["submitted", "sent"],
      "undeliverable",
      { sql: "submitted_at IS NOT NULL AND submitted_at < ?", binds: [submittedBefore] },
      { error_title: title, failed_at: nowIso(), held_at: null },
    );
  }

  /**
   * The earliest submit of a message Meta has not yet delivered or failed
   * (ISO), or null. One MIN per status: each is a single seek in
   * recipients_submitted_at_idx (a MIN over `status IN (…)` would scan).
   */
  oldestAwaitingDelivery(): string | null {
    const row = this.sql
      .exec<{ at: string | null }>(
        `SELECT MIN(at) AS at FROM (
           SELECT MIN(submitted_at) AS at FROM recipients WHERE status = 'submitted'
           UNION ALL SELECT MIN(submitted_at) FROM recipients WHERE status = 'sent')`,
      )
      .one();
    return row.at === null ? null : String(row.at);
  }

  /** The queue gave up on a batch: its unsent rows fail with `reason`. */
  failBatch(batchId: number, reason: string): void {
    this.moveRecipients(
      ["queued", "sending"],
      "failed",
      { sql: "batch_id = ?", binds: [batchId] },
      {
        claimed_at: null,
        error_title: reason,
        failed_at: nowIso(),
      },
    );
  }

  /** What a settlement needs to know of a row. */
  settlingRow(seq: number): SettlingRow | null {
    const row = this.sql
      .exec<Row>(
        "SELECT status, attempts, wamid, claimed_at, marketing_retries FROM recipients WHERE seq = ?",
        seq,
      )
      .toArray()[0];
    if (!row) return null;
    return {
      status: String(row.status) as RecipientStatus,
      attempts: Number(row.attempts),
      wamid: str(row.wamid),
      claimedAt: num(row.claimed_at),
      marketingRetries: Number(row.marketing_retries ?? 0),
    };
  }

  /** Whether `wamid` is the message of an earlier try of this recipient, given up on (131049). */
  isPreviousWamid(seq: number, wamid: string): boolean {
    return (
      this.sql
        .exec("SELECT 1 FROM recipients WHERE seq = ? AND previous_wamid = ?", seq, wamid)
        .toArray().length > 0
    );
  }

  /** Writes what a settlement decided for one row (status and counters together). */
  applySettlement(seq: number, from: RecipientStatus, s: Settlement): void {
    const assign = changeColumns(s.change);
    if (s.to === from && Object.keys(assign).length === 0) return;
    if (s.to === from) this.touchRecipient(seq, assign);
    else this.setRecipientStatus(seq, from, s.to, assign);
  }

  // ---- the circuit breaker's window and the latency histogram ----

  /** Records Meta's verdicts (true: accepted), keeping the last BREAKER_WINDOW. */
  noteVerdicts(oks: boolean[]): void {
    if (oks.length === 0) return;
    for (const ok of oks) this.sql.exec("INSERT INTO verdicts (ok) VALUES (?)", ok ? 1 : 0);
    this.sql.exec(
      "DELETE FROM verdicts WHERE i <= (SELECT MAX(i) FROM verdicts) - ?",
      BREAKER_WINDOW,
    );
  }

  /** The last BREAKER_WINDOW verdicts, oldest first. */
  recentVerdicts(): boolean[] {
    return this.sql
      .exec<{ ok: number }>("SELECT ok FROM verdicts ORDER BY i")
      .toArray()
      .map((r) => Number(r.ok) === 1);
  }

  clearVerdicts(): void {
    this.sql.exec("DELETE FROM verdicts");
  }

  /** Adds answer times to the histogram: one upsert per 10 ms bucket touched. */
  noteLatencies(latencies: number[]): void {
    const buckets = new Map<number, number>();
    for (const ms of latencies) {
      const bucket = Math.floor(Math.max(0, ms) / 10) * 10;
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    }
    for (const [bucket, n] of buckets) {
      this.sql.exec(
        "INSERT INTO send_latency (bucket_ms, n) VALUES (?, ?) ON CONFLICT (bucket_ms) DO UPDATE SET n = n + excluded.n",
        bucket,
        n,
      );
    }
  }

  /** Adds to a send-path figure (`slots_missed`), or raises it to `value` (`peak_claimed`). */
  noteMetric(name: "slots_missed" | "peak_claimed", value: number, how: "add" | "max"): void {
    if (how === "add" && value === 0) return;
    this.sql.exec(
      `INSERT INTO send_metrics (name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = ${how === "add" ? "n + excluded.n" : "MAX(n, excluded.n)"}`,
      name,
      value,
    );
  }

  metrics(): Record<string, number> {
    return Object.fromEntries(
      this.sql
        .exec<{ name: string; n: number }>("SELECT name, n FROM send_metrics")
        .toArray()
        .map((r) => [r.name, Number(r.n)]),
    );
  }

  /** Meta's answer times: p50 and p99 (to the 10 ms bucket), over every send so far. */
  latencyPercentiles(): { p50: number; p99: number; count: number } | null {
    const buckets = this.sql
      .exec<{ bucket_ms: number; n: number }>(
        "SELECT bucket_ms, n FROM send_latency ORDER BY bucket_ms",
      )
      .toArray();
    const count = buckets.reduce((sum, b) => sum + Number(b.n), 0);
    if (count === 0) return null;
    const at = (p: number) => {
      let seen = 0;
      for (const b of buckets) {
        seen += Number(b.n);
        if (seen >= p * count) return Number(b.bucket_ms);
      }
      return Number(buckets[buckets.length - 1]?.bucket_ms ?? 0);
    };
    return { p50: at(0.5), p99: at(0.99), count };
  }

  summary(b: BroadcastRow): BroadcastSummary {
    return {
      broadcastId: b.plan.broadcastId,
      accountId: b.plan.accountId,
      surface: b.plan.surface,
      name: b.plan.name,
      state: b.state,
      sender: b.plan.sender,
      template: { name: b.plan.template.name, language: b.plan.template.language },
      scheduledAt: b.plan.scheduledAt,
      validUntil: b.plan.validUntil,
      locationId: b.plan.locationId,
      createdAt: b.createdAt,
      updatedAt: b.updatedAt,
      startedAt: b.startedAt,
      completedAt: b.completedAt,
      pauseReason: b.pauseReason,
      definition: b.plan.definition,
      requestHash: b.plan.requestHash,
      sendWindow: b.plan.sendWindow ?? null,
      windowZone: b.plan.windowZone ?? "recipient",
      tierPolicy: b.plan.tierPolicy ?? "defer",
      tierNotice: b.plan.tierNotice ?? null,
      statusCallbackUrl: b.plan.statusCallbackUrl ?? null,
      counters: this.counters(),
      held: this.heldCount(),
    };
  }

  /** Messages Meta holds for quality assessment and has not released yet. */
  heldCount(): number {
    return Number(
      this.sql
        .exec<{ n: number }>("SELECT COUNT(*) AS n FROM recipients WHERE held_at IS NOT NULL")
        .one().n,
    );
  }

  /**
   * The first create answer (one row, written once). Its table is made here,
   * not in the schema, so this stays self-contained; a wipe drops it with the rest.
   */
  keepFirstAnswer(answer: string | null): string | null {
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS first_answer (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)",
    );
    if (answer !== null)
      this.sql.exec("INSERT OR IGNORE INTO first_answer (id, body) VALUES (1, ?)", answer);
    const row = this.sql.exec<{ body: string }>("SELECT body FROM first_answer").toArray()[0];
    return row?.body ?? null;
  }

  /**
   * A recipient's latest reaction (null: removed). Meta's order is not
   * guaranteed, so an older reaction never replaces a newer one. Not a state
   * change: neither the revision nor the update time moves.
   */
  setReaction(seq: number, emoji: string | null, at: string): void {
    this.sql.exec(
      "UPDATE recipients SET reaction = ?, reacted_at = ? WHERE seq = ? AND (reacted_at IS NULL OR reacted_at <= ?)",
      emoji,
      at,
      seq,
      at,
    );
  }
}

function toView(row: Row): RecipientView {
  return {
    seq: Number(row.seq),
    identifier: String(row.identifier),
    clientReference: str(row.client_reference),
    name: str(row.name),
    status: String(row.status) as RecipientStatus,
    wamid: str(row.wamid),
    errorCode: num(row.error_code),
    errorTitle: str(row.error_title),
    errorDetails: str(row.error_details),
    errors: row.errors ? (JSON.parse(String(row.errors)) as string[]) : null,
    submittedAt: str(row.submitted_at),
    sentAt: str(row.sent_at),
    deliveredAt: str(row.delivered_at),
    readAt: str(row.read_at),
    failedAt: str(row.failed_at),
    repliedAt: str(row.replied_at),
    replyText: str(row.reply_text),
    ...(row.held_at ? { held: true } : {}),
    ...(row.endpoint === "messages" || row.endpoint === "marketing_messages"
      ? { endpoint: row.endpoint }
      : {}),
    // Addressed by a user id, the identifier is one; else Meta's statuses may have named it.
    userId:
      str(row.user_id) ??
      (isBusinessUserId(String(row.identifier)) ? String(row.identifier) : null),
    nextSendAt:
      row.status === "pending" && num(row.next_send_at) !== null
        ? new Date(Number(row.next_send_at)).toISOString()
        : null,
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
  };
}
