/**
 * A number's throughput over a sliding one-second window: the arrival times
 * of the sends it accepted. Sliding (not per calendar second) so that "at
 * most `mps` in any one-second window" holds for every window, as Chorus's
 * own pacing promises.
 *
 * Arrivals are stamped where a request reaches the sandbox (its Worker), and
 * a Durable Object may process them a few milliseconds out of that order, so
 * a time is inserted in its place. `count(t)` is every accept later than
 * t − 1 s: at least the count of any window that holds t, so a refusal is
 * never missed (it may, by a few ms of disorder, count one early).
 *
 * In memory only: after a restart the window is empty, which can only matter
 * for the one second around the restart.
 */
export class SlidingWindow {
  private times: number[] = [];

  constructor(private readonly spanMs = 1000) {}

  /** Accepts counted against an arrival at `at`. */
  count(at: number): number {
    this.evict(at);
    return this.times.length - this.firstAfter(at - this.spanMs);
  }

  /** Records an accept that arrived at `at`; returns the largest count of a window holding it. */
  add(at: number): number {
    let i = this.times.length;
    while (i > 0 && (this.times[i - 1] ?? 0) > at) i--;
    this.times.splice(i, 0, at);
    const from = this.firstAfter(at - this.spanMs);
    let most = 0;
    // The windows holding `at` end from `at` to `at` + span: each one's count.
    for (let end = i; end < this.times.length; end++) {
      const t = this.times[end] ?? 0;
      if (t >= at + this.spanMs) break;
      const start = this.firstAfter(t - this.spanMs);
      most = Math.max(most, end - start + 1);
    }
    return Math.max(most, i - from + 1);
  }

  reset(): void {
    this.times = [];
  }

  /** Index of the first time later than `t`. */
  private firstAfter(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] ?? 0) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops what no window of a later arrival can hold (with a second of slack for disorder). */
  private evict(now: number): void {
    const keepFrom = this.firstAfter(now - 2 * this.spanMs);
    if (keepFrom > 1024) this.times = this.times.slice(keepFrom);
  }
}
