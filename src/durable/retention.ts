/**
 * The retention pass, run by the Worker's cron (wrangler.toml `[triggers]`,
 * hourly): every finished broadcast past its account's
 * `recipientRetentionDays` has its BroadcastDO write its recipients to R2 and
 * drop them (BroadcastDO.archive), then leaves the D1 projection and is
 * marked archived. Each step repeats harmlessly, so a pass cut short is
 * finished by the next one.
 */
import { broadcastsPastRetention, markArchived } from "../db/retention";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import { nowIso } from "./broadcast/store";
import { broadcastStub } from "./stubs";
import { inConnectionWaves } from "./waves";

/** Broadcasts listed per D1 query. */
const PAGE = 100;
/**
 * How long one pass keeps archiving: well inside the 15 min a cron
 * invocation may run. At the capacity model's load (~33,000 broadcasts a day
 * coming due) an hourly pass archiving six at a time drains a day's worth in
 * a few passes; a backlog drains over the following hours.
 */
export const RETENTION_PASS_BUDGET_MS = 10 * 60_000;

type Outcome = "archived" | "skipped" | "failed";

async function archiveOne(env: Bindings, accountId: string, broadcastId: string): Promise<Outcome> {
  try {
    const result = await broadcastStub(env, accountId, broadcastId).archive();
    if (result.ok) {
      await markArchived(env, accountId, broadcastId, result.archive.archivedAt);
      return "archived";
    }
    // A summary whose broadcast is gone: nothing to archive, and it should not come back every pass.
    if (result.reason === "not_found") await markArchived(env, accountId, broadcastId, nowIso());
    return "skipped";
  } catch (err) {
    log("error", "archiving a broadcast failed", { accountId, broadcastId, ...errorFields(err) });
    return "failed";
  }
}

export async function runRetentionPass(
  env: Bindings,
  now = new Date(),
  budgetMs = RETENTION_PASS_BUDGET_MS,
): Promise<Record<Outcome, number>> {
  const until = Date.now() + budgetMs;
  const tally: Record<Outcome, number> = { archived: 0, skipped: 0, failed: 0 };
  // One that failed or was skipped is listed again: tried once per pass.
  const tried = new Set<string>();
  while (Date.now() < until) {
    // Those not marked (failed, or not finished in their DO) are listed again: skip past them.
    const relisted = tally.failed + tally.skipped;
    const due = (await broadcastsPastRetention(env.DB, now, PAGE + relisted)).filter(
      (d) => !tried.has(`${d.accountId}:${d.broadcastId}`),
    );
    if (due.length === 0) break;
    const outcomes = await inConnectionWaves(due, until, (d) => {
      tried.add(`${d.accountId}:${d.broadcastId}`);
      return archiveOne(env, d.accountId, d.broadcastId);
    });
    for (const o of outcomes) tally[o]++;
  }
  if (tried.size > 0) log("info", "retention pass", tally);
  return tally;
}
