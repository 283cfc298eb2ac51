/**
 * Accounts and their API keys. A key is shown once, at creation; only its hash is kept.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { generateApiKey, keyPrefix, sha256Hex } from "../domain/crypto";
import { type Database, nowIso } from "./client";
import { NEW_ACCOUNT_DATA_PLANE } from "./data-plane";
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
    db.insert(accounts).values({ id, name, createdAt, dataPlane: NEW_ACCOUNT_DATA_PLANE }),
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

/** The account's own opt-out words (STOP always counts, apart from these). */
export async function optOutKeywords(d1: D1Database, accountId: string): Promise<string[]> {
  const row = await d1
    .prepare("SELECT opt_out_keywords FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ opt_out_keywords: string }>();
  return row ? (JSON.parse(row.opt_out_keywords) as string[]) : [];
}

/** The account's broadcast defaults that a settings change may set. */
export type AccountSettingsPatch = Partial<
  Pick<
    typeof accounts.$inferInsert,
    | "sendWindow"
    | "windowTimezone"
    | "recipientRetentionDays"
    | "blockUsMarketing"
    | "pauseOnRedQuality"
    | "marketingFrequencyCap"
  >
>;

export async function updateAccountSettings(
  db: Database,
  accountId: string,
  patch: AccountSettingsPatch,
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await db.update(accounts).set(patch).where(eq(accounts.id, accountId));
}
