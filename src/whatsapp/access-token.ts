/**
 * Senders' Cloud API access tokens are stored encrypted with AES-GCM under
 * TOKEN_ENCRYPTION_KEY (32 bytes, base64). Stored form: `v1.<iv b64>.<ciphertext b64>`.
 * Only the Cloud API client decrypts them, right before a call to Meta.
 */
const keyCache = new Map<string, Promise<CryptoKey>>();

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function bytesToBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function importKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    const raw = base64ToBytes(secret);
    if (raw.byteLength !== 32)
      throw new Error("TOKEN_ENCRYPTION_KEY must be 32 bytes, base64-encoded");
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keyCache.set(secret, key);
  }
  return key;
}

export async function encryptAccessToken(token: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await importKey(secret);
  const cipher = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    key,
    new TextEncoder().encode(token),
  );
  return `v1.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(cipher))}`;
}

export async function decryptAccessToken(stored: string, secret: string): Promise<string> {
  const [version, ivB64, cipherB64] = stored.split(".");
  if (version !== "v1" || !ivB64 || !cipherB64) throw new Error("Unrecognised access token format");
  const key = await importKey(secret);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: base64ToBytes(ivB64) },
    key,
    base64ToBytes(cipherB64),
  );
  return new TextDecoder().decode(plain);
}
