/**
 * The error texts the seed document gives for the Broadcasts API, by route
 * and status. The one error handler (app.ts) puts them in `message` on every
 * path that answers that status (schema failures, malformed JSON, handler
 * checks), and the specifics stay in `details`.
 */

type SeedStatus = 400 | 404;

const SCHEDULED = "Broadcast could not be scheduled";
const NOT_FOUND = "Resource not found";
const MISSING = "Broadcast or recipients not found";

const SEED_TEXTS: ReadonlyArray<
  [method: string, path: RegExp, texts: Partial<Record<SeedStatus, string>>]
> = [
  ["POST", /^\/broadcasts\/?$/, { 400: SCHEDULED, 404: NOT_FOUND }],
  ["POST", /^\/broadcasts\/validate\/?$/, { 400: SCHEDULED, 404: NOT_FOUND }],
  [
    "POST",
    /^\/broadcasts\/[^/]+\/cancel\/?$/,
    { 400: "Broadcast could not be cancelled", 404: NOT_FOUND },
  ],
  ["GET", /^\/broadcasts\/[^/]+\/recipients\/?$/, { 404: MISSING }],
  ["POST", /^\/broadcasts\/message_statuses\/?$/, { 404: MISSING }],
];

/** The seed's message for this route and status, or null where the seed gives none. */
export function seedMessage(method: string, path: string, status: number): string | null {
  if (status !== 400 && status !== 404) return null;
  for (const [m, pattern, texts] of SEED_TEXTS) {
    if (m === method && pattern.test(path)) return texts[status] ?? null;
  }
  return null;
}
