/**
 * Test helpers for the per-account data plane: an account's projection rows
 * wherever its plane keeps them (D1's `recipient_states`, or the month shard
 * of the broadcast), read straight from the store.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { shardMonth, shardName } from "../../src/domain/data-shard";
import type { AccountDataDO } from "../../src/durable/account-data-do";

export function shardOf(accountId: string, month: string) {
  return env.ACCOUNT_DATA.get(env.ACCOUNT_DATA.idFromName(shardName(accountId, month)));
}

/** Its summary's creation time; a deleted broadcast's summary is gone, and a test's was made now. */
async function createdAt(broadcastId: string): Promise<string> {
  const row = await env.DB.prepare("SELECT created_at FROM broadcasts WHERE id = ?")
    .bind(broadcastId)
    .first<{ created_at: string }>();
  return row?.created_at ?? new Date().toISOString();
}

/** The rows of one broadcast in its month shard, `columns` in seq order. */
export async function shardRows<T = Record<string, unknown>>(
  accountId: string,
  broadcastId: string,
  columns: string,
): Promise<T[]> {
  const month = shardMonth(await createdAt(broadcastId));
  return runInDurableObject(shardOf(accountId, month), (_: AccountDataDO, state) =>
    state.storage.sql
      .exec(
        `SELECT ${columns} FROM recipient_states WHERE broadcast_id = ? ORDER BY seq`,
        broadcastId,
      )
      .toArray(),
  ) as Promise<T[]>;
}

/** The rows of one broadcast in D1's projection, `columns` in seq order. */
export async function d1Rows<T = Record<string, unknown>>(
  broadcastId: string,
  columns: string,
): Promise<T[]> {
  const { results } = await env.DB.prepare(
    `SELECT ${columns} FROM recipient_states WHERE broadcast_id = ? ORDER BY seq`,
  )
    .bind(broadcastId)
    .all<T>();
  return results;
}

/** The broadcast's projection rows where its account's plane reads them. */
export async function projectionRows<T = Record<string, unknown>>(
  accountId: string,
  broadcastId: string,
  columns: string,
): Promise<T[]> {
  const row = await env.DB.prepare("SELECT data_plane FROM accounts WHERE id = ?")
    .bind(accountId)
    .first<{ data_plane: string }>();
  return row?.data_plane === "shards" || row?.data_plane === "shards-dual"
    ? shardRows<T>(accountId, broadcastId, columns)
    : d1Rows<T>(broadcastId, columns);
}

/** Puts an account on a data plane directly (test set-up; the admin route does the real move). */
export async function putOnPlane(accountId: string, plane: string): Promise<void> {
  const { setDataPlane, dataPlaneState } = await import("../../src/db/data-plane");
  const state = await dataPlaneState(env.DB, accountId);
  if (!state) throw new Error(`no account ${accountId}`);
  await setDataPlane(env.DB, accountId, state.plane, plane as never, new Date().toISOString());
}
