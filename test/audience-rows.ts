/**
 * The rows of an account's audience as its store holds them: the
 * AccountAudienceDO's own SQLite (an account on "shards", as every new one).
 * For tests that check what was written, not only what the API shows.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";

export async function audienceRows<T>(
  accountId: string,
  sql: string,
  ...binds: (string | number | null)[]
): Promise<T[]> {
  const stub = env.ACCOUNT_AUDIENCE.get(env.ACCOUNT_AUDIENCE.idFromName(accountId));
  return runInDurableObject(
    stub,
    (_instance, state) => state.storage.sql.exec(sql, ...binds).toArray() as T[],
  );
}
