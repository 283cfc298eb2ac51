/**
 * Meta's error codes → what Chorus does (src/domain/meta-errors.ts), one test
 * per class, every code of REFERENCE.md's tables.
 */
import { describe, expect, it } from "vitest";
import { DAY, errorRule, META_ERRORS } from "../../src/domain/meta-errors";

const actionOf = (code: number, http = 400) => errorRule(code, http).action;

describe("Meta error classification", () => {
  it("retry: throughput, rate limits, unknown and unavailable, 5xx, timeouts", () => {
    for (const code of [130429, 80007, 4]) {
      expect(errorRule(code, 400), String(code)).toMatchObject({
        action: "retry",
        throughput: true,
      });
    }
    for (const code of [1, 2, 131000, 131016, 131057, 0])
      expect(actionOf(code), String(code)).toBe("retry");
    // An unknown code on a 5xx or a 429 is transient too.
    expect(actionOf(999_999, 503)).toBe("retry");
    expect(errorRule(999_999, 429)).toMatchObject({ action: "retry", throughput: true });
  });

  it("reschedule: the pair rate limit, the per-user marketing limit (a day), a throttled flow (an hour)", () => {
    expect(errorRule(131056, 400)).toMatchObject({ action: "reschedule" });
    expect(errorRule(131049, 400)).toMatchObject({ action: "reschedule", delayMs: DAY });
    expect(errorRule(132069, 400)).toMatchObject({ action: "reschedule", delayMs: 3_600_000 });
  });

  it("fail the recipient: undeliverable, opted out, bad parameters, unsupported", () => {
    const codes = [
      131026, 131047, 131050, 131051, 100, 131008, 131009, 132000, 132005, 132007, 132012, 132068,
      135000, 130472, 130497, 131062,
    ];
    for (const code of codes) expect(actionOf(code), String(code)).toBe("fail");
    // An unknown code on a 4xx is never retried blindly.
    expect(actionOf(999_999, 400)).toBe("fail");
  });

  it("pause the broadcast: the template is missing, paused or disabled; its media cannot be fetched", () => {
    for (const code of [132001, 132015, 132016, 131053]) {
      expect(actionOf(code), String(code)).toBe("pause_broadcast");
    }
  });

  it("pause the sender: spam limit, locked, policy block, token, unregistered, payment, classification limit", () => {
    for (const code of [131048, 131031, 368, 190, 133010, 131042, 131064]) {
      expect(actionOf(code), String(code)).toBe("pause_sender");
    }
  });

  it("a known code means the same whatever the HTTP status", () => {
    for (const code of Object.keys(META_ERRORS).map(Number)) {
      expect(errorRule(code, 500), String(code)).toEqual(errorRule(code, 400));
    }
  });
});
