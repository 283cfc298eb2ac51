/**
 * Delivered and read over time, from what the API gives per recipient
 * (`delivered_at`, `read_at` on GET /broadcasts/{uuid}/recipients). Read
 * incrementally with `updated` (rows changed since the last look, oldest
 * first), so a poll costs one call once the backlog is read; a first look at
 * a big finished broadcast reads at most 10 pages of 1,000 per poll.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { api, type Recipient } from "../api";
import { POLL_MS } from "../poll";

const PAGE = 1_000;
const PAGES_PER_POLL = 10;

interface Seen {
  delivered?: number;
  read?: number;
}

export interface Timeline {
  /** Unix seconds, one per bucket. */
  at: number[];
  delivered: number[];
  read: number[];
}

type Row = Recipient & { delivered_at?: string; read_at?: string };

/** Cumulative counts per bucket: one second for a short broadcast, up to a minute for a long one. */
function bucket(seen: Map<string, Seen>): Timeline {
  const times = [...seen.values()]
    .flatMap((s) => [s.delivered, s.read])
    .filter((t) => t !== undefined);
  if (times.length === 0) return { at: [], delivered: [], read: [] };
  const first = Math.floor(Math.min(...times) / 1000);
  const last = Math.ceil(Math.max(...times) / 1000);
  const step = last - first > 3_600 ? 60 : last - first > 300 ? 10 : 1;
  const n = Math.floor((last - first) / step) + 1;
  const delivered = new Array<number>(n).fill(0);
  const read = new Array<number>(n).fill(0);
  const slot = (t: number) => Math.min(n - 1, Math.floor((t / 1000 - first) / step));
  for (const s of seen.values()) {
    if (s.delivered !== undefined) {
      const i = slot(s.delivered);
      delivered[i] = (delivered[i] ?? 0) + 1;
    }
    if (s.read !== undefined) {
      const i = slot(s.read);
      read[i] = (read[i] ?? 0) + 1;
    }
  }
  for (let i = 1; i < n; i++) {
    delivered[i] = (delivered[i] ?? 0) + (delivered[i - 1] ?? 0);
    read[i] = (read[i] ?? 0) + (read[i - 1] ?? 0);
  }
  return { at: Array.from({ length: n }, (_, i) => first + i * step), delivered, read };
}

export function useStatusTimeline(uuid: string, live: boolean): Timeline {
  const seen = useRef(new Map<string, Seen>());
  const cursor = useRef({ updated: "1970-01-01T00:00:00.000Z", offset: 0 });
  const [timeline, setTimeline] = useState<Timeline>({ at: [], delivered: [], read: [] });
  const liveRef = useRef(live);
  liveRef.current = live;

  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      let backlog = false;
      try {
        for (let page = 0; page < PAGES_PER_POLL && !stop; page++) {
          const { updated, offset } = cursor.current;
          const q = new URLSearchParams({ updated, offset: String(offset), limit: String(PAGE) });
          const { recipients } = await api<{ recipients: Row[] }>(
            `/broadcasts/${uuid}/recipients?${q}`,
          );
          for (const r of recipients) {
            if (r.status === "rejected") continue;
            seen.current.set(r.identifier, {
              delivered: r.delivered_at ? Date.parse(r.delivered_at) : undefined,
              read: r.read_at ? Date.parse(r.read_at) : undefined,
            });
          }
          const lastChange = recipients.at(-1)?.updated_at;
          backlog = recipients.length === PAGE;
          // Rows changed at the same instant as the cursor come again: skip past them by offset.
          if (lastChange && lastChange !== updated)
            cursor.current = { updated: lastChange, offset: 0 };
          else if (backlog) cursor.current = { updated, offset: offset + PAGE };
          if (!backlog) break;
        }
        if (!stop) setTimeline(bucket(seen.current));
      } catch {
        // The page's own poll shows API errors; the chart tries again on the next tick.
      }
      if (!stop && (liveRef.current || backlog)) timer = setTimeout(poll, POLL_MS);
    };
    poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [uuid, live]);
  return timeline;
}
