/** The Worker's hourly cron, run once as the runtime would (retention, the replay window's sweep). */
import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/worker";

export const DAY = 24 * 60 * 60 * 1000;

export async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: Date.now(), cron: "23 * * * *" }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}
