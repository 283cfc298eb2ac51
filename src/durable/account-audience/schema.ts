/**
 * The AccountAudienceDO's tables: D1's audience tables (src/db/audience-schema.ts,
 * migrations 0003 and 0011) column for column, so the same statements run on
 * both and a row moves between them unchanged, with the foreign keys inside
 * the audience (members and enrolments go with their contact, segment or
 * class). `account_id` and `location_id` name D1 rows and cannot be foreign
 * keys here: the object is one account's, and a location is checked in code
 * when named and cleared when deleted (src/db/audience-locations.ts).
 */
export const AUDIENCE_SCHEMA = `
CREATE TABLE IF NOT EXISTS contacts (
  id text PRIMARY KEY NOT NULL,
  account_id text NOT NULL,
  location_id text,
  name text,
  first_name text,
  last_name text,
  phone text NOT NULL,
  opted_in integer DEFAULT true NOT NULL,
  custom_fields text DEFAULT '{}' NOT NULL,
  created_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
  updated_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
  user_id text
);
CREATE UNIQUE INDEX IF NOT EXISTS contacts_account_phone_idx ON contacts (account_id, phone);
CREATE INDEX IF NOT EXISTS contacts_location_idx ON contacts (location_id, phone);
CREATE INDEX IF NOT EXISTS contacts_account_created_idx ON contacts (account_id, created_at);
CREATE INDEX IF NOT EXISTS contacts_account_user_id_idx ON contacts (account_id, user_id);
CREATE TABLE IF NOT EXISTS segments (
  id text PRIMARY KEY NOT NULL,
  account_id text NOT NULL,
  location_id text,
  name text NOT NULL,
  created_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
  updated_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
CREATE INDEX IF NOT EXISTS segments_account_created_idx ON segments (account_id, created_at);
CREATE INDEX IF NOT EXISTS segments_location_idx ON segments (location_id);
CREATE TABLE IF NOT EXISTS segment_members (
  segment_id text NOT NULL,
  contact_id text NOT NULL,
  account_id text NOT NULL,
  added_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
  PRIMARY KEY (segment_id, contact_id),
  FOREIGN KEY (segment_id) REFERENCES segments(id) ON UPDATE no action ON DELETE cascade,
  FOREIGN KEY (contact_id) REFERENCES contacts(id) ON UPDATE no action ON DELETE cascade
);
CREATE INDEX IF NOT EXISTS segment_members_contact_idx ON segment_members (contact_id);
CREATE TABLE IF NOT EXISTS classes (
  id text PRIMARY KEY NOT NULL,
  account_id text NOT NULL,
  location_id text,
  name text NOT NULL,
  starts_at text NOT NULL,
  created_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
  updated_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL
);
CREATE INDEX IF NOT EXISTS classes_account_starts_idx ON classes (account_id, starts_at);
CREATE INDEX IF NOT EXISTS classes_location_idx ON classes (location_id);
CREATE TABLE IF NOT EXISTS enrolments (
  class_id text NOT NULL,
  contact_id text NOT NULL,
  account_id text NOT NULL,
  status text DEFAULT 'BOOKED' NOT NULL,
  created_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
  updated_at text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
  PRIMARY KEY (class_id, contact_id),
  FOREIGN KEY (class_id) REFERENCES classes(id) ON UPDATE no action ON DELETE cascade,
  FOREIGN KEY (contact_id) REFERENCES contacts(id) ON UPDATE no action ON DELETE cascade
);
CREATE INDEX IF NOT EXISTS enrolments_contact_idx ON enrolments (contact_id);
CREATE TABLE IF NOT EXISTS audience_state (
  key text PRIMARY KEY NOT NULL,
  value text NOT NULL
);
`;
