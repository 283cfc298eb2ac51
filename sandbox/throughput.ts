/**
 * A number's throughput over a sliding one-second window: the accept times of
 * the last second. Sliding (not per calendar second) so that "at most `mps`
 * in any one-second window" holds for every window, as Chorus's own pacing
 * promises. The count right after each accept is the largest of any window
 * ending then, so the largest of those is the stats' max_per_second.
 *
 * In memory only: after a restart the window is empty, which can only matter
 * for the one second around the restart.
 */
export class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  constructor(private readonly spanMs = 1000) {}

  /** Accepts counted in the window that ends at `now`. */
  count(now: number): number {
    while (this.head < this.times.length && (this.times[this.head] ?? 0) <= now - this.spanMs) {
      this.head++;
    }
    // Compact now and then, so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  /** Records an accept at `now`; returns the count of the window ending there. */
  add(now: number): number {
    this.times.push(now);
    return this.count(now);
  }

  reset(): void {
    this.times = [];
    this.head = 0;
  }
}
