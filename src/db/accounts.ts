/**
 * Accounts and their API keys. A key is shown once, at creation; only its hash is kept.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { generateApiKey, keyPrefix, sha256Hex } from "../api/auth";
import { type Database, nowIso } from "./client";
import { accounts, apiKeys } from "./schema";

export async function getAccount(db: Database, id: string) {
  return db.select().from(accounts).where(eq(accounts.id, id)).get();
}

export async function newKeyRow(accountId: string, name: string, key = generateApiKey()) {
  const row = {
    id: crypto.randomUUID(),
    accountId,
    name,
    keyHash: await sha256Hex(key),
    prefix: keyPrefix(key),
    createdAt: nowIso(),
  };
  return { row, key };
}

/** Creates an account and its first key atomically (one D1 batch). */
export async function createAccount(db: Database, name: string, id = crypto.randomUUID()) {
  const createdAt = nowIso();
  const { row, key } = await newKeyRow(id, "default");
  await db.batch([
    db.insert(accounts).values({ id, name, createdAt }),
    db.insert(apiKeys).values(row),
  ]);
  return { account: { id, name, createdAt }, key, keyRow: row };
}

export async function addKey(db: Database, accountId: string, name: string) {
  const { row, key } = await newKeyRow(accountId, name);
  await db.insert(apiKeys).values(row);
  return { row, key };
}

export async function listKeys(db: Database, accountId: string) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.accountId, accountId))
    .orderBy(asc(apiKeys.createdAt));
}

export async function revokeKey(db: Database, accountId: string, keyId: string) {
  const revokedAt = nowIso();
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt })
    .where(and(eq(apiKeys.accountId, accountId), eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, revokedAt: apiKeys.revokedAt });
  return rows[0];
}
