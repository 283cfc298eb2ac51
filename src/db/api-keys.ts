/**
 * The key behind a request: looked up by the SHA-256 of the presented key
 * through a unique index, so no comparison of the secret itself depends on
 * its bytes.
 */

export interface ActiveKey {
  id: string;
  accountId: string;
  lastUsedAt: string | null;
}

/** The unrevoked key with this hash, or null. */
export async function findActiveKey(d1: D1Database, keyHash: string): Promise<ActiveKey | null> {
  const row = await d1
    .prepare(
      "SELECT id, account_id, last_used_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
    )
    .bind(keyHash)
    .first<{ id: string; account_id: string; last_used_at: string | null }>();
  return row ? { id: row.id, accountId: row.account_id, lastUsedAt: row.last_used_at } : null;
}

export async function markKeyUsed(d1: D1Database, keyId: string, at: string): Promise<void> {
  await d1.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").bind(at, keyId).run();
}
