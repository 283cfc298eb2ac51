/**
 * The per-account data plane's shard key (docs/SCALING.md §5): one store per
 * account and calendar month (UTC) of a broadcast's creation, since one
 * account's projection at the capacity model's load outgrows one 10 GB
 * object in under two months and retention ages out whole months.
 */
export function shardMonth(createdAt: string): string {
  const at = new Date(createdAt);
  if (Number.isNaN(at.getTime())) throw new Error(`not a time: ${createdAt}`);
  return at.toISOString().slice(0, 7);
}

/** The Durable Object name of an account's shard for a month ("YYYY-MM"). */
export function shardName(accountId: string, month: string): string {
  return `${accountId}:${month}`;
}

/**
 * A cheap fingerprint of one broadcast's projection rows, computed by the same
 * SQL in D1 and in the account's shard, to verify a backfill before reads move.
 */
export const FINGERPRINT_SQL = `COUNT(*) AS rows, MAX(updated_at) AS latest,
  SUM(seq * 7 + LENGTH(identifier) + LENGTH(status) + LENGTH(COALESCE(wamid, '')) + LENGTH(updated_at)) AS sum`;

export interface Fingerprint {
  broadcastId: string;
  rows: number;
  latest: string | null;
  sum: number;
}

/** message_statuses' filter, as one month's shard applies it (the account is the shard's). */
export interface ShardStatusFilter {
  broadcastId?: string;
  clientReferences?: string[];
  updatedSince?: string;
}

export type ShardStatusRow = {
  broadcast_id: string;
  seq: number;
  identifier: string;
  status: string;
  delivered_at: string | null;
  read_at: string | null;
  error: string | null;
  client_reference: string | null;
  updated_at: string;
};

/** "This account's projection rows sent since T (from these numbers, to these people)." */
export interface SentSinceQuery {
  since: string;
  phoneNumberIds?: string[];
  identifiers?: string[];
  limit?: number;
}

export interface SentRow {
  broadcastId: string;
  seq: number;
  identifier: string;
  phoneNumberId: string;
  status: string;
  submittedAt: string;
}

export interface RetargetQuery {
  broadcastId: string;
  afterSeq: number;
  statuses: string[];
  replied: boolean | null;
  limit: number;
}

/**
 * Merges months' pages, each already in `compare` order, into one page of
 * the whole: the caller asked each month for its first offset + limit rows.
 */
export function mergePages<T>(
  pages: { rows: T[]; total: number }[],
  compare: (a: T, b: T) => number,
  limit: number,
  offset: number,
): { rows: T[]; total: number } {
  const total = pages.reduce((n, p) => n + p.total, 0);
  const all = pages.flatMap((p) => p.rows).sort(compare);
  return { rows: all.slice(offset, offset + limit), total };
}
