/**
 * The callback delivery log on the per-account data plane (docs/SCALING.md
 * §5), the pure part. A delivery logged in an account's month shard carries
 * its month in its id (`YYYY-MM_<uuid>`), so a later attempt or a replay
 * names its shard without asking any other; a plain uuid is a delivery
 * logged in D1 before the account moved, and is looked up there.
 */

/** A delivery is retried for 24 h after it is made, then given up. */
export const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;
/** Queue delays may not exceed 12 h; an hour between late attempts is plenty. */
export const MAX_BACKOFF_S = 3_600;
/**
 * Past this age a delivery still pending has no retry coming (its last try
 * was queued before the give-up time, at most one backoff before): one whose
 * requeue failed, left for a replay.
 */
export const NO_RETRY_AFTER_MS = GIVE_UP_AFTER_MS + MAX_BACKOFF_S * 1000;

const SHARD_ID = /^(\d{4})-(\d{2})_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A new delivery's id in the shard of `month` ("YYYY-MM", the month it is created). */
export function shardDeliveryId(month: string): string {
  return `${month}_${crypto.randomUUID()}`;
}

/** The month shard an id names, or null: a D1 delivery's id, or no id Chorus made. */
export function deliveryMonth(id: string): string | null {
  const m = SHARD_ID.exec(id);
  if (!m) return null;
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? `${m[1]}-${m[2]}` : null;
}

/** The months from `from`'s to `to`'s ("YYYY-MM", UTC), newest first. */
export function monthsBetween(from: string, to: string): string[] {
  const start = new Date(from);
  const end = new Date(to);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return [];
  const months: string[] = [];
  let y = end.getUTCFullYear();
  let m = end.getUTCMonth();
  const firstY = start.getUTCFullYear();
  const firstM = start.getUTCMonth();
  while (y > firstY || (y === firstY && m >= firstM)) {
    months.push(`${y}-${String(m + 1).padStart(2, "0")}`);
    m -= 1;
    if (m < 0) {
      m = 11;
      y -= 1;
    }
  }
  return months;
}

/**
 * Which slice of which month makes one page of a log that is newest first
 * across months: the months, newest first, each with how many rows it
 * holds, never overlap in time (a row's month is its creation's), so the
 * whole is their concatenation and a page needs only the months it covers.
 */
export function pageSlices(
  counts: { month: string; total: number }[],
  limit: number,
  offset: number,
): { month: string; offset: number; limit: number }[] {
  const slices: { month: string; offset: number; limit: number }[] = [];
  let skip = offset;
  let want = limit;
  for (const { month, total } of counts) {
    if (want <= 0) break;
    if (skip >= total) {
      skip -= total;
      continue;
    }
    const take = Math.min(want, total - skip);
    slices.push({ month, offset: skip, limit: take });
    want -= take;
    skip = 0;
  }
  return slices;
}

/**
 * How long a delivery's body (the JSON POSTed) is kept for a replay, from
 * when the delivery was made. Past it a finished delivery (delivered or given
 * up) keeps its row but not its body, and a replay answers 410.
 *
 * From docs/SCALING.md's model at the stated load (10 M messages a month per
 * account, 5 events a message, ~465 B an event): the log is 23.3 GB a month,
 * 0.77 GB a day (30.4 days a month). A month shard also holds that month's
 * projection, 5.6 GB by its end, and the month's rows without their bodies
 * (500,000 at 303 B, 0.15 GB), so at the month's end it holds
 * 5.6 + 0.15 + 0.77 × N GB: N = 7 would be 11.2 GB, over an object's 10 GB;
 * N = 3 is 8.1 GB (bench/scaling.ts, `monthShardWithReplayWindowGB`), which
 * leaves ~2 GB for a backlog of the sweep and a heavier month.
 * Three days still outlasts the retry window (24 h, GIVE_UP_AFTER_MS) and a
 * weekend for a customer to notice an outage and replay.
 */
export const CALLBACK_REPLAY_DAYS = 3;
const REPLAY_WINDOW_MS = CALLBACK_REPLAY_DAYS * 24 * 60 * 60_000;

/** A delivery made before this time (ISO 8601, compared as text) is past the replay window. */
export function replayCutoff(now: Date): string {
  return new Date(now.getTime() - REPLAY_WINDOW_MS).toISOString();
}

/**
 * What a delivery's body becomes once it ages out: empty, never valid JSON,
 * so it cannot be mistaken for a body that was POSTed (each is `{events: …}`).
 */
export const AGED_OUT_BODY = "";

export const bodyAgedOut = (delivery: { body: string }): boolean => delivery.body === AGED_OUT_BODY;

/**
 * The months whose shards may hold a finished delivery past the window with
 * its body still kept: the cutoff's month and the one before it. A delivery
 * of an earlier month was past the window while its own month or the next
 * was one of these, so an hourly pass dropped it then; the month before
 * gives a backlog a whole month to drain.
 */
export function monthsToSweep(now: Date): string[] {
  const cutoff = new Date(replayCutoff(now));
  const before = new Date(Date.UTC(cutoff.getUTCFullYear(), cutoff.getUTCMonth() - 1, 1));
  return monthsBetween(before.toISOString(), cutoff.toISOString());
}
