/**
 * The list route every v1 audience resource shares (contacts, segments,
 * classes, locations): a `locationId` filter must be a location of the
 * account (else a 400 naming it), `page`/`limit` become an offset, the total
 * goes in X-Total-Count, each row is shown in the resource's JSON. `list`
 * is the resource's store's (D1's, or the account's audience store's).
 */
import type { Context } from "hono";
import type { AppEnv } from "../../env";
import { ensureLocation } from "./locations";

interface PageQuery {
  limit: number;
  page: number;
  locationId?: string;
}

export async function listPage<Q extends PageQuery, Row, Json>(
  c: Context<AppEnv>,
  query: Q,
  list: (
    accountId: string,
    filter: Omit<Q, "limit" | "page">,
    limit: number,
    offset: number,
  ) => Promise<{ rows: Row[]; total: number }>,
  toJson: (row: Row) => Json,
): Promise<Json[]> {
  const { limit, page, ...filter } = query;
  const { accountId } = c.get("account");
  if (filter.locationId !== undefined)
    await ensureLocation(c.env.DB, accountId, filter.locationId, "locationId");
  const { rows, total } = await list(accountId, filter, limit, (page - 1) * limit);
  c.header("X-Total-Count", String(total));
  return rows.map(toJson);
}
