/**
 * One error type for the whole API. Every error leaves as the contract's
 * envelope `{message, details, code}` with the status that fits.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

export const ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UPSTREAM_ERROR: 502,
  /** The account's audience is being copied between stores (docs/SCALING.md §5): retry. */
  AUDIENCE_MOVING: 503,
  INTERNAL: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  message: string;
  details: string;
  code: ErrorCode;
}

export class ChorusError extends Error {
  readonly code: ErrorCode;
  readonly details: string;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    details = "",
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ChorusError";
    this.code = code;
    this.details = details;
    this.headers = headers;
  }

  get status(): ContentfulStatusCode {
    return ERROR_CODES[this.code];
  }

  toBody(): ErrorBody {
    return { message: this.message, details: this.details, code: this.code };
  }
}

export const badRequest = (message: string, details = "") =>
  new ChorusError("BAD_REQUEST", message, details);
export const notFound = (details = "") =>
  new ChorusError("NOT_FOUND", "Resource not found", details);
export const conflict = (message: string, details = "") =>
  new ChorusError("CONFLICT", message, details);
/** The resource existed and what was asked of it no longer can be (a body past its keeping). */
export const gone = (message: string, details = "") => new ChorusError("GONE", message, details);

/** Formats a zod issue path as `recipients[3].identifier`. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "body";
}
