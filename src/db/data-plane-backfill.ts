/**
 * The D1 side of moving an account's projection to its own shards
 * (docs/SCALING.md §5, migration path): its broadcasts with their creation
 * time (the shard key), their projection rows page by page in primary-key
 * order, and each broadcast's fingerprint for the verification.
 */
import { FINGERPRINT_SQL, type Fingerprint } from "../domain/data-shard";
import type { RecipientStateRow } from "./recipient-states";

export async function accountBroadcasts(
  d1: D1Database,
  accountId: string,
): Promise<{ broadcastId: string; createdAt: string }[]> {
  const { results } = await d1
    .prepare("SELECT id, created_at FROM broadcasts WHERE account_id = ? ORDER BY created_at, id")
    .bind(accountId)
    .all<{ id: string; created_at: string }>();
  return results.map((r) => ({ broadcastId: r.id, createdAt: r.created_at }));
}

interface ProjectionRow {
  broadcast_id: string;
  seq: number;
  account_id: string;
  phone_number_id: string;
  identifier: string;
  client_reference: string | null;
  name: string | null;
  wamid: string | null;
  status: string;
  error: string | null;
  error_code: number | null;
  submitted_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  replied_at: string | null;
  reply_text: string | null;
  created_at: string;
  updated_at: string;
}

/** The next `limit` rows of one broadcast after `afterSeq` (its primary key: an index range). */
export async function projectionPage(
  d1: D1Database,
  accountId: string,
  broadcastId: string,
  afterSeq: number,
  limit: number,
): Promise<RecipientStateRow[]> {
  const { results } = await d1
    .prepare(
      `SELECT * FROM recipient_states WHERE broadcast_id = ? AND seq > ? AND account_id = ?
       ORDER BY seq LIMIT ?`,
    )
    .bind(broadcastId, afterSeq, accountId, limit)
    .all<ProjectionRow>();
  return results.map((r) => ({
    broadcastId: r.broadcast_id,
    seq: Number(r.seq),
    accountId: r.account_id,
    phoneNumberId: r.phone_number_id,
    identifier: r.identifier,
    clientReference: r.client_reference,
    name: r.name,
    wamid: r.wamid,
    status: r.status,
    error: r.error,
    errorCode: r.error_code,
    submittedAt: r.submitted_at,
    deliveredAt: r.delivered_at,
    readAt: r.read_at,
    repliedAt: r.replied_at,
    replyText: r.reply_text,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

export async function projectionFingerprint(
  d1: D1Database,
  accountId: string,
  broadcastId: string,
): Promise<Fingerprint> {
  const row = await d1
    .prepare(
      `SELECT ${FINGERPRINT_SQL} FROM recipient_states WHERE broadcast_id = ? AND account_id = ?`,
    )
    .bind(broadcastId, accountId)
    .first<{ rows: number; latest: string | null; sum: number | null }>();
  return {
    broadcastId,
    rows: Number(row?.rows ?? 0),
    latest: row?.latest ?? null,
    sum: Number(row?.sum ?? 0),
  };
}
