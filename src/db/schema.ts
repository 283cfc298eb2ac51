/**
 * D1 schema: what must be queried across broadcasts. Timestamps are ISO 8601
 * strings in UTC (they sort lexically and read well in a SQL shell).
 * Migrations are generated from this file by `npm run db:generate`.
 */
import { sql } from "drizzle-orm";
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** JSON array of extra opt-out keywords; STOP always counts. */
  optOutKeywords: text("opt_out_keywords").notNull().default("[]"),
  /** Default sending window of its broadcasts, JSON `{start, end}` ("HH:MM"); null: any time. */
  sendWindow: text("send_window"),
  /** Whose clock the default window reads: "recipient" or an IANA zone. */
  windowTimezone: text("window_timezone").notNull().default("recipient"),
  /** AES-GCM ciphertext of the secret that signs broadcasts' own status_callback_url deliveries. */
  callbackSecretEnc: text("callback_secret_enc"),
  /** Recipients of broadcasts finished longer ago than this are archived to R2 and leave the hot stores. */
  recipientRetentionDays: integer("recipient_retention_days").notNull().default(400),
  /**
   * Where its projection is written and read (docs/SCALING.md §5, migration
   * path; src/db/data-plane.ts): "d1", "dual", "shards-dual" or "shards".
   * New accounts start on "shards" (NEW_ACCOUNT_DATA_PLANE, set by
   * createAccount and the dev seed); the column's SQL default stays "d1",
   * what accounts made before the shards have: changing a SQL default makes
   * drizzle-kit rebuild the table,
   * and on D1, which enforces foreign keys inside migrations (PRAGMA
   * foreign_keys=OFF has no effect there), dropping `accounts` would
   * cascade-delete every account's rows.
   */
  dataPlane: text("data_plane").notNull().default("d1"),
  /** When data_plane last changed (the move waits for every isolate to see a step). */
  dataPlaneChangedAt: text("data_plane_changed_at"),
  /**
   * Reject marketing templates to US +1 numbers at create: Meta has not
   * delivered them since 2025-04-01 (131049). On by default; off once Meta lifts it.
   */
  blockUsMarketing: integer("block_us_marketing", { mode: "boolean" }).notNull().default(true),
  /** Pause live broadcasts of a template whose quality Meta rates RED (on by default). */
  pauseOnRedQuality: integer("pause_on_red_quality", { mode: "boolean" }).notNull().default(true),
  /**
   * At most N marketing templates per person per D days across every
   * broadcast, JSON `{messages, days}` (domain/frequency-cap.ts); null: off (the default).
   */
  marketingFrequencyCap: text("marketing_frequency_cap"),
  createdAt: text("created_at").notNull().default(now),
});

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull().default("default"),
    /** Hex SHA-256 of the whole key: the only form in which a key is stored. */
    keyHash: text("key_hash").notNull(),
    /** The first characters of the key, to tell keys apart in a list. */
    prefix: text("prefix").notNull(),
    createdAt: text("created_at").notNull().default(now),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [
    uniqueIndex("api_keys_hash_idx").on(t.keyHash),
    index("api_keys_account_idx").on(t.accountId),
  ],
);

export const locations = sqliteTable(
  "locations",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    timezone: text("timezone").notNull().default("UTC"),
    senderId: text("sender_id"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [index("locations_account_idx").on(t.accountId, t.createdAt)],
);

export const senders = sqliteTable(
  "senders",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    locationId: text("location_id"),
    /** Display number in E.164 digits without '+': what clients put in `from`. */
    phoneNumber: text("phone_number").notNull(),
    phoneNumberId: text("phone_number_id").notNull(),
    wabaId: text("waba_id").notNull(),
    /** AES-GCM ciphertext of the Cloud API access token (base64 iv.ciphertext). */
    accessTokenEnc: text("access_token_enc").notNull(),
    throughputMps: integer("throughput_mps").notNull().default(80),
    /**
     * Which path the sender's MARKETING templates take: `cloud_api` (`/messages`) or
     * `marketing_messages` (`/marketing_messages`, Meta's Marketing Messages API).
     * Utility and authentication templates always take `/messages`.
     */
    marketingApi: text("marketing_api", { enum: ["cloud_api", "marketing_messages"] })
      .notNull()
      .default("cloud_api"),
    /** Marketing Messages API `product_policy`: CLOUD_API_FALLBACK (Meta's default) or STRICT. */
    marketingProductPolicy: text("marketing_product_policy", {
      enum: ["CLOUD_API_FALLBACK", "STRICT"],
    })
      .notNull()
      .default("CLOUD_API_FALLBACK"),
    /** Marketing Messages API `message_activity_sharing`: share message activity with Meta. */
    marketingActivitySharing: integer("marketing_activity_sharing", { mode: "boolean" })
      .notNull()
      .default(false),
    /**
     * The portfolio's messaging limit: unique people reached in a moving 24 h
     * (250, 2000, 10000, 100000); null: unlimited or unknown (not enforced).
     */
    messagingLimit: integer("messaging_limit"),
    /**
     * The business portfolio that owns the WABA (Meta's `owner_business_info.id`,
     * read on sync): senders of one portfolio share its messaging limit; null
     * until Meta gave it (the WABA stands for the portfolio then).
     */
    businessId: text("business_id"),
    /** Meta's latest quality signal for the number (FLAGGED, DOWNGRADE…), JSON; null when clear. */
    qualityWarning: text("quality_warning"),
    isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    uniqueIndex("senders_account_phone_idx").on(t.accountId, t.phoneNumber),
    index("senders_phone_number_id_idx").on(t.phoneNumberId),
  ],
);

export const templates = sqliteTable(
  "templates",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    wabaId: text("waba_id").notNull(),
    /** Meta's template id. */
    metaId: text("meta_id"),
    name: text("name").notNull(),
    language: text("language").notNull(),
    status: text("status").notNull(),
    category: text("category").notNull(),
    parameterFormat: text("parameter_format").notNull().default("POSITIONAL"),
    /** Meta's latest `message_template_quality_update`: GREEN, YELLOW, RED, UNKNOWN; null before one. */
    qualityScore: text("quality_score"),
    /** Meta's `message_send_ttl_seconds`: how long Meta tries to deliver; null when Meta gives none (its default for the category). */
    sendTtlSeconds: integer("send_ttl_seconds"),
    /** Meta's `components` array, as JSON. */
    components: text("components").notNull(),
    syncedAt: text("synced_at").notNull().default(now),
  },
  (t) => [uniqueIndex("templates_lookup_idx").on(t.accountId, t.wabaId, t.name, t.language)],
);

export type Account = typeof accounts.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;
export type Location = typeof locations.$inferSelect;
export type Sender = typeof senders.$inferSelect;
export type Template = typeof templates.$inferSelect;

/**
 * Marketing-only opt-outs (Meta's `user_preferences` webhook, or a 131050):
 * the person stopped marketing from this business, utility still goes. One
 * row per account and subject, the subject being a phone (E.164 digits) or a
 * business-scoped user id, so either finds it; the latest of Meta's
 * timestamps wins, and a `resume` is kept (an older `stop` arriving later
 * must not win). Per business, not per number: whether Meta's choice is per
 * number is unconfirmed, so the safer reading is kept.
 */
export const marketingOptOuts = sqliteTable(
  "marketing_opt_outs",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** A phone (digits) or a user id (`CC.…`). */
    subject: text("subject").notNull(),
    /** The phone, when Meta gave it (a user-id row keeps it so that lists can show it). */
    phone: text("phone"),
    userId: text("user_id"),
    /** `stop` or `resume`. */
    state: text("state").notNull(),
    /** Meta's event time, epoch ms: the latest wins. */
    at: integer("at").notNull(),
    /** `user_preferences` (the webhook) or `131050` (a failed status). */
    source: text("source").notNull(),
    detail: text("detail").notNull(),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.subject] }),
    index("marketing_opt_outs_state_idx").on(t.accountId, t.state, t.at),
  ],
);

export type MarketingOptOut = typeof marketingOptOuts.$inferSelect;

/**
 * One row per broadcast (both surfaces): the summary the BroadcastDO keeps
 * current, for lists and lookups across broadcasts. The DO is the truth.
 */
export const broadcasts = sqliteTable(
  "broadcasts",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** "broadcasts" (inline recipients) or "v1" (the account's audience). */
    surface: text("surface").notNull(),
    name: text("name").notNull(),
    status: text("status").notNull(),
    templateName: text("template_name").notNull(),
    templateLanguage: text("template_language").notNull(),
    senderId: text("sender_id"),
    locationId: text("location_id"),
    scheduledAt: text("scheduled_at"),
    validUntil: text("valid_until"),
    startedAt: text("started_at"),
    completedAt: text("completed_at"),
    pauseReason: text("pause_reason"),
    total: integer("total").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    submitted: integer("submitted").notNull().default(0),
    sent: integer("sent").notNull().default(0),
    delivered: integer("delivered").notNull().default(0),
    read: integer("read").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    replied: integer("replied").notNull().default(0),
    cancelled: integer("cancelled").notNull().default(0),
    /** The v1 surface's own fields (audience, parameters), as JSON. */
    definition: text("definition"),
    /** When retention moved its recipients to the R2 archive (its summary and counters stay here). */
    archivedAt: text("archived_at"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    index("broadcasts_account_created_idx").on(t.accountId, t.createdAt),
    index("broadcasts_account_scheduled_idx").on(t.accountId, t.scheduledAt),
  ],
);

export type BroadcastRow = typeof broadcasts.$inferSelect;

/** Numbers that must never be messaged again by this account (opt-outs, manual blocks). */
export const suppressions = sqliteTable(
  "suppressions",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /**
     * E.164 digits without '+'; or, for a person Meta named only by a
     * business-scoped user id (a STOP from `from_user_id`), that user id.
     */
    phone: text("phone").notNull(),
    /** The person's business-scoped user id, when known: a recipient addressed by it is suppressed too. */
    userId: text("user_id"),
    reason: text("reason").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.phone] }),
    index("suppressions_user_id_idx").on(t.accountId, t.userId),
  ],
);

/**
 * The projection of every recipient's state, flushed by its BroadcastDO in
 * batches (an outbox): what message_statuses, logs and reply attribution
 * query across broadcasts. The DO stays the source of truth.
 */
export const recipientStates = sqliteTable(
  "recipient_states",
  {
    broadcastId: text("broadcast_id").notNull(),
    seq: integer("seq").notNull(),
    accountId: text("account_id").notNull(),
    phoneNumberId: text("phone_number_id").notNull(),
    identifier: text("identifier").notNull(),
    clientReference: text("client_reference"),
    name: text("name"),
    wamid: text("wamid"),
    status: text("status").notNull(),
    error: text("error"),
    errorCode: integer("error_code"),
    submittedAt: text("submitted_at"),
    deliveredAt: text("delivered_at"),
    readAt: text("read_at"),
    repliedAt: text("replied_at"),
    replyText: text("reply_text"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.broadcastId, t.seq] }),
    index("recipient_states_account_ref_idx").on(t.accountId, t.clientReference),
    index("recipient_states_account_updated_idx").on(t.accountId, t.updatedAt),
    index("recipient_states_wamid_idx").on(t.wamid),
    index("recipient_states_reply_idx").on(t.phoneNumberId, t.identifier, t.submittedAt),
  ],
);
