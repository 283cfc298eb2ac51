/**
 * Which data plane an account's projection is written to (accounts.data_plane;
 * docs/SCALING.md §5): "d1" today, "dual" while it moves to its month shards.
 * Read at every projection flush, so remembered a few seconds per isolate.
 */
export type DataPlane = "d1" | "dual";

const REMEMBER_MS = 10_000;
const remembered = new Map<string, { plane: DataPlane; at: number }>();

export async function accountDataPlane(d1: D1Database, accountId: string): Promise<DataPlane> {
  const hit = remembered.get(accountId);
  if (hit && Date.now() - hit.at < REMEMBER_MS) return hit.plane;
  const row = await d1
    .prepare("SELECT data_plane FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ data_plane: string }>();
  const plane: DataPlane = row?.data_plane === "dual" ? "dual" : "d1";
  remembered.set(accountId, { plane, at: Date.now() });
  return plane;
}
