/**
 * The flip (docs/SCALING.md §5, migration steps 3–4), end to end through
 * PUT /admin/accounts/{id}/data-plane: an account with live broadcasts in D1
 * moves d1 → dual → shards-dual (backfill and verify while status webhooks
 * keep arriving) → shards (D1's rows deleted). Nothing is lost: counters
 * equal rows, message_statuses answers the same on D1 and on the shards, a
 * step back before the delete reads D1 again, and after it there is no way
 * back. Each forward step waits 10 s for every isolate to see the last; the
 * test backdates the change instead of waiting.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  expectCountersMatchRows,
  helloBody,
  type Setup,
  setup,
  waitForStatus,
} from "../engine";
import { adminHeaders, api, bearer, createAccount, expectStatus, jsonInit } from "../helpers";
import { d1Rows, putOnPlane } from "./projection";

function move(accountId: string, plane: unknown) {
  return api(`/admin/accounts/${accountId}/data-plane`, jsonInit("PUT", { plane }, adminHeaders));
}

async function settle(accountId: string) {
  await env.DB.prepare("UPDATE accounts SET data_plane_changed_at = ? WHERE id = ?")
    .bind("2000-01-01T00:00:00.000Z", accountId)
    .run();
}

async function send(s: Setup, first: number, n: number, refPrefix: string): Promise<string> {
  const people = Array.from({ length: n }, (_, i) => mobileNumber(first + i));
  const body = helloBody(s.sender.phoneNumber, people);
  body.recipients = body.recipients.map((r, i) => ({
    ...r,
    client_reference: `${refPrefix}-${i}`,
  }));
  const created = await createBroadcast(s, body);
  await waitForStatus(s, created.uuid, "completed");
  return created.uuid;
}

async function untilRead(s: Setup, uuid: string, n: number) {
  await vi.waitUntil(
    async () => {
      await deliverWebhooks(s.number.phoneNumberId);
      return (await details(s, uuid)).read === n;
    },
    { timeout: 15_000, interval: 200 },
  );
}

describe("PUT /admin/accounts/{id}/data-plane", () => {
  it("moves an account with live broadcasts from D1 to its shards, losing nothing, reversible until the delete", async () => {
    const s = await setup();
    const accountId = s.account.accountId;
    await putOnPlane(accountId, "d1");
    const a = await send(s, 3100, 20, "a");
    await untilRead(s, a, 20);

    await expectStatus(await move(accountId, "dual"), 200);
    // B starts while dual: written to both; its webhooks arrive during the backfill below.
    const b = await send(s, 3200, 10, "b");
    // Too soon after the last step: refused, nothing changed.
    const early = await expectStatus(await move(accountId, "shards-dual"), 409);
    expect(early.details).toMatch(/^plane: every isolate sees dual/);

    await settle(accountId);
    const [flip] = await Promise.all([
      move(accountId, "shards-dual").then((r) => expectStatus(r, 200)),
      deliverWebhooks(s.number.phoneNumberId),
    ]);
    expect(flip).toMatchObject({ from: "dual", plane: "shards-dual" });
    expect(flip.copied.rows).toBeGreaterThanOrEqual(30);
    await untilRead(s, b, 10);

    const ask = async (filters: unknown, limit = 100, offset = 0) =>
      expectStatus(
        await api(
          "/broadcasts/message_statuses",
          jsonInit("POST", { filters, limit, offset }, bearer(s.account.key)),
        ),
        200,
      ).then((r) => [r.pagination, r.recipients]);
    const questions = [
      { clientReferences: ["a-1", "a-19", "b-0", "b-9", "none"] },
      { broadcastUuid: a },
      { broadcastUuid: b },
      { updatedSince: new Date(Date.now() - 600_000).toISOString() },
    ];
    const answers = async () => Promise.all(questions.map((q) => ask(q)));
    // The shards caught up with every status (read everywhere), then answer as D1 does.
    await vi.waitUntil(
      async () => {
        const [, , , since] = await answers();
        const rows = since?.[1] as { status: string }[];
        return rows.length === 30 && rows.every((r) => r.status === "read");
      },
      { timeout: 10_000, interval: 200 },
    );
    const onShards = await answers();

    // A step back before the delete: reads come from D1 again, which missed nothing.
    await expectStatus(await move(accountId, "dual"), 200);
    expect(await answers()).toEqual(onShards);

    await settle(accountId);
    await expectStatus(await move(accountId, "shards-dual"), 200);
    await settle(accountId);
    const last = await expectStatus(await move(accountId, "shards"), 200);
    expect(last).toMatchObject({ from: "shards-dual", plane: "shards", deletedFromD1: 30 });
    expect([...(await d1Rows(a, "seq")), ...(await d1Rows(b, "seq"))]).toEqual([]);
    expect(await answers()).toEqual(onShards);
    await expectCountersMatchRows(accountId, a);
    await expectCountersMatchRows(accountId, b);

    // After the delete there is no way back; a new broadcast lives on the shards only.
    const back = await expectStatus(await move(accountId, "dual"), 409);
    expect(back.details).toMatch(/cannot move back/);
    const c = await send(s, 3300, 5, "c");
    await untilRead(s, c, 5);
    await vi.waitUntil(async () => (await ask({ broadcastUuid: c }))[0]?.total === 5, {
      timeout: 10_000,
      interval: 200,
    });
    expect(await d1Rows(c, "seq")).toEqual([]);
    await expectCountersMatchRows(accountId, c);
  });

  it("starts a new account on shards; answers 409 for a skipped step, 404 for no account, 400 for an unknown plane", async () => {
    const account = await createAccount();
    const fresh = await expectStatus(
      await api(`/admin/accounts/${account.accountId}/data-plane`, { headers: adminHeaders }),
      200,
    );
    expect(fresh, "a new account starts on its shards").toEqual({
      plane: "shards",
      changedAt: null,
    });
    await putOnPlane(account.accountId, "d1");
    const skip = await expectStatus(await move(account.accountId, "shards"), 409);
    expect(skip.details).toBe(
      "plane: from d1 the next steps are dual (d1 → dual → shards-dual → shards)",
    );
    await expectStatus(await move(crypto.randomUUID(), "dual"), 404);
    const bad = await expectStatus(await move(account.accountId, "mars"), 400);
    expect(JSON.stringify(bad)).toContain("plane");
    const state = await expectStatus(
      await api(`/admin/accounts/${account.accountId}/data-plane`, { headers: adminHeaders }),
      200,
    );
    expect(state.plane).toBe("d1");
  });
});
