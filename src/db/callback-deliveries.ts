/**
 * The callback delivery log (docs/SCALING.md §5): in the shared D1 for an
 * account whose projection is read there ("d1", "dual"), in the account's
 * month shard (AccountDataDO `accountId:YYYY-MM`, the month the delivery is
 * created) once its reads have moved ("shards-dual", "shards"). A delivery
 * is not written twice: its id says where it lives (src/domain/delivery-log.ts),
 * so a D1 delivery made before the move is still found by its id, and the
 * log lists both stores while the account is mid-move.
 */
import { and, desc, eq } from "drizzle-orm";
import { mergePages, shardMonth } from "../domain/data-shard";
import {
  AGED_OUT_BODY,
  deliveryMonth,
  monthsBetween,
  pageSlices,
  shardDeliveryId,
} from "../domain/delivery-log";
import type { Bindings } from "../env";
import {
  type CallbackDelivery,
  callbackDeliveries,
  type DeliveryAttempt,
} from "./callbacks-schema";
import { type Database, database } from "./client";
import { accountDataPlane, type DataPlane, readsShards } from "./data-plane";
import { pageWithTotal } from "./pages";
import { accountShard } from "./projection-shards";

export type { DeliveryAttempt };

export interface NewDelivery {
  endpointId: string | null;
  url: string;
  body: string;
  eventCount: number;
}

/** Deliveries go where the account's projection is read: the log moves with the reads. */
const logsInShards = (plane: DataPlane): boolean => readsShards(plane);
/**
 * Mid-move ("dual", "shards-dual") the log may have rows on both sides: D1's
 * from before the reads moved, the shards' from after (still listed after a
 * step back to "dual"; one back on "d1" lists D1's only, the shards' are
 * still found by id).
 */
const listsD1 = (plane: DataPlane): boolean => plane !== "shards";
const listsShards = (plane: DataPlane): boolean => plane !== "d1";

/**
 * Logs one account's deliveries all or nothing (one D1 batch, or one
 * transaction in the shard of this month) and answers their ids in order.
 */
export async function insertDeliveries(
  env: Bindings,
  accountId: string,
  rows: NewDelivery[],
): Promise<string[]> {
  if (rows.length === 0) return [];
  if (!logsInShards(await accountDataPlane(env.DB, accountId))) {
    return insertD1Deliveries(
      database(env.DB),
      rows.map((r) => ({ ...r, accountId })),
    );
  }
  const createdAt = new Date().toISOString();
  const month = shardMonth(createdAt);
  const withIds = rows.map((r) => ({ ...r, accountId, createdAt, id: shardDeliveryId(month) }));
  await accountShard(env, accountId, month).insertDeliveries(withIds);
  return withIds.map((r) => r.id);
}

/** D1's insert (also what the capacity bench measures): one batch is one transaction. */
export async function insertD1Deliveries(
  db: Database,
  rows: (NewDelivery & { accountId: string })[],
): Promise<string[]> {
  const withIds = rows.map((r) => ({ ...r, id: crypto.randomUUID() }));
  const [first, ...rest] = withIds.map((r) => db.insert(callbackDeliveries).values(r));
  if (first) await db.batch([first, ...rest]);
  return withIds.map((r) => r.id);
}

/**
 * A delivery by its id, in the account's store. `accountId` null: a retry
 * queued before messages carried the account, which only D1's ids can be.
 */
export async function getDelivery(
  env: Bindings,
  accountId: string | null,
  id: string,
): Promise<CallbackDelivery | null> {
  const month = deliveryMonth(id);
  if (month !== null) {
    if (accountId === null || !monthHasCome(month)) return null;
    return accountShard(env, accountId, month).getDelivery(id);
  }
  const where =
    accountId === null
      ? eq(callbackDeliveries.id, id)
      : and(eq(callbackDeliveries.id, id), eq(callbackDeliveries.accountId, accountId));
  return (await database(env.DB).select().from(callbackDeliveries).where(where).get()) ?? null;
}

export async function recordAttempt(
  env: Bindings,
  accountId: string | null,
  id: string,
  attempt: DeliveryAttempt,
): Promise<void> {
  const month = deliveryMonth(id);
  if (month !== null) {
    if (accountId === null || !monthHasCome(month)) return;
    await accountShard(env, accountId, month).recordDeliveryAttempt(id, attempt);
    return;
  }
  const where =
    accountId === null
      ? eq(callbackDeliveries.id, id)
      : and(eq(callbackDeliveries.id, id), eq(callbackDeliveries.accountId, accountId));
  await database(env.DB).update(callbackDeliveries).set(attempt).where(where);
}

/** A month-shaped id from a later month names no shard yet: never woken for it. */
function monthHasCome(month: string): boolean {
  return month <= shardMonth(new Date().toISOString());
}

/**
 * One page of an endpoint's deliveries, newest first, and how many it has.
 * On the shards: every month from the endpoint's creation to now is counted
 * (in parallel) and only the months the page covers are read. Mid-move, D1's
 * rows are merged in by time.
 */
export async function listDeliveries(
  env: Bindings,
  accountId: string,
  endpoint: { id: string; createdAt: string },
  limit: number,
  offset: number,
): Promise<{ rows: CallbackDelivery[]; total: number }> {
  const plane = await accountDataPlane(env.DB, accountId);
  if (!listsShards(plane)) return d1Page(env, accountId, endpoint.id, limit, offset);
  if (!listsD1(plane)) return shardsPage(env, accountId, endpoint, limit, offset);
  const [inD1, inShards] = await Promise.all([
    d1Page(env, accountId, endpoint.id, offset + limit, 0),
    shardsPage(env, accountId, endpoint, offset + limit, 0),
  ]);
  return mergePages([inD1, inShards], newestFirst, limit, offset);
}

const newestFirst = (a: CallbackDelivery, b: CallbackDelivery): number =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;

async function shardsPage(
  env: Bindings,
  accountId: string,
  endpoint: { id: string; createdAt: string },
  limit: number,
  offset: number,
): Promise<{ rows: CallbackDelivery[]; total: number }> {
  const months = monthsBetween(endpoint.createdAt, new Date().toISOString());
  const counts = await Promise.all(
    months.map(async (month) => ({
      month,
      total: await accountShard(env, accountId, month).countDeliveries(endpoint.id),
    })),
  );
  const slices = pageSlices(counts, limit, offset);
  const pages = await Promise.all(
    slices.map((s) =>
      accountShard(env, accountId, s.month).deliveryPage(endpoint.id, s.limit, s.offset),
    ),
  );
  return { rows: pages.flat(), total: counts.reduce((n, c) => n + c.total, 0) };
}

function d1Page(
  env: Bindings,
  accountId: string,
  endpointId: string,
  limit: number,
  offset: number,
): Promise<{ rows: CallbackDelivery[]; total: number }> {
  const db = database(env.DB);
  const where = and(
    eq(callbackDeliveries.accountId, accountId),
    eq(callbackDeliveries.endpointId, endpointId),
  );
  return pageWithTotal(
    db,
    db
      .select()
      .from(callbackDeliveries)
      .where(where)
      .orderBy(desc(callbackDeliveries.createdAt))
      .limit(limit)
      .offset(offset),
    callbackDeliveries,
    where,
  );
}

// ---- the move's last step (src/durable/data-plane-move.ts) -----------------------------

/**
 * The account's D1 deliveries still being retried (pending, made after
 * `retriedSince`), and when the newest of them was made.
 */
export async function pendingD1Deliveries(
  d1: D1Database,
  accountId: string,
  retriedSince: string,
): Promise<{ count: number; newestCreatedAt: string | null }> {
  const row = await d1
    .prepare(
      `SELECT COUNT(*) AS n, MAX(created_at) AS newest FROM callback_deliveries
       WHERE account_id = ? AND status = 'pending' AND created_at >= ?`,
    )
    .bind(accountId, retriedSince)
    .first<{ n: number; newest: string | null }>();
  return { count: Number(row?.n ?? 0), newestCreatedAt: row?.newest ?? null };
}

/**
 * Deletes up to `limit` of the account's D1 deliveries that no retry will
 * look for: finished (delivered, given up), or pending but made before
 * `retriedSince`. One made since and still pending is left to its retry.
 * The table has no index by account: each call scans it (an admin step, once per account).
 */
export async function deleteD1Deliveries(
  d1: D1Database,
  accountId: string,
  retriedSince: string,
  limit: number,
): Promise<number> {
  const result = await d1
    .prepare(
      `DELETE FROM callback_deliveries WHERE rowid IN (
         SELECT rowid FROM callback_deliveries
         WHERE account_id = ? AND (status != 'pending' OR created_at < ?) LIMIT ?)`,
    )
    .bind(accountId, retriedSince, limit)
    .run();
  return result.meta.changes;
}

// ---- the replay window's sweep (src/durable/delivery-bodies.ts) -------------------------

/** One bounded statement in one of the account's month shards: how many bodies it emptied. */
export function dropShardBodies(
  env: Bindings,
  accountId: string,
  month: string,
  cutoff: string,
  limit: number,
): Promise<number> {
  return accountShard(env, accountId, month).dropDeliveryBodies(cutoff, limit);
}

/**
 * The same in D1, across accounts: D1 holds the log of the accounts on "d1"
 * and "dual", and the deliveries those on "shards-dual" made before their
 * reads moved; an account on "shards" has none left there. Each row changes
 * in place, in its own account: no row is read out or moved. The partial
 * index (callback_deliveries_body_kept_idx) holds only rows with a body.
 */
export async function dropD1Bodies(d1: D1Database, cutoff: string, limit: number): Promise<number> {
  // Written again, not updated in place, so the emptied rows pack densely
  // (DeliveryStore.dropBodiesBefore says why); `id` is the key REPLACE matches.
  const result = await d1
    .prepare(
      `INSERT OR REPLACE INTO callback_deliveries (${D1_COLUMNS})
       SELECT ${D1_COLUMNS.replace("body", "?1 AS body")}
       FROM callback_deliveries INDEXED BY callback_deliveries_body_kept_idx
       WHERE body != '' AND created_at < ?2 AND status != 'pending'
       ORDER BY created_at, rowid LIMIT ?3`,
    )
    .bind(AGED_OUT_BODY, cutoff, limit)
    .run();
  return result.meta.changes;
}

/** Every column of D1's `callback_deliveries` (src/db/callbacks-schema.ts), in its order. */
const D1_COLUMNS =
  "id, account_id, endpoint_id, url, body, event_count, status, attempts, last_status_code, last_error, next_attempt_at, created_at, delivered_at";

/** A page of the accounts whose delivery log is in their month shards, by id after `afterId`. */
export async function accountsLoggingInShards(
  d1: D1Database,
  afterId: string,
  limit: number,
): Promise<string[]> {
  const { results } = await d1
    .prepare(
      `SELECT id FROM accounts WHERE id > ? AND data_plane IN ('shards-dual', 'shards')
       ORDER BY id LIMIT ?`,
    )
    .bind(afterId, limit)
    .all<{ id: string }>();
  return results.map((r) => r.id);
}
