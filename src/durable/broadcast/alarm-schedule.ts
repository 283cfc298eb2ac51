/**
 * When a broadcast's one alarm should next ring: the load's expiry, the
 * schedule, the sending tick, the first held row, the validity's end, a
 * stale claim's lease, the next flush, the first message to expire at Meta. Pure: the BroadcastDO arms it.
 */

import type { BroadcastState, Counters } from "../../domain/broadcast";
import { CLAIM_LEASE_MS } from "../../domain/pacing";

/** How often the summary is flushed to D1 while something changed. */
export const FLUSH_INTERVAL_MS = 2_000;
/** While sending, the alarm ticks this often: refill, sweep, expire. */
export const SENDING_TICK_MS = 1_000;

export interface AlarmInputs {
  state: BroadcastState;
  loadingDeadline: number | null;
  scheduledAt: string;
  validUntil: string | null;
  counters: Counters;
  /** A pending row is due now. */
  hasDue: boolean;
  /** The first held row's time, or null. */
  nextHeldAt: number | null;
  /** The summary or some recipient row still has to reach D1. */
  dirty: boolean;
  /** When the oldest undelivered message counts as dropped by Meta (domain/meta-ttl.ts), or null. */
  metaExpiryAt?: number | null;
}

/** The next alarm (epoch ms, never before `now`), or null for none. */
export function nextAlarmAt(i: AlarmInputs, now: number): number | null {
  const candidates: number[] = [];
  if (i.state === "loading" && i.loadingDeadline !== null) candidates.push(i.loadingDeadline);
  if (i.state === "scheduled") candidates.push(Date.parse(i.scheduledAt));
  if (i.state === "sending") {
    if (i.counters.queued + i.counters.sending > 0 || i.hasDue) {
      candidates.push(now + SENDING_TICK_MS);
    } else {
      // Everything left is held (a closed window, a pair limit): sleep until the first one is due.
      if (i.nextHeldAt !== null) candidates.push(i.nextHeldAt);
      if (i.validUntil) candidates.push(Date.parse(i.validUntil));
    }
  }
  // Claims still out after a stop are checked until they settle or their lease ends.
  else if (i.counters.sending > 0) candidates.push(now + CLAIM_LEASE_MS);
  if (i.state !== "loading" && i.dirty) candidates.push(now + FLUSH_INTERVAL_MS);
  // In any state, even completed: the TTL pass rings once, at the first message's expiry, not on a tick.
  if (i.state !== "loading" && i.metaExpiryAt != null) candidates.push(i.metaExpiryAt);
  if (candidates.length === 0) return null;
  return Math.max(now, Math.min(...candidates));
}
