/**
 * Senders: an account's WhatsApp business numbers. Every query is scoped by account.
 */
import { and, asc, count, eq, ne } from "drizzle-orm";
import { type Database, database, nowIso } from "./client";
import { locations, type Sender, senders } from "./schema";

export async function listSenders(db: Database, accountId: string, limit: number, offset: number) {
  const [rows, total] = await db.batch([
    db
      .select()
      .from(senders)
      .where(eq(senders.accountId, accountId))
      .orderBy(asc(senders.createdAt), asc(senders.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(senders).where(eq(senders.accountId, accountId)),
  ]);
  return { rows, total: total[0]?.n ?? 0 };
}

export async function getSender(
  db: Database,
  accountId: string,
  id: string,
): Promise<Sender | undefined> {
  return db
    .select()
    .from(senders)
    .where(and(eq(senders.accountId, accountId), eq(senders.id, id)))
    .get();
}

export async function findSenderByPhone(
  db: Database,
  accountId: string,
  phoneNumber: string,
): Promise<Sender | undefined> {
  return db
    .select()
    .from(senders)
    .where(and(eq(senders.accountId, accountId), eq(senders.phoneNumber, phoneNumber)))
    .get();
}

export async function locationExists(db: Database, accountId: string, locationId: string) {
  const row = await db
    .select({ id: locations.id })
    .from(locations)
    .where(and(eq(locations.accountId, accountId), eq(locations.id, locationId)))
    .get();
  return row !== undefined;
}

export type NewSender = Omit<typeof senders.$inferInsert, "id" | "createdAt" | "updatedAt">;

/** Inserts a sender; when it is the default, the account's other senders stop being default in the same batch. */
export async function insertSender(db: Database, values: NewSender): Promise<Sender> {
  const id = crypto.randomUUID();
  const insert = db
    .insert(senders)
    .values({ ...values, id })
    .returning();
  if (values.isDefault) {
    const [, inserted] = await db.batch([
      db
        .update(senders)
        .set({ isDefault: false, updatedAt: nowIso() })
        .where(and(eq(senders.accountId, values.accountId), eq(senders.isDefault, true))),
      insert,
    ]);
    return inserted[0] as Sender;
  }
  const [row] = await insert;
  return row as Sender;
}

export async function updateSender(
  db: Database,
  accountId: string,
  id: string,
  patch: Partial<NewSender>,
): Promise<Sender | undefined> {
  const update = db
    .update(senders)
    .set({ ...patch, updatedAt: nowIso() })
    .where(and(eq(senders.accountId, accountId), eq(senders.id, id)))
    .returning();
  if (patch.isDefault) {
    const [, updated] = await db.batch([
      db
        .update(senders)
        .set({ isDefault: false, updatedAt: nowIso() })
        .where(
          and(eq(senders.accountId, accountId), eq(senders.isDefault, true), ne(senders.id, id)),
        ),
      update,
    ]);
    return updated[0];
  }
  const [row] = await update;
  return row;
}

export async function deleteSender(db: Database, accountId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(senders)
    .where(and(eq(senders.accountId, accountId), eq(senders.id, id)))
    .returning({ id: senders.id });
  return rows.length > 0;
}

/** The sender's portfolio messaging limit as it is now; null when unlimited, unknown or deleted. */
export async function senderMessagingLimit(
  d1: D1Database,
  accountId: string,
  senderId: string,
): Promise<number | null> {
  const row = await d1
    .prepare("SELECT messaging_limit FROM senders WHERE id = ? AND account_id = ?")
    .bind(senderId, accountId)
    .first<{ messaging_limit: number | null }>();
  return row?.messaging_limit ?? null;
}

/** How a sender's marketing templates go (the Marketing Messages API settings). */
export interface SenderMarketingApi {
  marketingApi: "cloud_api" | "marketing_messages";
  productPolicy: "CLOUD_API_FALLBACK" | "STRICT";
  messageActivitySharing: boolean;
}

/** What the sends consumer needs of a sender as it is now; null once it is deleted. */
export async function senderCredentials(
  d1: D1Database,
  accountId: string,
  senderId: string,
): Promise<({ accessTokenEnc: string; throughputMps: number } & SenderMarketingApi) | null> {
  const row = await d1
    .prepare(
      `SELECT access_token_enc, throughput_mps, marketing_api, marketing_product_policy,
              marketing_activity_sharing
       FROM senders WHERE id = ? AND account_id = ?`,
    )
    .bind(senderId, accountId)
    .first<{
      access_token_enc: string;
      throughput_mps: number;
      marketing_api: string;
      marketing_product_policy: string;
      marketing_activity_sharing: number;
    }>();
  return row
    ? {
        accessTokenEnc: row.access_token_enc,
        throughputMps: Number(row.throughput_mps),
        marketingApi:
          row.marketing_api === "marketing_messages" ? "marketing_messages" : "cloud_api",
        productPolicy: row.marketing_product_policy === "STRICT" ? "STRICT" : "CLOUD_API_FALLBACK",
        messageActivitySharing: Number(row.marketing_activity_sharing) === 1,
      }
    : null;
}

/** The accounts that registered this WhatsApp phone number id (one, or none for another tool's number). */
export async function accountsOfNumber(d1: D1Database, phoneNumberId: string): Promise<string[]> {
  const { results } = await d1
    .prepare("SELECT DISTINCT account_id FROM senders WHERE phone_number_id = ?")
    .bind(phoneNumberId)
    .all<{ account_id: string }>();
  return results.map((r) => r.account_id);
}

/** The account's default sender, if it has one. */
export async function defaultSender(d1: D1Database, accountId: string): Promise<Sender | null> {
  const row = await d1
    .prepare("SELECT id FROM senders WHERE account_id = ? AND is_default = 1 LIMIT 1")
    .bind(accountId)
    .first<{ id: string }>();
  return row ? ((await getSender(database(d1), accountId, row.id)) ?? null) : null;
}
