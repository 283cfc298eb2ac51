/**
 * Moving one account's projection between data planes (docs/SCALING.md §5,
 * migration steps 1–4), one step per call: d1 → dual (dual writes start) →
 * shards-dual (backfill, verify equal, then reads move; D1 still written, so
 * a step back loses nothing) → shards (dual writes stop and D1's rows are
 * deleted: not reversible). The callback delivery log is not copied: it is
 * working data whose ids name their store (src/db/callback-deliveries.ts);
 * from shards-dual on, new deliveries are logged in the shards, and the step
 * to shards waits until D1's last ones are finished, then deletes them. Each step waits until every isolate has seen the
 * one before (PLANE_SETTLE_MS: the plane is remembered that long), so no
 * flush still writes only D1 when the backfill starts, and none still reads
 * D1 when its rows go.
 *
 * The account's audience moves with the same steps (src/durable/audience-move.ts):
 * copied into its AccountAudienceDO right before reads flip to shards-dual
 * (its writes are refused on dual, so nothing changes under the copy),
 * copied back on the step back to dual, deleted from D1 on the move to shards.
 */
import { deleteD1Deliveries, pendingD1Deliveries } from "../db/callback-deliveries";
import {
  type DataPlane,
  dataPlaneState,
  deleteD1Projection,
  PLANE_SETTLE_MS,
  setDataPlane,
} from "../db/data-plane";
import { GIVE_UP_AFTER_MS, NO_RETRY_AFTER_MS } from "../domain/delivery-log";
import type { Bindings } from "../env";
import {
  type AudienceCounts,
  copyAudienceIntoD1,
  copyAudienceIntoStore,
  deleteD1Audience,
  reopenAudienceStore,
} from "./audience-move";
import { backfillAccount, verifyAccount } from "./data-plane-backfill";

/** Which moves are one step; "shards" again deletes what is left in D1. */
const STEPS: Record<DataPlane, DataPlane[]> = {
  d1: ["dual"],
  dual: ["shards-dual", "d1"],
  "shards-dual": ["shards", "dual"],
  shards: ["shards"],
};

/** D1 rows deleted per statement: small enough to keep D1 answering others meanwhile. */
const DELETE_CHUNK = 5_000;
/** A backfill copies what changed during the one before; twice is enough at a settled plane. */
const BACKFILL_ROUNDS = 3;

export type MoveOutcome =
  | {
      ok: true;
      from: DataPlane;
      plane: DataPlane;
      copied: { broadcasts: number; rows: number } | null;
      deletedFromD1: number;
      deletedDeliveriesFromD1: number;
      audience: {
        /** The rows copied, and where to: the object (to shards-dual) or D1 (back to dual). */
        copied: { to: "store" | "d1"; rows: AudienceCounts } | null;
        deletedFromD1: number;
      };
    }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "conflict"; message: string; details: string };

const conflict = (message: string, details: string): MoveOutcome => ({
  ok: false,
  reason: "conflict",
  message,
  details,
});

export async function moveDataPlane(
  env: Bindings,
  accountId: string,
  to: DataPlane,
  now = Date.now(),
): Promise<MoveOutcome> {
  const state = await dataPlaneState(env.DB, accountId);
  if (!state) return { ok: false, reason: "not_found" };
  const from = state.plane;
  if (from === to && to !== "shards") {
    return {
      ok: true,
      from,
      plane: to,
      copied: null,
      deletedFromD1: 0,
      deletedDeliveriesFromD1: 0,
      audience: { copied: null, deletedFromD1: 0 },
    };
  }
  if (!STEPS[from].includes(to)) {
    return conflict(
      "Not one step of the move",
      from === "shards"
        ? "plane: the account is on shards and its D1 rows are deleted; it cannot move back"
        : `plane: from ${from} the next steps are ${STEPS[from].join(" or ")} (d1 → dual → shards-dual → shards)`,
    );
  }
  const settled =
    state.changedAt === null || now - new Date(state.changedAt).getTime() >= PLANE_SETTLE_MS;
  const forward =
    (from === "dual" && to === "shards-dual") || (from === "shards-dual" && to === "shards");
  if (forward && !settled) {
    const wait = Math.ceil(
      (PLANE_SETTLE_MS - (now - new Date(state.changedAt ?? 0).getTime())) / 1000,
    );
    return conflict(
      "The last step is still settling",
      `plane: every isolate sees ${from} within ${PLANE_SETTLE_MS / 1000} s of the change; try again in ${wait} s`,
    );
  }

  let copied: { broadcasts: number; rows: number } | null = null;
  if (to === "shards-dual") {
    // Copy, verify; a row changed meanwhile shows as a mismatch and the next round copies it.
    let mismatches = 0;
    copied = { broadcasts: 0, rows: 0 };
    for (let round = 0; round < BACKFILL_ROUNDS; round++) {
      const run = await backfillAccount(env, accountId);
      copied = { broadcasts: run.broadcasts, rows: copied.rows + run.rows };
      mismatches = (await verifyAccount(env, accountId)).length;
      if (mismatches === 0) break;
    }
    if (mismatches > 0) {
      return conflict(
        "The shards do not match D1 yet",
        `plane: ${mismatches} broadcast(s) still differ after ${BACKFILL_ROUNDS} backfills (statuses arriving fast); try again`,
      );
    }
  }
  const retriedSince = new Date(now - NO_RETRY_AFTER_MS).toISOString();
  if (from === "shards-dual" && to === "shards") {
    // A delivery still being retried in D1 would lose its log row with the
    // delete; the last gives up 24 h after it was made (they only finish now:
    // since shards-dual, new ones are logged in the shards). An older one
    // still pending has no retry coming and is deleted with the rest.
    const pending = await pendingD1Deliveries(env.DB, accountId, retriedSince);
    if (pending.count > 0) {
      const by = new Date(
        new Date(pending.newestCreatedAt ?? now).getTime() + GIVE_UP_AFTER_MS,
      ).toISOString();
      return conflict(
        "Callback deliveries are still being retried in D1",
        `plane: ${pending.count} callback delivery(ies) logged in D1 are pending (delivered or given up by ${by} at the latest); try again once they finish`,
      );
    }
  }
  // The audience: D1's holds still on dual (its writes are refused there), so
  // the copy into the object needs no rounds; the step back closes the
  // object first, so a write of an isolate still on shards-dual is refused.
  let audienceCopied: { to: "store" | "d1"; rows: AudienceCounts } | null = null;
  if (from === "dual" && to === "shards-dual") {
    audienceCopied = { to: "store", rows: await copyAudienceIntoStore(env, accountId) };
  }
  if (from === "shards-dual" && to === "dual") {
    audienceCopied = { to: "d1", rows: await copyAudienceIntoD1(env, accountId) };
  }
  if (
    from !== to &&
    !(await setDataPlane(env.DB, accountId, from, to, new Date(now).toISOString()))
  ) {
    if (audienceCopied?.to === "d1") await reopenAudienceStore(env, accountId);
    return conflict("The account moved meanwhile", "plane: another move changed it; read it again");
  }
  let deletedFromD1 = 0;
  let deletedDeliveriesFromD1 = 0;
  let audienceDeleted = 0;
  if (to === "shards") {
    for (;;) {
      const n = await deleteD1Projection(env.DB, accountId, DELETE_CHUNK);
      deletedFromD1 += n;
      if (n < DELETE_CHUNK) break;
    }
    for (;;) {
      const n = await deleteD1Deliveries(env.DB, accountId, retriedSince, DELETE_CHUNK);
      deletedDeliveriesFromD1 += n;
      if (n < DELETE_CHUNK) break;
    }
    audienceDeleted = await deleteD1Audience(env, accountId);
  }
  return {
    ok: true,
    from,
    plane: to,
    copied,
    deletedFromD1,
    deletedDeliveriesFromD1,
    audience: { copied: audienceCopied, deletedFromD1: audienceDeleted },
  };
}
