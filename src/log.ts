/**
 * Structured logs, one JSON line each, with what must never reach a log
 * removed on the way out: API keys, access tokens, secrets and bearer
 * credentials are replaced, and phone numbers keep only their last 4 digits
 * (enough to match a support ticket, not enough to call anyone). Masking
 * happens here, in the one place every log line passes, so a new call site
 * cannot forget it.
 */
export type LogLevel = "info" | "warn" | "error";

const SECRET_KEY = /token|secret|password|authorization|api[-_]?key|^key$/i;
const SECRET_TEXT: ReadonlyArray<[RegExp, string]> = [
  [/\bBearer\s+[^\s"',;]+/gi, "Bearer [redacted]"],
  [/\bchorus_[A-Za-z0-9_-]{8,}/g, "chorus_[redacted]"],
  // Meta's access tokens (system-user and page tokens start with EAA).
  [/\bEAA[A-Za-z0-9]{16,}/g, "[redacted-token]"],
];
/** 8–15 digits in a row, optionally after '+': an E.164 number or a phone-number id. */
const PHONE = /(?<![\w.])\+?\d{8,15}(?!\w)/g;

export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, "");
  return `***${digits.slice(-4)}`;
}

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out.replace(PHONE, maskPhone);
}

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (depth > 5 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && v != null ? "[redacted]" : redact(v, depth + 1);
  }
  return out;
}

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...(redact(fields) as Record<string, unknown>) });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** An error as a log field: its message (masked like everything else) and stack. */
export const errorFields = (err: unknown) => ({
  error: String(err),
  stack: err instanceof Error ? err.stack : undefined,
});
