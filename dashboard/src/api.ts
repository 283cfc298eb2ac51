/**
 * The dashboard's only way to the API: the key lives in sessionStorage (gone
 * with the tab; never in a URL or a cookie) and goes as a Bearer header.
 */
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

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
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
    throw new ApiError(res.status, body?.details || body?.message || `HTTP ${res.status}`);
  }
  return body as T;
}

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

export const percent = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
