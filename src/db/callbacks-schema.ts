/**
 * D1 schema of status callbacks: the endpoints an account subscribes, and the
 * log of every delivery made to them (its body kept for CALLBACK_REPLAY_DAYS,
 * so a retry or a replay sends exactly what was signed the first time,
 * re-signed with a new time; src/domain/delivery-log.ts).
 */
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./schema";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    /** JSON array of the event types it wants. */
    events: text("events").notNull(),
    /** AES-GCM ciphertext of the signing secret (needed in clear to sign). */
    secretEnc: text("secret_enc").notNull(),
    /** active, disabled (by the account), failing (deliveries gave up after 24 h). */
    status: text("status").notNull().default("active"),
    failingSince: text("failing_since"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [index("webhook_endpoints_account_idx").on(t.accountId, t.createdAt)],
);

export const callbackDeliveries = sqliteTable(
  "callback_deliveries",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    /** The endpoint, or null for a broadcast's own status_callback_url. */
    endpointId: text("endpoint_id"),
    url: text("url").notNull(),
    /** JSON: `{events: [...]}` exactly as POSTed; empty once it aged out (AGED_OUT_BODY). */
    body: text("body").notNull(),
    eventCount: integer("event_count").notNull(),
    /** pending, delivered, failed (given up). */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    nextAttemptAt: text("next_attempt_at"),
    createdAt: text("created_at").notNull().default(now),
    deliveredAt: text("delivered_at"),
  },
  (t) => [
    index("callback_deliveries_endpoint_idx").on(t.endpointId, t.createdAt),
    // Only the rows still holding a body: the replay window's sweep finds the
    // oldest without reading the rest (src/db/callback-deliveries.ts).
    index("callback_deliveries_body_kept_idx").on(t.createdAt).where(sql`body != ''`),
  ],
);

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;
export type CallbackDelivery = typeof callbackDeliveries.$inferSelect;

/** A delivery as the shard is handed it: its id (month included) and creation time chosen by the caller. */
export type ShardDelivery = Pick<
  CallbackDelivery,
  "id" | "accountId" | "endpointId" | "url" | "body" | "eventCount" | "createdAt"
>;

export type DeliveryAttempt = Partial<
  Pick<
    CallbackDelivery,
    "status" | "attempts" | "lastStatusCode" | "lastError" | "nextAttemptAt" | "deliveredAt"
  >
>;
