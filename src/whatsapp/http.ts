/**
 * The one way Chorus reaches the Cloud API. In tests (and the dispatch
 * benchmark) the WHATSAPP_API service binding routes calls to the sandbox
 * Worker; elsewhere it is a plain fetch to WHATSAPP_API_BASE (Meta in
 * production, the sandbox on :8788 in dev).
 *
 * Concurrent callers (the sends consumer) hold one of their invocation's
 * `Connections` for each request (./connections.ts): it is given back when
 * the response headers arrive, as Cloudflare counts it.
 */
import type { Bindings } from "../env";

export function cloudApiUrl(env: Bindings, path: string): string {
  const base = env.WHATSAPP_API_BASE.replace(/\/+$/, "");
  return `${base}/${env.WHATSAPP_API_VERSION}/${path.replace(/^\/+/, "")}`;
}

export interface CloudApiCall {
  /** Starts when the request leaves (not while it waits for a connection). */
  timeoutMs?: number;
  /** The held connection this request uses, given back once its headers arrive. */
  release?: () => void;
}

export async function cloudApiFetch(
  env: Bindings,
  url: string,
  init: RequestInit,
  call: CloudApiCall = {},
): Promise<Response> {
  const request: RequestInit =
    call.timeoutMs === undefined ? init : { ...init, signal: AbortSignal.timeout(call.timeoutMs) };
  try {
    return await (env.WHATSAPP_API ? env.WHATSAPP_API.fetch(url, request) : fetch(url, request));
  } finally {
    call.release?.();
  }
}

/** Meta's error body: `{error: {message, type, code, error_data: {details}, error_subcode, fbtrace_id}}`. */
export interface MetaError {
  code: number;
  title: string;
  details: string;
  subcode?: number;
}

export async function readMetaError(res: Response): Promise<MetaError> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as {
      error?: {
        message?: string;
        code?: number;
        error_subcode?: number;
        error_data?: { details?: string };
      };
    };
    if (body.error && typeof body.error.code === "number") {
      return {
        code: body.error.code,
        title: body.error.message ?? `Cloud API error ${body.error.code}`,
        details: body.error.error_data?.details ?? "",
        subcode: body.error.error_subcode,
      };
    }
  } catch {
    // Not JSON: fall through to the HTTP status.
  }
  return { code: res.status, title: `HTTP ${res.status}`, details: text.slice(0, 300) };
}
