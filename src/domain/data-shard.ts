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
