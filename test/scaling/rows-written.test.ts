/**
 * docs/SCALING.md §3 counts D1 row writes per message from the code (1 at
 * create, 1 at submit, 1 per status webhook: at most 5, at least 2 when
 * changes collapse between flushes). This counts them in a real run: a
 * broadcast sent through the sandbox with Meta's sent, delivered and read
 * webhooks, every insert and update of its projection rows caught by a
 * trigger on D1 (an upsert that updates fires the update trigger).
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  helloBody,
  setup,
  waitForStatus,
} from "../engine";
import { putOnPlane } from "./projection";

async function countWrites(): Promise<void> {
  await env.DB.prepare(
    "CREATE TABLE IF NOT EXISTS test_projection_writes (broadcast_id TEXT NOT NULL, kind TEXT NOT NULL)",
  ).run();
  for (const kind of ["INSERT", "UPDATE"]) {
    await env.DB.prepare(
      `CREATE TRIGGER IF NOT EXISTS test_projection_${kind.toLowerCase()} AFTER ${kind} ON recipient_states
       BEGIN INSERT INTO test_projection_writes VALUES (NEW.broadcast_id, '${kind}'); END`,
    ).run();
  }
}

describe("rows written per message (the capacity model's count)", () => {
  it("writes between 2 and 5 projection rows per message over its whole life", async () => {
    await countWrites();
    const s = await setup();
    // What today's D1 design writes: an account still on it.
    await putOnPlane(s.account.accountId, "d1");
    const people = Array.from({ length: 20 }, (_, i) => mobileNumber(700 + i));
    const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, people));
    await waitForStatus(s, created.uuid, "completed");
    let last: any = null;
    await vi
      .waitUntil(
        async () => {
          await deliverWebhooks(s.number.phoneNumberId);
          last = await details(s, created.uuid);
          return last.read === 20;
        },
        { timeout: 15_000, interval: 200 },
      )
      .catch(() => {
        throw new Error(`not all read: ${JSON.stringify(last)}`);
      });
    // The projection catches up with the DO in its next flush.
    let projected: { read: number } | null = null;
    await vi.waitUntil(
      async () => {
        projected = await env.DB.prepare(
          "SELECT COUNT(*) AS read FROM recipient_states WHERE broadcast_id = ? AND read_at IS NOT NULL",
        )
          .bind(created.uuid)
          .first<{ read: number }>();
        return projected?.read === 20;
      },
      { timeout: 10_000, interval: 200 },
    );
    const { results } = await env.DB.prepare(
      "SELECT kind, COUNT(*) AS n FROM test_projection_writes WHERE broadcast_id = ? GROUP BY kind",
    )
      .bind(created.uuid)
      .all<{ kind: string; n: number }>();
    const by = Object.fromEntries(results.map((r) => [r.kind, Number(r.n)]));
    expect(by.INSERT, JSON.stringify(by)).toBe(20);
    const perMessage = ((by.INSERT ?? 0) + (by.UPDATE ?? 0)) / 20;
    expect(perMessage, JSON.stringify(by)).toBeGreaterThanOrEqual(2);
    expect(perMessage, JSON.stringify(by)).toBeLessThanOrEqual(5);
  });
});
