/**
 * The replay window's sweep, run by the Worker's cron beside the retention
 * pass (hourly): a finished callback delivery (delivered or given up) made
 * more than CALLBACK_REPLAY_DAYS ago has its body emptied, in D1 and in
 * every month shard that can hold one (src/domain/delivery-log.ts,
 * `monthsToSweep`); its row stays, so the log still lists it, and a replay
 * of it answers 410. Every statement is bounded and repeats harmlessly, so
 * a pass cut short is finished by the next one (docs/SCALING.md §5).
 */
import { accountsLoggingInShards, dropD1Bodies, dropShardBodies } from "../db/callback-deliveries";
import { monthsToSweep, replayCutoff } from "../domain/delivery-log";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import { inConnectionWaves } from "./waves";

/**
 * Bodies emptied per shard per pass, in one statement. At the stated load a
 * month shard takes ~500,000 deliveries a month (~700 an hour, ~46 KB of
 * body each), so 5,000 an hour is seven times the average: a backlog (a
 * burst, passes missed) drains within the month the shard is swept. One
 * statement frees at most ~230 MB of pages.
 */
export const BODIES_PER_SHARD_PASS = 5_000;
/**
 * D1 is one database for every account still on it, and 30 s a statement
 * (REFERENCE.md): smaller statements, more of them.
 */
export const BODIES_PER_D1_STATEMENT = 1_000;
export const D1_STATEMENTS_PER_PASS = 20;
/** Accounts listed per D1 query. */
const PAGE = 100;
/** Well inside the 15 min of a cron invocation, leaving the retention pass its ten. */
export const BODY_SWEEP_BUDGET_MS = 2 * 60_000;

export interface BodySweepTally {
  /** Bodies emptied in D1. */
  d1: number;
  /** Bodies emptied in month shards. */
  shards: number;
  /** Shard statements that threw (tried again next pass). */
  failed: number;
}

export async function runDeliveryBodySweep(
  env: Bindings,
  now = new Date(),
  budgetMs = BODY_SWEEP_BUDGET_MS,
): Promise<BodySweepTally> {
  const until = Date.now() + budgetMs;
  const cutoff = replayCutoff(now);
  const tally: BodySweepTally = { d1: 0, shards: 0, failed: 0 };
  try {
    for (let i = 0; i < D1_STATEMENTS_PER_PASS && Date.now() < until; i++) {
      const n = await dropD1Bodies(env.DB, cutoff, BODIES_PER_D1_STATEMENT);
      tally.d1 += n;
      if (n < BODIES_PER_D1_STATEMENT) break;
    }
  } catch (err) {
    log("error", "dropping aged callback bodies in D1 failed", errorFields(err));
  }

  const months = monthsToSweep(now);
  let after = "";
  while (Date.now() < until) {
    const accounts = await accountsLoggingInShards(env.DB, after, PAGE);
    if (accounts.length === 0) break;
    after = accounts.at(-1) ?? after;
    const shards = accounts.flatMap((accountId) => months.map((month) => ({ accountId, month })));
    const emptied = await inConnectionWaves(shards, until, async ({ accountId, month }) => {
      try {
        return await dropShardBodies(env, accountId, month, cutoff, BODIES_PER_SHARD_PASS);
      } catch (err) {
        log("error", "dropping aged callback bodies in a shard failed", {
          accountId,
          month,
          ...errorFields(err),
        });
        tally.failed++;
        return 0;
      }
    });
    tally.shards += emptied.reduce((s, n) => s + n, 0);
    if (accounts.length < PAGE) break;
  }
  if (tally.d1 + tally.shards + tally.failed > 0) log("info", "callback body sweep", { ...tally });
  return tally;
}
