/**
 * The send engine's arithmetic, pure: how fast a number is paced, how late a
 * send may leave, how long a claim lasts, how much is kept in flight. The
 * SenderDO, the BroadcastDO's dispatcher, the sends consumer and
 * bench/capacity.ts all read these, so the simulation runs the real rules.
 *
 * Why these numbers (README, "How a broadcast is sent"):
 *
 * - **Six connections per invocation.** Cloudflare lets one invocation have
 *   six requests waiting for response headers; a seventh waits in the
 *   runtime's queue (REFERENCE.md, "Workers limits that bound outbound
 *   sending"). So one invocation sends at most 6 / latency per second, and a
 *   queue message carries exactly one wave: CONNECTIONS_PER_INVOCATION
 *   recipients, all of which can leave at once. (Sizing it by rate × answer
 *   time when the clamp is lifted was tried, 2026-12-02: on this 2-core
 *   machine the local rate did not move and slots were given up, README.)
 * - **Never over the cap at the receiver.** Slots are spaced at
 *   SAFETY × the cap. Within an isolate, a departure gate counts actual
 *   departures to one number (never more than the cap within one second plus
 *   the tolerance, and at least half an interval apart), so a stalled event
 *   loop releases its late sends paced, never in a burst. Across isolates,
 *   sends late by less than DEPARTURE_TOLERANCE_MS keep any one-second
 *   window within floor(0.97 × mps × 1.025) + 1 ≤ mps for every mps ≥ 1 (see
 *   `maxInAnyWindow`, unit-tested over 1..1,000).
 * - **Never twice.** A send may leave only while its claim's lease still
 *   covers the whole send: departure + send timeout + margin < claimed + lease.
 *   The BroadcastDO releases a claim only after the lease, so no second
 *   consumer can hold a row whose first consumer may still send it.
 * - **In flight by Little's law.** A broadcast keeps rate × cycle time on the
 *   queue (cycle = queue delay + send latency, both measured), times
 *   IN_FLIGHT_HEADROOM for their variance, instead of a fixed few seconds.
 */

/** Cloudflare's limit on requests waiting for headers per invocation (REFERENCE.md). */
export const CONNECTIONS_PER_INVOCATION = 6;

/** Recipients per queue message under the clamp (production): one wave of an invocation's connections. */
export const BATCH_SIZE = CONNECTIONS_PER_INVOCATION;

/**
 * The connection limit as configured: CLOUD_API_CONNECTIONS unset (production,
 * dev, tests) is CONNECTIONS_PER_INVOCATION; "0" lifts it (the dispatch
 * benchmark's engine-efficiency run only), answered as 0.
 */
export function connectionLimit(raw: string | undefined): number {
  if (raw === undefined || raw === "") return CONNECTIONS_PER_INVOCATION;
  const limit = Number(raw);
  if (!Number.isFinite(limit)) return CONNECTIONS_PER_INVOCATION;
  return limit > 0 ? Math.floor(limit) : 0;
}

/** Pace a little under the cap, so that a late send can never push a window over it. */
export const SAFETY = 0.97;

/**
 * How late against its slot a send may leave while one-second windows at the
 * receiver provably stay within the cap: with SAFETY 0.97, any lateness under
 * 30.9 ms (see `maxInAnyWindow`). Within one isolate the departure gate
 * (queues/departures.ts) holds its actual departures to the cap within one
 * second plus this tolerance whatever their lateness, so this bound is what
 * sends of *different* isolates rely on.
 */
export const DEPARTURE_TOLERANCE_MS = 25;

/**
 * A send that the departure gate would let leave later than this after its
 * slot gives the slot up instead (back to pending, due now): a stalled isolate
 * does not drag a queue of stale slots behind it.
 */
export const MAX_DEPARTURE_DELAY_MS = 1_000;

/** A claim not settled within this long is presumed dead (its consumer crashed). */
export const CLAIM_LEASE_MS = 60_000;

/**
 * What a send may still need after its timeout: the settle's round trip and
 * clock skew between the consumer and the BroadcastDO (NTP keeps Cloudflare's
 * machines within milliseconds; this is seconds).
 */
export const LEASE_MARGIN_MS = 5_000;

/** The latest a send of a claim taken at `claimedAt` (BroadcastDO's clock) may leave. */
export function departBy(claimedAt: number, sendTimeoutMs: number): number {
  return claimedAt + CLAIM_LEASE_MS - sendTimeoutMs - LEASE_MARGIN_MS;
}

/** Spacing between a number's slots at `mps`, slowed by `factor` (1: full speed). */
export function slotIntervalMs(mps: number, factor = 1): number {
  return 1000 / Math.max(0.1, mps * SAFETY * factor);
}

/**
 * The most sends a one-second window at the receiver can hold when slots
 * are `intervalMs` apart and each leaves within `toleranceMs` of its slot.
 */
export function maxInAnyWindow(intervalMs: number, toleranceMs = DEPARTURE_TOLERANCE_MS): number {
  return Math.floor((1000 + toleranceMs) / intervalMs) + 1;
}

/** Before anything is measured: a cycle of one second (queue delay plus Meta's answer). */
export const INITIAL_CYCLE_MS = 1_000;
/** In flight = rate × cycle × this: room for the cycle's own variance. */
export const IN_FLIGHT_HEADROOM = 2;
/** Bounds on what one broadcast keeps in flight, in seconds of its sender's throughput. */
const MIN_IN_FLIGHT_S = 0.5;
const MAX_IN_FLIGHT_S = 10;
/** Weight of a new measurement in the moving average of the cycle. */
export const CYCLE_EWMA_WEIGHT = 0.2;

/**
 * Recipients a broadcast keeps queued or claimed: Little's law, rate ×
 * cycle, with headroom, at least two batches, at most MAX_IN_FLIGHT_S of
 * throughput (more would only make a pause or cancel slower to bite).
 */
export function inFlightTarget(mps: number, cycleMs: number): number {
  const seconds = Math.min(
    MAX_IN_FLIGHT_S,
    Math.max(MIN_IN_FLIGHT_S, (cycleMs / 1000) * IN_FLIGHT_HEADROOM),
  );
  return Math.max(BATCH_SIZE * 2, Math.ceil(mps * seconds));
}

/** A moving average that starts at the first value it is given. */
export function ewma(previous: number | null, value: number, weight = CYCLE_EWMA_WEIGHT): number {
  return previous === null ? value : previous + weight * (value - previous);
}
