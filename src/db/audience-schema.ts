/**
 * D1 schema of the account's audience (the v1 API): contacts, segments and
 * their members, classes and their enrolments. Locations and suppressions
 * live in ./schema. Timestamps are ISO 8601 strings in UTC, as there.
 *
 * Every row carries its account. Membership and enrolment rows are deleted
 * with their segment, class or contact (ON DELETE CASCADE), which are deleted
 * with their account; a location referenced by any of them cannot be deleted
 * through the API (409), and the foreign keys' SET NULL is only a backstop.
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
import { ENROLMENT_STATUSES, type EnrolmentStatus } from "../domain/v1-broadcast";
import { accounts, locations } from "./schema";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`;

export const contacts = sqliteTable(
  "contacts",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    locationId: text("location_id").references(() => locations.id, { onDelete: "set null" }),
    name: text("name"),
    firstName: text("first_name"),
    lastName: text("last_name"),
    /** E.164 digits without '+', unique within the account. */
    phone: text("phone").notNull(),
    /**
     * The person's business-scoped user id (`US.1349…`), learned from Meta's
     * webhooks when they name this phone (or the message sent to it) and a user id.
     */
    userId: text("user_id"),
    optedIn: integer("opted_in", { mode: "boolean" }).notNull().default(true),
    /** JSON object of string → string. */
    customFields: text("custom_fields").notNull().default("{}"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    // Lookups and upserts by phone; the `client` audience streams in this order.
    uniqueIndex("contacts_account_phone_idx").on(t.accountId, t.phone),
    // Led by location_id so that the foreign key check on a location delete is
    // an index lookup; location ids are unique, so it also serves per-location
    // audiences (in phone order) and the locationId filter.
    index("contacts_location_idx").on(t.locationId, t.phone),
    index("contacts_account_created_idx").on(t.accountId, t.createdAt),
    index("contacts_account_user_id_idx").on(t.accountId, t.userId),
  ],
);

export const segments = sqliteTable(
  "segments",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    locationId: text("location_id").references(() => locations.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    index("segments_account_created_idx").on(t.accountId, t.createdAt),
    index("segments_location_idx").on(t.locationId),
  ],
);

/** account_id is a copy for scoping; the row goes with its segment or contact. */
export const segmentMembers = sqliteTable(
  "segment_members",
  {
    segmentId: text("segment_id")
      .notNull()
      .references(() => segments.id, { onDelete: "cascade" }),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    accountId: text("account_id").notNull(),
    addedAt: text("added_at").notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.segmentId, t.contactId] }),
    index("segment_members_contact_idx").on(t.contactId),
  ],
);

export const classes = sqliteTable(
  "classes",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    locationId: text("location_id").references(() => locations.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    /** ISO 8601 in UTC. */
    startsAt: text("starts_at").notNull(),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    index("classes_account_starts_idx").on(t.accountId, t.startsAt),
    index("classes_location_idx").on(t.locationId),
  ],
);

export { ENROLMENT_STATUSES, type EnrolmentStatus };

/** account_id is a copy for scoping; the row goes with its class or contact. */
export const enrolments = sqliteTable(
  "enrolments",
  {
    classId: text("class_id")
      .notNull()
      .references(() => classes.id, { onDelete: "cascade" }),
    contactId: text("contact_id")
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    accountId: text("account_id").notNull(),
    status: text("status", { enum: ENROLMENT_STATUSES }).notNull().default("BOOKED"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.classId, t.contactId] }),
    index("enrolments_contact_idx").on(t.contactId),
  ],
);

export type Contact = typeof contacts.$inferSelect;
export type Segment = typeof segments.$inferSelect;
export type Class = typeof classes.$inferSelect;
export type Enrolment = typeof enrolments.$inferSelect;
