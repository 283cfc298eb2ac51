/**
 * The Marketing Messages API's own answers (issue 18 item 1): what each
 * code means when `POST /{phone-number-id}/marketing_messages` gives it
 * (src/domain/meta-errors.ts, REFERENCE.md "Marketing Messages API").
 */
import { describe, expect, it } from "vitest";
import {
  errorRule,
  MARKETING_SYNC_DELAY_MS,
  marketingMessagesErrorRule,
} from "../../src/domain/meta-errors";

describe("Marketing Messages API error classification", () => {
  it("131055 / 134100 (not a marketing template): send once through /messages", () => {
    for (const code of [131055, 134100])
      expect(marketingMessagesErrorRule(code, 400).action, String(code)).toBe("send_via_cloud_api");
  });

  it("134101 (template syncing) and 131009 (ad sync incomplete): reschedule 10 min, bounded", () => {
    expect(marketingMessagesErrorRule(134101, 400)).toMatchObject({
      action: "reschedule",
      delayMs: MARKETING_SYNC_DELAY_MS,
      maxTries: 3,
    });
    // Meta: "wait 10 minutes, retry once".
    expect(marketingMessagesErrorRule(131009, 400)).toMatchObject({
      action: "reschedule",
      delayMs: 600_000,
      maxTries: 2,
    });
    // On /messages 131009 stays a bad parameter: final.
    expect(errorRule(131009, 400).action).toBe("fail");
  });

  it("134102 (template unavailable, HTTP 500): retry later", () => {
    expect(marketingMessagesErrorRule(134102, 500).action).toBe("retry");
    expect(marketingMessagesErrorRule(134102, 400).action).toBe("retry");
  });

  it("131063 (marketing disabled on the Cloud API): pause the sender, naming the setting", () => {
    const rule = errorRule(131063, 400);
    expect(rule.action).toBe("pause_sender");
    expect(rule.why).toContain("marketingApi");
  });

  it("every other code means what it means on /messages", () => {
    for (const code of [130429, 131026, 132015, 131048, 131049, 999_999])
      expect(marketingMessagesErrorRule(code, 400), String(code)).toEqual(errorRule(code, 400));
  });
});
