import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { errorText } from "./api";
import { Alert } from "./ui";

/**
 * A page whose code is a chunk of its own, fetched when the route first opens,
 * so that the first screen downloads only what it shows.
 */
export function lazyPage<P extends object>(
  load: () => Promise<ComponentType<P>>,
): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return function LazyPage(props: P) {
    const [Page, setPage] = useState<ComponentType<P> | null>(() => loaded);
    const [error, setError] = useState<string | null>(null);
    useEffect(() => {
      if (Page) return;
      load()
        .then((page) => {
          loaded = page;
          setPage(() => page);
        })
        .catch((err) => setError(errorText(err)));
    }, []);
    if (error) return <Alert error={`Could not load this page: ${error}`} />;
    return Page ? <Page {...props} /> : <p class="muted">Loading…</p>;
  };
}
