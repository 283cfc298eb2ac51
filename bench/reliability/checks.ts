/**
 * What the reliability runs read back: a broadcast's counters, every one of
 * its recipients (paged), the sandbox's record of what Meta accepted, and the
 * invariants compared between them.
 */
import { API, SANDBOX } from "./stack";

export const KEY = "chorus-demo-key";
const auth = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };

export async function call(method: string, url: string, body?: unknown): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: url.startsWith(API)
      ? { ...auth, "x-api-key": KEY }
      : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

export const details = (uuid: string) => call("GET", `${API}/broadcasts/${uuid}`);

export async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      // the API may be restarting
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what} not reached in ${timeoutMs / 1000} s: ${JSON.stringify(last)}`);
}

/** Every recipient of a broadcast, through the API's paging. */
export async function allRecipients(uuid: string): Promise<any[]> {
  const out: any[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await call(
      "GET",
      `${API}/broadcasts/${uuid}/recipients?limit=1000&offset=${offset}`,
    );
    out.push(...page.recipients);
    if (page.recipients.length < 1000) return out;
  }
}

export async function sandboxStats(phoneNumberId: string): Promise<any> {
  const body = await call("GET", `${SANDBOX}/__sandbox/stats?phone_number_id=${phoneNumberId}`);
  return body.numbers[0];
}

export async function sandboxAccepted(phoneNumberId: string): Promise<Set<string>> {
  const body = await call("GET", `${SANDBOX}/__sandbox/messages?phone_number_id=${phoneNumberId}`);
  return new Set(body.messages.map((m: any) => m.wa_id as string));
}

export function histogram(recipients: any[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of recipients) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

/** Invariant 2 through the API: no recipient left unsent, and the counters equal the rows. */
export function countersMatchRows(d: any, rows: Record<string, number>): string[] {
  const problems: string[] = [];
  const sum = Object.values(rows).reduce((a, b) => a + b, 0);
  if (sum !== d.recipients) problems.push(`rows ${sum} ≠ recipients ${d.recipients}`);
  if ((rows.pending ?? 0) !== 0 || d.pending !== 0)
    problems.push(`${rows.pending ?? 0} rows / ${d.pending} counted still pending`);
  const reached =
    (rows.submitted ?? 0) + (rows.sent ?? 0) + (rows.delivered ?? 0) + (rows.read ?? 0);
  if (reached !== d.submitted) problems.push(`submitted rows ${reached} ≠ counter ${d.submitted}`);
  const failed = (rows.failed ?? 0) + (rows.undeliverable ?? 0);
  if (failed !== d.failed) problems.push(`failed rows ${failed} ≠ counter ${d.failed}`);
  return problems;
}
