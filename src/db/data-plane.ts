/**
 * Which data plane holds an account's projection (accounts.data_plane;
 * docs/SCALING.md §5, migration path). In the order an account moves:
 *
 * - "d1": written to and read from the shared D1 (accounts made before the move);
 * - "dual": written to D1 and its month shards, read from D1 (while the backfill runs);
 * - "shards-dual": written to both, read from the shards (the flip, still reversible:
 *   D1 keeps every row);
 * - "shards": written to and read from the shards only; D1's rows are deleted
 *   (the default for new accounts).
 *
 * The callback delivery log follows the reads, not the writes: D1 on "d1"
 * and "dual", the shards on "shards-dual" and "shards" (src/db/callback-deliveries.ts).
 *
 * Read at every projection flush and every projection read, so remembered a
 * few seconds per isolate: a change takes effect everywhere within
 * PLANE_SETTLE_MS, which is why the flip waits that long between steps.
 */
export const DATA_PLANES = ["d1", "dual", "shards-dual", "shards"] as const;
export type DataPlane = (typeof DATA_PLANES)[number];

/** Where a new account's projection lives (accounts made before the shards keep "d1"). */
export const NEW_ACCOUNT_DATA_PLANE: DataPlane = "shards";

const REMEMBER_MS = 10_000;
/** How long after a change every isolate is sure to have read it. */
export const PLANE_SETTLE_MS = REMEMBER_MS;
const remembered = new Map<string, { plane: DataPlane; at: number }>();

function asPlane(value: string | undefined): DataPlane {
  return (DATA_PLANES as readonly string[]).includes(value ?? "") ? (value as DataPlane) : "d1";
}

export async function accountDataPlane(d1: D1Database, accountId: string): Promise<DataPlane> {
  const hit = remembered.get(accountId);
  if (hit && Date.now() - hit.at < REMEMBER_MS) return hit.plane;
  const row = await d1
    .prepare("SELECT data_plane FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ data_plane: string }>();
  const plane = asPlane(row?.data_plane);
  remembered.set(accountId, { plane, at: Date.now() });
  return plane;
}

export const writesD1 = (plane: DataPlane): boolean => plane !== "shards";
export const writesShards = (plane: DataPlane): boolean => plane !== "d1";
export const readsShards = (plane: DataPlane): boolean =>
  plane === "shards" || plane === "shards-dual";

/** The account's plane and when it last changed (null: no such account). */
export async function dataPlaneState(
  d1: D1Database,
  accountId: string,
): Promise<{ plane: DataPlane; changedAt: string | null } | null> {
  const row = await d1
    .prepare("SELECT data_plane, data_plane_changed_at FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ data_plane: string; data_plane_changed_at: string | null }>();
  return row ? { plane: asPlane(row.data_plane), changedAt: row.data_plane_changed_at } : null;
}

/** Moves the account to `plane` only if it is still on `from` (two admins cannot both move it). */
export async function setDataPlane(
  d1: D1Database,
  accountId: string,
  from: DataPlane,
  plane: DataPlane,
  at: string,
): Promise<boolean> {
  const result = await d1
    .prepare(
      "UPDATE accounts SET data_plane = ?, data_plane_changed_at = ? WHERE id = ? AND data_plane = ?",
    )
    .bind(plane, at, accountId, from)
    .run();
  remembered.delete(accountId);
  return result.meta.changes === 1;
}

/** Deletes up to `limit` of the account's projection rows from D1 (the last step of the move). */
export async function deleteD1Projection(
  d1: D1Database,
  accountId: string,
  limit: number,
): Promise<number> {
  const result = await d1
    .prepare(
      `DELETE FROM recipient_states WHERE rowid IN (
         SELECT rowid FROM recipient_states WHERE account_id = ? LIMIT ?)`,
    )
    .bind(accountId, limit)
    .run();
  return result.meta.changes;
}
