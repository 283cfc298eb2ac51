/**
 * The one table of a broadcast's state moves. The BroadcastDO guards every
 * move with it (atomically, in its own storage), and both surfaces read it to
 * name a request's move: the Broadcasts API's cancel/pause/resume routes, and
 * v1's `PUT` status changes (a narrower set, the v1 contract's).
 */
import type { BroadcastState } from "./broadcast";

export type BroadcastMove = "cancel" | "pause" | "resume" | "replan";

interface MoveRule {
  /** The states the move may start from. */
  from: readonly BroadcastState[];
  /** The subset v1's `PUT /v1/broadcasts/{id}` offers (its contract: `sending → paused`). */
  v1From: readonly BroadcastState[];
}

export const BROADCAST_MOVES: Record<BroadcastMove, MoveRule> = {
  /** Anything not finished yet. */
  cancel: {
    from: ["draft", "scheduled", "sending", "paused"],
    v1From: ["draft", "scheduled", "sending", "paused"],
  },
  pause: { from: ["scheduled", "sending"], v1From: ["sending"] },
  /** Back to sending if it had started, else to scheduled. */
  resume: { from: ["paused"], v1From: ["paused"] },
  /** A new plan (v1 edits, draft ⇄ scheduled) while the audience is not resolved yet. */
  replan: { from: ["draft", "scheduled"], v1From: ["draft", "scheduled"] },
};

export const canMove = (move: BroadcastMove, state: BroadcastState): boolean =>
  BROADCAST_MOVES[move].from.includes(state);

/**
 * What a v1 `PUT` asking `to` from `from` does: `null` when the status stays
 * (only the fields change), the move it names, or `"refused"` (a 409).
 * `draft ⇄ scheduled` is a replan, `paused → scheduled` a resume.
 */
export function v1StatusMove(
  from: BroadcastState,
  to: BroadcastState,
): BroadcastMove | null | "refused" {
  if (to === from) return null;
  const move: BroadcastMove | null =
    to === "cancelled"
      ? "cancel"
      : to === "paused"
        ? "pause"
        : from === "paused" && to === "scheduled"
          ? "resume"
          : to === "draft" || to === "scheduled"
            ? "replan"
            : null;
  return move && BROADCAST_MOVES[move].v1From.includes(from) ? move : "refused";
}
