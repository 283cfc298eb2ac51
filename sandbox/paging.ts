/**
 * Graph API cursor paging, as Meta's list endpoints answer:
 * `{data, paging: {cursors: {before, after}, next?, previous?}}`, where `next`
 * and `previous` are absolute URLs and cursors are opaque strings.
 */
import { ERRORS, type MetaError } from "./errors";

export interface Page<T> {
  data: T[];
  paging: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

export const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;

const cursor = (offset: number) => btoa(`sandbox:${offset}`);

function offsetOf(value: string): number | null {
  try {
    const m = /^sandbox:(\d+)$/.exec(atob(value));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** One page of `items` for the request at `url` (its `limit`, `after` and `before`). */
export function paginate<T>(items: readonly T[], url: URL): Page<T> | MetaError {
  const q = url.searchParams;
  const limit = q.has("limit") ? Number(q.get("limit")) : DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    return ERRORS.invalidParameter(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  const after = q.get("after");
  const before = q.get("before");
  let start = 0;
  if (after !== null) {
    const offset = offsetOf(after);
    if (offset === null) return ERRORS.invalidParameter("The after cursor is not valid");
    start = offset;
  } else if (before !== null) {
    const offset = offsetOf(before);
    if (offset === null) return ERRORS.invalidParameter("The before cursor is not valid");
    start = Math.max(0, offset - limit);
  }
  const end = Math.min(
    items.length,
    before !== null && after === null ? (offsetOf(before) ?? 0) : start + limit,
  );
  const data = items.slice(start, Math.max(start, end));
  const page: Page<T> = {
    data,
    paging: { cursors: { before: cursor(start), after: cursor(start + data.length) } },
  };
  const link = (name: "after" | "before", value: string) => {
    const next = new URL(url);
    next.searchParams.delete("after");
    next.searchParams.delete("before");
    next.searchParams.set("limit", String(limit));
    next.searchParams.set(name, value);
    return next.toString();
  };
  if (start + data.length < items.length)
    page.paging.next = link("after", page.paging.cursors.after);
  if (start > 0) page.paging.previous = link("before", page.paging.cursors.before);
  return page;
}
