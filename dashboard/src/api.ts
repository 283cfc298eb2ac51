/**
 * The dashboard's only way to the API: the key lives in sessionStorage (gone
 * with the tab; never in a URL or a cookie) and goes as a Bearer header.
 */
import type { Cost, Estimate } from "./cost";

const KEY = "chorus.apiKey";

export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  signIn: (key: string) => sessionStorage.setItem(KEY, key),
  signOut: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call(path: string, init: RequestInit): Promise<{ res: Response; body: unknown }> {
  const res = await fetch(path, {
    ...init,
    headers: {
      authorization: `Bearer ${session.key() ?? ""}`,
      ...(init.body ? { "content-type": "application/json" } : {}),
    },
  });
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401) session.signOut();
    const error = body as { details?: string; message?: string } | null;
    throw new ApiError(res.status, error?.details || error?.message || `HTTP ${res.status}`);
  }
  return { res, body };
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  return (await call(path, init)).body as T;
}

/** A v1 list: a JSON array, with the total in `X-Total-Count`. */
export async function apiList<T>(path: string): Promise<{ items: T[]; total: number }> {
  const { res, body } = await call(path, {});
  const items = body as T[];
  return { items, total: Number(res.headers.get("x-total-count") ?? items.length) };
}

/**
 * Saves a streamed export as a file: the key goes as a header, so a plain
 * link cannot fetch it; the browser gathers the stream into a Blob and saves it.
 */
export async function download(path: string, filename: string): Promise<void> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${session.key() ?? ""}` } });
  if (!res.ok) {
    const error = (await res.json().catch(() => null)) as { details?: string } | null;
    throw new ApiError(res.status, error?.details || `HTTP ${res.status}`);
  }
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A JSON request body. */
export const post = (body: unknown, method = "POST"): RequestInit => ({
  method,
  body: JSON.stringify(body),
});

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export interface Overview {
  uuid: string;
  surface: "broadcasts" | "v1";
  name: string;
  status: string;
  scheduled_at: string | null;
  created_at: string;
  recipients: number;
  submitted: number;
  delivered: number;
  read: number;
  replied: number;
  failed: number;
  rejected: number;
}

export interface Details {
  uuid: string;
  name: string;
  status: string;
  scheduled_at: string;
  recipients: number;
  pending: number;
  submitted: number;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  failed: number;
  rejected: number;
  cancelled: number;
  pause_reason: string | null;
  started_at: string | null;
  completed_at: string | null;
  estimate: Estimate | null;
  cost: Cost;
}

export interface Activity {
  send_rate: { at: string; count: number }[];
  failures: { error_code: number | null; title: string; count: number }[];
}

export interface Recipient {
  identifier: string;
  status: string;
  client_reference: string | null;
  error?: string;
  error_code?: number;
  next_send_at?: string;
  updated_at: string;
}

/** The sender a broadcast composed in this tab went from: the details do not name it. */
export const senderKey = (uuid: string) => `chorus.sender.${uuid}`;

export const percent = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;

export interface Sender {
  id: string;
  phoneNumber: string;
  throughputMps: number;
  isDefault: boolean;
  qualityWarning: { event: string; message: string } | null;
}

export interface Template {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  wabaId: string;
  parameterFormat: string;
  components: unknown[];
}

export interface Contact {
  id: string;
  name: string | null;
  phone: string;
  optedIn: boolean;
  createdAt: string;
}

export interface Suppression {
  phone: string;
  reason: string;
  createdAt: string;
}
