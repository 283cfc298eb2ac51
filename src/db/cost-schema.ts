/**
 * D1 tables for what broadcasts cost: the rate cards an operator loaded from
 * Meta's CSVs, and each broadcast's priced messages per day (a few rows per
 * broadcast: day × calling code × category × pricing type, not per recipient).
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./schema";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

/** One card per currency and effective day; a reload of the same day replaces it. */
export const rateCards = sqliteTable(
  "rate_cards",
  {
    currency: text("currency").notNull(),
    /** YYYY-MM-DD, UTC: in force from this day until the next card of the currency. */
    effective: text("effective").notNull(),
    source: text("source").notNull(),
    /** The markets and their rates, as JSON (domain/cost.ts MarketRates[]). */
    markets: text("markets").notNull(),
    loadedAt: text("loaded_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.currency, t.effective] })],
);

/**
 * Priced messages (Meta's `pricing` on a status), written by each BroadcastDO
 * as absolute counts: a flush replaces its broadcast's rows.
 */
export const usage = sqliteTable(
  "usage",
  {
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    broadcastId: text("broadcast_id").notNull(),
    /** YYYY-MM-DD (UTC) of the status that carried the pricing. */
    day: text("day").notNull(),
    /** The recipient's calling code ("" when unknown): the card in force names the market. */
    callingCode: text("calling_code").notNull(),
    category: text("category").notNull(),
    /** regular | free_customer_service | free_entry_point ("" when Meta sent none). */
    type: text("type").notNull(),
    /** 1, 0, or -1 when Meta did not say (billable is being deprecated). */
    billable: integer("billable").notNull(),
    messages: integer("messages").notNull(),
  },
  (t) => [
    primaryKey({
      columns: [t.broadcastId, t.day, t.callingCode, t.category, t.type, t.billable],
    }),
    index("usage_account_day_idx").on(t.accountId, t.day),
  ],
);
