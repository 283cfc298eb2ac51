import { describe, expect, it } from "vitest";
import type { BroadcastState } from "../../src/domain/broadcast";
import { canMove, v1StatusMove } from "../../src/domain/broadcast-moves";

const STATES: BroadcastState[] = [
  "draft",
  "scheduled",
  "sending",
  "paused",
  "completed",
  "cancelled",
];

describe("the one table of broadcast state moves", () => {
  it("guards the DO's moves: cancel before the end, pause while scheduled or sending, resume while paused, replan before sending", () => {
    const from = (move: Parameters<typeof canMove>[0]) => STATES.filter((s) => canMove(move, s));
    expect(from("cancel")).toEqual(["draft", "scheduled", "sending", "paused"]);
    expect(from("pause")).toEqual(["scheduled", "sending"]);
    expect(from("resume")).toEqual(["paused"]);
    expect(from("replan")).toEqual(["draft", "scheduled"]);
  });

  it("gives v1's PUT exactly the contract's moves: draft ⇄ scheduled, sending → paused, paused → scheduled, anything not finished → cancelled", () => {
    const allowed: string[] = [];
    for (const from of STATES)
      for (const to of STATES) {
        const move = v1StatusMove(from, to);
        if (from === to) expect(move, `${from} → ${to}`).toBeNull();
        else if (move !== "refused") allowed.push(`${from} → ${to}: ${move}`);
      }
    expect(allowed.sort()).toEqual(
      [
        "draft → scheduled: replan",
        "draft → cancelled: cancel",
        "scheduled → draft: replan",
        "scheduled → cancelled: cancel",
        "sending → paused: pause",
        "sending → cancelled: cancel",
        "paused → scheduled: resume",
        "paused → cancelled: cancel",
      ].sort(),
    );
  });
});
