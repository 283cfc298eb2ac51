/**
 * The D1 projection of recipients (see schema.ts `recipientStates`): written in
 * batches by each BroadcastDO, read by message_statuses, logs and replies.
 */
export interface RecipientStateRow {
  broadcastId: string;
  seq: number;
  accountId: string;
  phoneNumberId: string;
  identifier: string;
  clientReference: string | null;
  name: string | null;
  wamid: string | null;
  status: string;
  error: string | null;
  errorCode: number | null;
  submittedAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  repliedAt: string | null;
  replyText: string | null;
  createdAt: string;
  updatedAt: string;
}

const COLUMNS = [
  "broadcast_id",
  "seq",
  "account_id",
  "phone_number_id",
  "identifier",
  "client_reference",
  "name",
  "wamid",
  "status",
  "error",
  "error_code",
  "submitted_at",
  "delivered_at",
  "read_at",
  "replied_at",
  "reply_text",
  "created_at",
  "updated_at",
] as const;

/**
 * Rows travel as one JSON parameter per statement and are unpacked by
 * json_each: D1 allows only 100 bound parameters per statement (5 rows of 18),
 * but a single parameter may hold up to 2 MB, so 500 rows cost one statement.
 */
export const ROWS_PER_STATEMENT = 500;
const UPDATE_SET = COLUMNS.filter((c) => c !== "broadcast_id" && c !== "seq" && c !== "created_at")
  .map((c) => `${c} = excluded.${c}`)
  .join(", ");
const SELECT_LIST = COLUMNS.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
/** The projection's upsert of one JSON array of rows: D1's, and an account shard's (the same table). */
export const UPSERT_RECIPIENT_STATES = `INSERT INTO recipient_states (${COLUMNS.join(", ")})
  SELECT ${SELECT_LIST} FROM json_each(?) WHERE true
  ON CONFLICT (broadcast_id, seq) DO UPDATE SET ${UPDATE_SET}`;

/** A row as the upsert's JSON tuple, in COLUMNS order. */
export function recipientStateValues(r: RecipientStateRow): (string | number | null)[] {
  return [
    r.broadcastId,
    r.seq,
    r.accountId,
    r.phoneNumberId,
    r.identifier,
    r.clientReference,
    r.name,
    r.wamid,
    r.status,
    r.error,
    r.errorCode,
    r.submittedAt,
    r.deliveredAt,
    r.readAt,
    r.repliedAt,
    r.replyText,
    r.createdAt,
    r.updatedAt,
  ];
}

export async function upsertRecipientStates(
  d1: D1Database,
  rows: RecipientStateRow[],
): Promise<void> {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    statements.push(
      d1.prepare(UPSERT_RECIPIENT_STATES).bind(JSON.stringify(chunk.map(recipientStateValues))),
    );
  }
  if (statements.length > 0) await d1.batch(statements);
}

export async function deleteRecipientStates(
  d1: D1Database,
  accountId: string,
  broadcastId: string,
): Promise<void> {
  await d1
    .prepare("DELETE FROM recipient_states WHERE account_id = ? AND broadcast_id = ?")
    .bind(accountId, broadcastId)
    .run();
}

export interface MessageRef {
  accountId: string;
  broadcastId: string;
  seq: number;
}

export async function findByWamid(d1: D1Database, wamid: string): Promise<MessageRef | null> {
  const row = await d1
    .prepare("SELECT account_id, broadcast_id, seq FROM recipient_states WHERE wamid = ? LIMIT 1")
    .bind(wamid)
    .first<{ account_id: string; broadcast_id: string; seq: number }>();
  return row ? { accountId: row.account_id, broadcastId: row.broadcast_id, seq: row.seq } : null;
}

/** The latest broadcast message sent to `identifier` from this number since `since`. */
export async function findLatestSent(
  d1: D1Database,
  phoneNumberId: string,
  identifier: string,
  since: string,
): Promise<MessageRef | null> {
  const row = await d1
    .prepare(
      `SELECT account_id, broadcast_id, seq FROM recipient_states
       WHERE phone_number_id = ? AND identifier = ? AND submitted_at >= ?
       ORDER BY submitted_at DESC LIMIT 1`,
    )
    .bind(phoneNumberId, identifier, since)
    .first<{ account_id: string; broadcast_id: string; seq: number }>();
  return row ? { accountId: row.account_id, broadcastId: row.broadcast_id, seq: row.seq } : null;
}

/** The number a projected recipient was sent to (for a reply that names no phone). */
export async function identifierOf(d1: D1Database, ref: MessageRef): Promise<string | null> {
  const row = await d1
    .prepare(
      "SELECT identifier FROM recipient_states WHERE account_id = ? AND broadcast_id = ? AND seq = ?",
    )
    .bind(ref.accountId, ref.broadcastId, ref.seq)
    .first<{ identifier: string }>();
  return row?.identifier ?? null;
}
