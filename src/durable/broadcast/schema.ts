/**
 * The BroadcastDO's own SQLite tables. `recipients` is the source of truth for
 * every recipient; `counters` holds one exact count per status, changed in the
 * same synchronous transaction as the rows it counts. `verdicts` is the
 * circuit breaker's window (Meta's last verdicts, kept across restarts);
 * `send_latency` a histogram of Meta's answer times (10 ms buckets);
 * `send_metrics` the send path's own figures (slots missed, most claimed at once).
 */
export const BROADCAST_DO_SCHEMA = `
CREATE TABLE IF NOT EXISTS broadcast (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  plan TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  started_at TEXT,
  completed_at TEXT,
  pause_reason TEXT,
  loading_deadline INTEGER,
  next_batch_id INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL DEFAULT 1,
  flushed_version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS recipients (
  seq INTEGER PRIMARY KEY,
  identifier TEXT NOT NULL,
  client_reference TEXT,
  name TEXT,
  components TEXT,
  status TEXT NOT NULL,
  errors TEXT,
  error_code INTEGER,
  error_title TEXT,
  error_details TEXT,
  wamid TEXT,
  batch_id INTEGER,
  claimed_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  submitted_at TEXT,
  sent_at TEXT,
  delivered_at TEXT,
  read_at TEXT,
  failed_at TEXT,
  replied_at TEXT,
  reply_text TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  rev INTEGER NOT NULL DEFAULT 1,
  projected INTEGER NOT NULL DEFAULT 0,
  timezone TEXT,
  next_send_at INTEGER
);
CREATE INDEX IF NOT EXISTS recipients_status_idx ON recipients (status, seq);
CREATE INDEX IF NOT EXISTS recipients_batch_idx ON recipients (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS recipients_updated_idx ON recipients (updated_at, seq);
CREATE UNIQUE INDEX IF NOT EXISTS recipients_wamid_idx ON recipients (wamid) WHERE wamid IS NOT NULL;
CREATE INDEX IF NOT EXISTS recipients_projection_idx ON recipients (seq) WHERE rev > projected;
CREATE TABLE IF NOT EXISTS counters (
  name TEXT PRIMARY KEY,
  n INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS send_rate (
  second INTEGER PRIMARY KEY,
  n INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS verdicts (
  i INTEGER PRIMARY KEY AUTOINCREMENT,
  ok INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS send_latency (
  bucket_ms INTEGER PRIMARY KEY,
  n INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS send_metrics (
  name TEXT PRIMARY KEY,
  n INTEGER NOT NULL
);
`;

/**
 * Columns added after the first release: CREATE TABLE IF NOT EXISTS leaves an
 * older table as it was, so each is added to it when missing.
 */
export const ADDED_RECIPIENT_COLUMNS: ReadonlyArray<[name: string, type: string]> = [
  ["timezone", "TEXT"],
  ["next_send_at", "INTEGER"],
  // The person's latest reaction to the message (engagement, not a reply) and its time.
  ["reaction", "TEXT"],
  ["reacted_at", "TEXT"],
  // Meta's pricing of the message, from the first status that carried it (domain/cost.ts):
  // category, type, billable (1, 0, or -1 when Meta did not say: it is being deprecated),
  // when, and the recipient's calling code then (kept through an erasure of the number).
  ["pricing_category", "TEXT"],
  ["pricing_type", "TEXT"],
  ["pricing_billable", "INTEGER"],
  ["priced_at", "TEXT"],
  ["pricing_calling_code", "TEXT"],
  // Meta's per-user marketing limit (131049): times put back for it, and the given-up try's wamid.
  ["marketing_retries", "INTEGER NOT NULL DEFAULT 0"],
  ["previous_wamid", "TEXT"],
  // Meta answered held_for_quality_assessment (pacing): when, until its next status.
  ["held_at", "TEXT"],
  // The Cloud API path that accepted the message: messages, or marketing_messages (the
  // Marketing Messages API); null before it was accepted.
  ["endpoint", "TEXT"],
  // The person's business-scoped user id, from Meta's statuses (`recipient_user_id`, 2026).
  ["user_id", "TEXT"],
];

/** Indexes on added columns: created once the columns exist. */
export const LATE_INDEXES = `
CREATE INDEX IF NOT EXISTS recipients_due_idx ON recipients (next_send_at, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS recipients_held_idx ON recipients (seq) WHERE held_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS recipients_submitted_at_idx ON recipients (status, submitted_at);
`;
