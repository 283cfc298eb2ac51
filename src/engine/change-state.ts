/**
 * The one state-change path both surfaces call. Which state a move may
 * start from is domain/broadcast-moves.ts's table; the BroadcastDO checks it
 * atomically and answers `conflict` (with the state it is in) otherwise.
 */
import type { BroadcastPlan } from "../domain/broadcast";
import type { BroadcastMove } from "../domain/broadcast-moves";
import type { StateChange } from "../durable/broadcast-do";
import { broadcastStub } from "../durable/stubs";
import type { Bindings } from "../env";

export type { StateChange };

export type StateRequest =
  | { move: Exclude<BroadcastMove, "pause" | "replan"> }
  | { move: "pause"; reason?: string }
  | { move: "replan"; plan: BroadcastPlan };

export function changeState(
  env: Bindings,
  accountId: string,
  broadcastId: string,
  request: StateRequest,
): Promise<StateChange> {
  const stub = broadcastStub(env, accountId, broadcastId);
  switch (request.move) {
    case "cancel":
      return stub.cancel();
    case "pause":
      return stub.pause(request.reason ?? null);
    case "resume":
      return stub.resume();
    case "replan":
      return stub.replacePlan(request.plan);
  }
}

/** A new name, in any state (not a state move: the table does not guard it). */
export function renameBroadcast(
  env: Bindings,
  accountId: string,
  broadcastId: string,
  name: string,
): Promise<StateChange> {
  return broadcastStub(env, accountId, broadcastId).rename(name);
}
