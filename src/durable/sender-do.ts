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
import { slotIntervalMs } from "../domain/pacing";
import type { Bindings } from "../env";

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
/** The most lead a consumer may ask for (a slower answer than this is an outage, not a trip). */
const MAX_LEAD_MS = 250;

export interface SlotRequest {
  /** The recipients' identifiers, in the order the slots are wanted. */
  recipients: string[];
  /** The sender's configured throughput. */
  mps: number;
  /** No slot later than this (epoch ms): the claim's lease must cover the send. */
  notAfter: number;
  /**
   * No slot sooner than this long from now: the answer's way back to the
   * consumer, so that its first slot is not already past when it arrives.
   */
  leadMs?: number;
}

export interface SlotReservation {
  /** Recipients (by index in the request) with their slot, epoch ms; consecutive slots, in order. */
  slots: { index: number; at: number }[];
  /** The spacing of this number's slots now. */
  intervalMs: number;
  /**
   * Recipients given no slot, and from when to ask again: `pair`, messaged by
   * this number too recently; `later`, the next free slot is past `notAfter`.
   */
  deferred: { index: number; notBefore: number; reason: "pair" | "later" }[];
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
   * Reserves send slots for these recipients, in order, at the sender's
   * throughput: every slot of this number, whichever broadcast asks, is at
   * least one interval after the one before. Recipients messaged by this
   * number within PAIR_SPACING_MS, and those whose slot would fall after
   * `notAfter`, get none (see `deferred`).
   */
  reserve(request: SlotRequest): SlotReservation {
    const { recipients, mps, notAfter } = request;
    const lead = Math.min(MAX_LEAD_MS, Math.max(0, request.leadMs ?? 0));
    const now = Date.now();
    this.recover(now);
    const intervalMs = slotIntervalMs(mps, this.factor);
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM pairs WHERE slot < ?", now - PAIR_SPACING_MS);
    const last = new Map<string, number>();
    // Chunks of 90: a statement binds at most 100 values (a wave may be up to 250 recipients).
    for (let i = 0; i < recipients.length; i += 90) {
      const chunk = recipients.slice(i, i + 90);
      for (const r of sql
        .exec<{ recipient: string; slot: number }>(
          `SELECT recipient, slot FROM pairs WHERE recipient IN (${chunk.map(() => "?").join(", ")})`,
          ...chunk,
        )
        .toArray())
        last.set(r.recipient, Number(r.slot));
    }
    const reservation: SlotReservation = { slots: [], deferred: [], intervalMs };
    let next = Math.max(now + lead, this.nextSlot);
    recipients.forEach((recipient, index) => {
      const previous = last.get(recipient);
      if (previous !== undefined && next < previous + PAIR_SPACING_MS) {
        reservation.deferred.push({
          index,
          notBefore: Math.ceil(previous + PAIR_SPACING_MS),
          reason: "pair",
        });
        return;
      }
      if (next > notAfter) {
        reservation.deferred.push({ index, notBefore: Math.ceil(next), reason: "later" });
        return;
      }
      sql.exec(
        "INSERT INTO pairs (recipient, slot) VALUES (?, ?) ON CONFLICT (recipient) DO UPDATE SET slot = excluded.slot",
        recipient,
        Math.ceil(next),
      );
      last.set(recipient, next);
      reservation.slots.push({ index, at: next });
      next += intervalMs;
    });
    this.nextSlot = Math.max(this.nextSlot, next);
    this.persist();
    return reservation;
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
