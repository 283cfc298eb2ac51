/**
 * Every secret-handling primitive in one place, all on WebCrypto: key hashes
 * (only the SHA-256 of an API key is stored), random tokens (API keys and
 * callback signing secrets), HMAC-SHA256 with keys imported once per secret
 * (Meta's webhook signatures, checked; Chorus's callback signatures, made),
 * and a constant-time comparison (the admin token).
 */
const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(value: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value)));
}

/** `prefix` and 32 random bytes, base64url without padding. */
export function randomToken(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const b64 = btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replaceAll("=", "");
  return `${prefix}${b64}`;
}

/** A new API key: `chorus_` and 32 random bytes, base64url. */
export const generateApiKey = (): string => randomToken("chorus_");

/** What is kept of a key for display: its first 12 characters. */
export const keyPrefix = (key: string) => key.slice(0, 12);

const keys = new Map<string, Promise<CryptoKey>>();

export function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keys.set(secret, key);
  }
  return key;
}

/** Lower-case hex of HMAC-SHA256(secret, message). */
export async function hmacHex(secret: string, message: string): Promise<string> {
  return hex(
    await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(message)),
  );
}

/** Constant-time string comparison (for the admin token). */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const ab = enc.encode(a);
  const bb = enc.encode(b);
  if (ab.byteLength !== bb.byteLength) {
    // Still spend the time of a comparison, then fail.
    crypto.subtle.timingSafeEqual(ab, ab);
    return false;
  }
  return crypto.subtle.timingSafeEqual(ab, bb);
}
