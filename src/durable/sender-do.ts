/**
 * SenderDO: one per sending number (named by its phone number id). It paces
 * every broadcast of that number through one schedule of evenly spaced send
 * slots, so the number never exceeds its throughput in any one-second window,
 * however many broadcasts share it. Reservations are first come, first served
 * and small (one batch each), so one broadcast cannot starve another.
 */
import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";

/** Pace a little under the cap: network jitter must not push a window over it. */
const SAFETY = 0.97;
/** After a throughput error: pace at this fraction, and recover gradually. */
const SLOWDOWN_FACTOR = 0.7;
const MIN_FACTOR = 0.1;
const RECOVERY_PER_SECOND = 0.05;
const SLOWDOWN_PAUSE_MS = 1_000;

export interface SlotReservation {
  /** Epoch ms of the first slot. */
  startAt: number;
  /** Spacing between consecutive slots. */
  intervalMs: number;
}

export class SenderDO extends DurableObject<Bindings> {
  private nextSlot = 0;
  private factor = 1;
  private factorAt = 0;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS pacing (id INTEGER PRIMARY KEY CHECK (id = 1), next_slot INTEGER, factor REAL, factor_at INTEGER)",
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

  /** Reserves `count` consecutive send slots at `mps` (the sender's configured throughput). */
  reserve(count: number, mps: number): SlotReservation {
    const now = Date.now();
    this.recover(now);
    const rate = Math.max(0.1, mps * SAFETY * this.factor);
    const intervalMs = 1000 / rate;
    const startAt = Math.max(now, this.nextSlot);
    this.nextSlot = startAt + count * intervalMs;
    this.persist();
    return { startAt, intervalMs };
  }

  /** Meta said the number is over its throughput: back off now, recover over the next seconds. */
  slowDown(): void {
    const now = Date.now();
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
