/**
 * Recipient statuses across an account's broadcasts, from the D1 projection
 * (kept within seconds of the Durable Objects by their outbox flush).
 */
import type { MessageStatusSource } from "../domain/message-status";
import { rawPageWithTotal } from "./pages";

export interface MessageStatusFilter {
  broadcastId?: string;
  clientReferences?: string[];
  /** ISO 8601: changed at or after; the page is then ordered by change. */
  updatedSince?: string;
}

interface Row {
  broadcast_id: string;
  seq: number;
  identifier: string;
  status: string;
  delivered_at: string | null;
  read_at: string | null;
  error: string | null;
  client_reference: string | null;
  updated_at: string;
}

export async function findMessageStatuses(
  d1: D1Database,
  accountId: string,
  filter: MessageStatusFilter,
  limit: number,
  offset: number,
): Promise<{ rows: MessageStatusSource[]; total: number }> {
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
  const page = await rawPageWithTotal<Row>(
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
  const rows = page.rows.map((r) => ({
    broadcastId: r.broadcast_id,
    seq: r.seq,
    identifier: r.identifier,
    status: r.status,
    deliveredAt: r.delivered_at,
    readAt: r.read_at,
    error: r.error,
    clientReference: r.client_reference,
    updatedAt: r.updated_at,
  }));
  return { rows, total: page.total };
}
