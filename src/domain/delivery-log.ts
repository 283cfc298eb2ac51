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
