/**
 * SenderDO: one per sending number (named by its phone number id). It paces
 * every broadcast of that number through one schedule of evenly spaced send
 * slots, so the number never exceeds its throughput in any one-second window,
 * however many broadcasts share it. Reservations are first come, first served
 * and small (one batch each), so one broadcast cannot starve another.
 *
 * It also keeps Meta's pair rate: one person gets at most one message from
 * this number every PAIR_SPACING_MS, whichever broadcasts they are in. A
 * recipient whose last slot is too recent gets no slot, only the time from
 * which one may be asked for again.
 */
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/** Pace a little under the cap: network jitter must not push a window over it. */
const SAFETY = 0.97;
/** After a throughput error: pace at this fraction, and recover gradually. */
const SLOWDOWN_FACTOR = 0.8;
const MIN_FACTOR = 0.25;
const RECOVERY_PER_SECOND = 0.1;
/** A short breath after a throughput error (the slower pace does the rest). */
const SLOWDOWN_PAUSE_MS = 250;
/**
 * Throughput errors within this long of a slowdown are the same overload (the
 * sends already under way answer it too): they slow down once, not once each.
 */
const SLOWDOWN_COALESCE_MS = 1_000;
/**
 * Meta's pair rate limit is about one message per 6 s from a number to the
 * same person; slots are spaced half a second more, so network jitter cannot
 * bring two sends closer than 6 s at Meta's end.
 */
export const PAIR_SPACING_MS = 6_500;

export interface SlotReservation {
  /** Epoch ms of the first slot. */
  startAt: number;
  /** Spacing between consecutive slots. */
  intervalMs: number;
  /**
   * Recipients (by index in the request) given no slot: messaged too recently.
   * The others take consecutive slots in request order.
   */
  deferred: { index: number; notBefore: number }[];
}

export class SenderDO extends DurableObject<Bindings> {
  private nextSlot = 0;
  private factor = 1;
  private factorAt = 0;
  private lastSlowdown = 0;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS pacing (id INTEGER PRIMARY KEY CHECK (id = 1), next_slot INTEGER, factor REAL, factor_at INTEGER)",
    );
    sql.exec(
      "CREATE TABLE IF NOT EXISTS pairs (recipient TEXT PRIMARY KEY, slot INTEGER NOT NULL); CREATE INDEX IF NOT EXISTS pairs_slot_idx ON pairs (slot)",
    );
    const row = sql
      .exec<{ next_slot: number; factor: number; factor_at: number }>("SELECT * FROM pacing")
      .toArray()[0];
    if (row) {
      // Reservations made before a restart may still be in use: never hand their slots out again.
      this.nextSlot = Number(row.next_slot);
      this.factor = Number(row.factor);
      this.factorAt = Number(row.factor_at);
    }
  }

  /**
   * Reserves send slots at `mps` (the sender's configured throughput) for
   * these recipients, in order; those messaged by this number within the
   * last PAIR_SPACING_MS get none (see `deferred`).
   */
  reserve(recipients: string[], mps: number): SlotReservation {
    const now = Date.now();
    this.recover(now);
    const rate = Math.max(0.1, mps * SAFETY * this.factor);
    const intervalMs = 1000 / rate;
    const startAt = Math.max(now, this.nextSlot);
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM pairs WHERE slot < ?", now - PAIR_SPACING_MS);
    const last = new Map(
      sql
        .exec<{ recipient: string; slot: number }>(
          `SELECT recipient, slot FROM pairs WHERE recipient IN (${recipients.map(() => "?").join(", ")})`,
          ...recipients,
        )
        .toArray()
        .map((r) => [r.recipient, Number(r.slot)]),
    );
    const deferred: SlotReservation["deferred"] = [];
    let taken = 0;
    recipients.forEach((recipient, index) => {
      const slot = startAt + taken * intervalMs;
      const previous = last.get(recipient);
      if (previous !== undefined && slot < previous + PAIR_SPACING_MS) {
        deferred.push({ index, notBefore: Math.ceil(previous + PAIR_SPACING_MS) });
        return;
      }
      sql.exec(
        "INSERT INTO pairs (recipient, slot) VALUES (?, ?) ON CONFLICT (recipient) DO UPDATE SET slot = excluded.slot",
        recipient,
        Math.ceil(slot),
      );
      last.set(recipient, slot);
      taken++;
    });
    this.nextSlot = startAt + taken * intervalMs;
    this.persist();
    return { startAt, intervalMs, deferred };
  }

  /** Meta said the number is over its throughput: back off now, recover over the next seconds. */
  slowDown(): void {
    const now = Date.now();
    if (now - this.lastSlowdown < SLOWDOWN_COALESCE_MS) return;
    this.lastSlowdown = now;
    this.recover(now);
    this.factor = Math.max(MIN_FACTOR, this.factor * SLOWDOWN_FACTOR);
    this.factorAt = now;
    this.nextSlot = Math.max(this.nextSlot, now + SLOWDOWN_PAUSE_MS);
    this.persist();
  }

  pacing(): { factor: number; nextSlot: number } {
    this.recover(Date.now());
    return { factor: this.factor, nextSlot: this.nextSlot };
  }

  private recover(now: number): void {
    if (this.factor >= 1) return;
    const seconds = (now - this.factorAt) / 1000;
    this.factor = Math.min(1, this.factor + seconds * RECOVERY_PER_SECOND);
    this.factorAt = now;
  }

  private persist(): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO pacing (id, next_slot, factor, factor_at) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET next_slot = excluded.next_slot, factor = excluded.factor, factor_at = excluded.factor_at",
      this.nextSlot,
      this.factor,
      this.factorAt,
    );
  }
}
