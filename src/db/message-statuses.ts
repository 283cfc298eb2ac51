/**
 * Recipient statuses across an account's broadcasts, from the projection
 * (kept within seconds of the Durable Objects by their outbox flush): D1's,
 * or the account's month shards once its reads moved (src/db/data-plane.ts).
 * On shards, a broadcast names its one month; client references and
 * updatedSince ask every month that may hold a match, in parallel, and merge
 * their pages in the same order D1 sorts.
 */
import { mergePages, type ShardStatusRow } from "../domain/data-shard";
import type { MessageStatusSource } from "../domain/message-status";
import type { Bindings } from "../env";
import { accountDataPlane, readsShards } from "./data-plane";
import { rawPageWithTotal } from "./pages";
import { accountShard, monthsForStatusFilter } from "./projection-shards";

export interface MessageStatusFilter {
  broadcastId?: string;
  clientReferences?: string[];
  /** ISO 8601: changed at or after; the page is then ordered by change. */
  updatedSince?: string;
}

type Row = ShardStatusRow;

export async function findMessageStatuses(
  env: Bindings,
  accountId: string,
  filter: MessageStatusFilter,
  limit: number,
  offset: number,
): Promise<{ rows: MessageStatusSource[]; total: number }> {
  const page = readsShards(await accountDataPlane(env.DB, accountId))
    ? await fromShards(env, accountId, filter, limit, offset)
    : await fromD1(env.DB, accountId, filter, limit, offset);
  return { rows: page.rows.map(source), total: page.total };
}

function source(r: Row): MessageStatusSource {
  return {
    broadcastId: r.broadcast_id,
    seq: r.seq,
    identifier: r.identifier,
    status: r.status,
    deliveredAt: r.delivered_at,
    readAt: r.read_at,
    error: r.error,
    clientReference: r.client_reference,
    updatedAt: r.updated_at,
  };
}

/** D1 orders by text then seq; so does every shard, so the merge keeps D1's order exactly. */
function byBroadcastSeq(a: ShardStatusRow, b: ShardStatusRow): number {
  return a.broadcast_id < b.broadcast_id ? -1 : a.broadcast_id > b.broadcast_id ? 1 : a.seq - b.seq;
}
function byUpdated(a: ShardStatusRow, b: ShardStatusRow): number {
  return a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : byBroadcastSeq(a, b);
}

async function fromShards(
  env: Bindings,
  accountId: string,
  filter: MessageStatusFilter,
  limit: number,
  offset: number,
): Promise<{ rows: Row[]; total: number }> {
  const months = await monthsForStatusFilter(env.DB, accountId, filter);
  // Each month's first offset + limit rows: the page of the whole lies within their union.
  const pages = await Promise.all(
    months.map((m) => accountShard(env, accountId, m).statusPage(filter, offset + limit)),
  );
  return mergePages(pages, filter.updatedSince ? byUpdated : byBroadcastSeq, limit, offset);
}

async function fromD1(
  d1: D1Database,
  accountId: string,
  filter: MessageStatusFilter,
  limit: number,
  offset: number,
): Promise<{ rows: Row[]; total: number }> {
  const where = ["account_id = ?"];
  const binds: (string | number)[] = [accountId];
  if (filter.broadcastId) {
    where.push("broadcast_id = ?");
    binds.push(filter.broadcastId);
  }
  if (filter.clientReferences) {
    // One JSON parameter instead of up to 1,000 (D1 binds at most 100 per statement).
    where.push("client_reference IN (SELECT value FROM json_each(?))");
    binds.push(JSON.stringify(filter.clientReferences));
  }
  if (filter.updatedSince) {
    where.push("updated_at >= ?");
    binds.push(filter.updatedSince);
  }
  return rawPageWithTotal<Row>(
    d1,
    {
      columns:
        "broadcast_id, seq, identifier, status, delivered_at, read_at, error, client_reference, updated_at",
      table: "recipient_states",
      where: where.join(" AND "),
      orderBy: filter.updatedSince ? "updated_at, broadcast_id, seq" : "broadcast_id, seq",
    },
    binds,
    limit,
    offset,
  );
}
