/**
 * The retention pass, run by the Worker's cron (wrangler.toml `[triggers]`):
 * every finished broadcast past its account's `recipientRetentionDays` has its
 * BroadcastDO write its recipients to R2 and drop them (BroadcastDO.archive),
 * then leaves the D1 projection and is marked archived. Each step repeats
 * harmlessly, so a pass cut short is finished by the next one.
 */
import { broadcastsPastRetention, markArchived } from "../db/retention";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import { nowIso } from "./broadcast/store";
import { broadcastStub } from "./stubs";

/**
 * Broadcasts archived per pass: each is one DO reading its rows and one R2
 * write, so a pass stays well inside the 15 min a cron invocation may run;
 * a backlog drains over the following hours.
 */
export const RETENTION_PASS_LIMIT = 200;

export async function runRetentionPass(
  env: Bindings,
  now = new Date(),
  limit = RETENTION_PASS_LIMIT,
): Promise<{ archived: number; skipped: number; failed: number }> {
  const due = await broadcastsPastRetention(env.DB, now, limit);
  const tally = { archived: 0, skipped: 0, failed: 0 };
  for (const { accountId, broadcastId } of due) {
    try {
      const result = await broadcastStub(env, accountId, broadcastId).archive();
      if (result.ok) {
        await markArchived(env.DB, accountId, broadcastId, result.archive.archivedAt);
        tally.archived++;
      } else if (result.reason === "not_found") {
        // A summary whose broadcast is gone: nothing to archive, and it should not come back every pass.
        await markArchived(env.DB, accountId, broadcastId, nowIso());
        tally.skipped++;
      } else {
        tally.skipped++;
      }
    } catch (err) {
      tally.failed++;
      log("error", "archiving a broadcast failed", { accountId, broadcastId, ...errorFields(err) });
    }
  }
  if (due.length > 0) log("info", "retention pass", tally);
  return tally;
}
