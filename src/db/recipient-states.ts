/**
 * The projection of recipients (see schema.ts `recipientStates`): written in
 * batches by each BroadcastDO, read by message_statuses, logs and replies;
 * in D1, or in the account's month shards (src/db/data-plane.ts).
 */
import { shardMonth } from "../domain/data-shard";
import type { Bindings } from "../env";
import { accountDataPlane, readsShards } from "./data-plane";
import { accountMonths, accountShard, broadcastMonth } from "./projection-shards";
import { accountsOfNumber } from "./senders";

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

/**
 * Deletes one broadcast's projection rows (its removal, retention's archive)
 * wherever they are: D1, and its month shard once the account writes there.
 * `createdAt` names the shard (read from the summary when not given).
 */
export async function deleteRecipientStates(
  env: Bindings,
  accountId: string,
  broadcastId: string,
  createdAt?: string,
): Promise<void> {
  await env.DB.prepare("DELETE FROM recipient_states WHERE account_id = ? AND broadcast_id = ?")
    .bind(accountId, broadcastId)
    .run();
  if ((await accountDataPlane(env.DB, accountId)) === "d1") return;
  const month = createdAt
    ? shardMonth(createdAt)
    : await broadcastMonth(env.DB, accountId, broadcastId);
  if (month) await accountShard(env, accountId, month).deleteBroadcast(broadcastId);
}

export interface MessageRef {
  accountId: string;
  broadcastId: string;
  seq: number;
}

/** The accounts sending from this number, split by where their projection is read. */
async function accountsByPlane(
  env: Bindings,
  phoneNumberId: string,
): Promise<{ d1: string[]; shards: string[] }> {
  const accounts = await accountsOfNumber(env.DB, phoneNumberId);
  const planes = await Promise.all(accounts.map((a) => accountDataPlane(env.DB, a)));
  return {
    d1: accounts.filter((_, i) => !readsShards(planes[i] ?? "d1")),
    shards: accounts.filter((_, i) => readsShards(planes[i] ?? "d1")),
  };
}

/**
 * The broadcast message with this wamid, sent from this number: a webhook
 * names the number it came to (metadata.phone_number_id), whose senders name
 * the accounts, so the lookup never leaves them. On shards, the account's
 * months are asked newest first (a webhook is mostly about a recent message).
 */
export async function findByWamid(
  env: Bindings,
  wamid: string,
  phoneNumberId: string,
): Promise<MessageRef | null> {
  const accounts = await accountsByPlane(env, phoneNumberId);
  if (accounts.d1.length > 0) {
    const row = await env.DB.prepare(
      `SELECT account_id, broadcast_id, seq FROM recipient_states
       WHERE wamid = ? AND account_id IN (SELECT value FROM json_each(?)) LIMIT 1`,
    )
      .bind(wamid, JSON.stringify(accounts.d1))
      .first<{ account_id: string; broadcast_id: string; seq: number }>();
    if (row) return { accountId: row.account_id, broadcastId: row.broadcast_id, seq: row.seq };
  }
  for (const accountId of accounts.shards) {
    for (const month of await accountMonths(env.DB, accountId)) {
      const hit = await accountShard(env, accountId, month).findByWamid(wamid);
      if (hit) return { accountId, ...hit };
    }
  }
  return null;
}

/** The latest broadcast message sent to `identifier` from this number since `since`. */
export async function findLatestSent(
  env: Bindings,
  phoneNumberId: string,
  identifier: string,
  since: string,
): Promise<MessageRef | null> {
  const accounts = await accountsByPlane(env, phoneNumberId);
  const found: (MessageRef & { submittedAt: string })[] = [];
  if (accounts.d1.length > 0) {
    const row = await env.DB.prepare(
      `SELECT account_id, broadcast_id, seq, submitted_at FROM recipient_states
       WHERE phone_number_id = ? AND identifier = ? AND submitted_at >= ?
         AND account_id IN (SELECT value FROM json_each(?))
       ORDER BY submitted_at DESC LIMIT 1`,
    )
      .bind(phoneNumberId, identifier, since, JSON.stringify(accounts.d1))
      .first<{ account_id: string; broadcast_id: string; seq: number; submitted_at: string }>();
    if (row)
      found.push({
        accountId: row.account_id,
        broadcastId: row.broadcast_id,
        seq: row.seq,
        submittedAt: row.submitted_at,
      });
  }
  // A message sent since `since` changed its broadcast's summary since then: only those months.
  const inShards = await Promise.all(
    accounts.shards.map(async (accountId) => {
      const months = await accountMonths(env.DB, accountId, since);
      const hits = await Promise.all(
        months.map((m) =>
          accountShard(env, accountId, m).findLatestSent([phoneNumberId], identifier, since),
        ),
      );
      return hits.flatMap((h) => (h ? [{ accountId, ...h }] : []));
    }),
  );
  found.push(...inShards.flat());
  found.sort((a, b) =>
    a.submittedAt < b.submittedAt ? 1 : a.submittedAt > b.submittedAt ? -1 : 0,
  );
  const latest = found[0];
  return latest
    ? { accountId: latest.accountId, broadcastId: latest.broadcastId, seq: latest.seq }
    : null;
}

/** The number a projected recipient was sent to (for a reply that names no phone). */
export async function identifierOf(env: Bindings, ref: MessageRef): Promise<string | null> {
  if (readsShards(await accountDataPlane(env.DB, ref.accountId))) {
    const month = await broadcastMonth(env.DB, ref.accountId, ref.broadcastId);
    return month
      ? accountShard(env, ref.accountId, month).identifierOf(ref.broadcastId, ref.seq)
      : null;
  }
  const row = await env.DB.prepare(
    "SELECT identifier FROM recipient_states WHERE account_id = ? AND broadcast_id = ? AND seq = ?",
  )
    .bind(ref.accountId, ref.broadcastId, ref.seq)
    .first<{ identifier: string }>();
  return row?.identifier ?? null;
}
