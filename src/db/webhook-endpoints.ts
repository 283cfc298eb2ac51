/**
 * Status-callback endpoints (D1: the control plane; their delivery log is in
 * callback-deliveries.ts). Every query is scoped by account; secrets are
 * stored encrypted (they must be read back to sign).
 */
import { and, desc, eq } from "drizzle-orm";
import { newCallbackSecret } from "../domain/callbacks";
import { decryptAccessToken, encryptAccessToken } from "../whatsapp/access-token";
import { type WebhookEndpoint, webhookEndpoints } from "./callbacks-schema";
import { type Database, nowIso } from "./client";
import { pageWithTotal } from "./pages";

export async function hasActiveEndpoints(d1: D1Database, accountId: string): Promise<boolean> {
  const row = await d1
    .prepare(
      "SELECT 1 AS x FROM webhook_endpoints WHERE account_id = ? AND status != 'disabled' LIMIT 1",
    )
    .bind(accountId)
    .first();
  return row !== null;
}

export async function listEndpoints(
  db: Database,
  accountId: string,
  limit: number,
  offset: number,
) {
  const where = eq(webhookEndpoints.accountId, accountId);
  return pageWithTotal(
    db,
    db
      .select()
      .from(webhookEndpoints)
      .where(where)
      .orderBy(desc(webhookEndpoints.createdAt))
      .limit(limit)
      .offset(offset),
    webhookEndpoints,
    where,
  );
}

/** The endpoints that deliveries go to: active ones, and failing ones (they may have recovered). */
export function deliverableEndpoints(db: Database, accountId: string): Promise<WebhookEndpoint[]> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.accountId, accountId)))
    .all()
    .then((rows) => rows.filter((e) => e.status !== "disabled"));
}

export function getEndpoint(db: Database, accountId: string, id: string) {
  return db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.accountId, accountId), eq(webhookEndpoints.id, id)))
    .get();
}

export async function insertEndpoint(
  db: Database,
  values: { accountId: string; url: string; events: string[]; secretEnc: string },
): Promise<WebhookEndpoint> {
  const [row] = await db
    .insert(webhookEndpoints)
    .values({ ...values, id: crypto.randomUUID(), events: JSON.stringify(values.events) })
    .returning();
  if (!row) throw new Error("insert returned nothing");
  return row;
}

export async function updateEndpoint(
  db: Database,
  accountId: string,
  id: string,
  patch: Partial<Pick<WebhookEndpoint, "url" | "events" | "status" | "secretEnc" | "failingSince">>,
): Promise<WebhookEndpoint | undefined> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ ...patch, updatedAt: nowIso() })
    .where(and(eq(webhookEndpoints.accountId, accountId), eq(webhookEndpoints.id, id)))
    .returning();
  return row;
}

export async function deleteEndpoint(
  db: Database,
  accountId: string,
  id: string,
): Promise<boolean> {
  const rows = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.accountId, accountId), eq(webhookEndpoints.id, id)))
    .returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

// ---- the account's secret for broadcasts' own status_callback_url -------------------------

/**
 * The secret that signs deliveries to broadcasts' own status_callback_url:
 * one per account, made on first use (encrypted like every other secret).
 * `rotate` replaces it.
 */
export async function accountCallbackSecret(
  d1: D1Database,
  encryptionKey: string,
  accountId: string,
  rotate = false,
): Promise<string> {
  if (!rotate) {
    const row = await d1
      .prepare("SELECT callback_secret_enc FROM accounts WHERE id = ?")
      .bind(accountId)
      .first<{ callback_secret_enc: string | null }>();
    if (row?.callback_secret_enc) return decryptAccessToken(row.callback_secret_enc, encryptionKey);
  }
  const secret = newCallbackSecret();
  const enc = await encryptAccessToken(secret, encryptionKey);
  // Two first uses at once: the first one written wins, and both answer it.
  await d1
    .prepare(
      rotate
        ? "UPDATE accounts SET callback_secret_enc = ? WHERE id = ?"
        : "UPDATE accounts SET callback_secret_enc = COALESCE(callback_secret_enc, ?) WHERE id = ?",
    )
    .bind(enc, accountId)
    .run();
  return rotate ? secret : accountCallbackSecret(d1, encryptionKey, accountId);
}

/** An endpoint's signing secret, still encrypted; null once the endpoint is deleted. */
export async function endpointSecretEnc(
  d1: D1Database,
  accountId: string,
  endpointId: string,
): Promise<string | null> {
  const row = await d1
    .prepare("SELECT secret_enc FROM webhook_endpoints WHERE id = ? AND account_id = ?")
    .bind(endpointId, accountId)
    .first<{ secret_enc: string }>();
  return row?.secret_enc ?? null;
}

/** A success clears `failing`; giving up on a delivery sets it (a disabled endpoint stays so). */
export async function setEndpointHealth(
  d1: D1Database,
  accountId: string,
  endpointId: string,
  health: "active" | "failing",
): Promise<void> {
  const now = nowIso();
  await d1
    .prepare(
      `UPDATE webhook_endpoints SET status = ?, failing_since = ?, updated_at = ?
       WHERE id = ? AND account_id = ? AND status != 'disabled' AND status != ?`,
    )
    .bind(health, health === "failing" ? now : null, now, endpointId, accountId, health)
    .run();
}
