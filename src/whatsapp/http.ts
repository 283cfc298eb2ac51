/**
 * The one way Chorus reaches the Cloud API. In tests the WHATSAPP_API service
 * binding routes calls to the sandbox Worker; elsewhere it is a plain fetch to
 * WHATSAPP_API_BASE (Meta in production, the sandbox on :8788 in dev).
 */
import type { Bindings } from "../env";

export function cloudApiUrl(env: Bindings, path: string): string {
  const base = env.WHATSAPP_API_BASE.replace(/\/+$/, "");
  return `${base}/${env.WHATSAPP_API_VERSION}/${path.replace(/^\/+/, "")}`;
}

export function cloudApiFetch(env: Bindings, url: string, init: RequestInit): Promise<Response> {
  return env.WHATSAPP_API ? env.WHATSAPP_API.fetch(url, init) : fetch(url, init);
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
