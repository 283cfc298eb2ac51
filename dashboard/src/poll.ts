import { useEffect, useState } from "preact/hooks";

/** Polls at most every 2 s while `live(data)` says the page is moving; once otherwise. */
export const POLL_MS = 2_000;

export function usePolling<T>(load: () => Promise<T>, deps: unknown[], live: (data: T) => boolean) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const next = await load();
        if (stop) return;
        setData(next);
        setError(null);
        if (live(next)) timer = setTimeout(run, POLL_MS);
      } catch (err) {
        if (!stop) setError(err instanceof Error ? err.message : String(err));
      }
    };
    run();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}
