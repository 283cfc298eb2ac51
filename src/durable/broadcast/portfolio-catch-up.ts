/**
 * Invariant 8 for the messaging-limit budget: the people a portfolio reached
 * in the last 24 h are counted from D1's projection, which trails each
 * broadcast's Durable Object by a flush. So before counting, every recent
 * broadcast of the portfolio flushes what it has shown: the count then sees
 * at least what their own GETs show, as a retarget does (`catchUp`).
 */
import { recentBroadcastsOfPortfolio } from "../../db/broadcasts";
import { REACH_WINDOW_MS } from "../../db/reach";
import type { Bindings } from "../../env";
import { catchUpBroadcasts } from "./catch-up";

export async function catchUpPortfolio(
  env: Bindings,
  accountId: string,
  wabaId: string,
  except: string | null = null,
): Promise<void> {
  const since = new Date(Date.now() - REACH_WINDOW_MS).toISOString();
  const ids = await recentBroadcastsOfPortfolio(env.DB, accountId, wabaId, since);
  await catchUpBroadcasts(env, accountId, ids, except, "portfolio");
}
