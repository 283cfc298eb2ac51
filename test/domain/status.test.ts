import { describe, expect, it } from "vitest";
import {
  applyDeliveryStatus,
  type DeliveryStatus,
  isSendSettled,
  isTerminal,
  type RecipientStatus,
  STATUS_RANK,
} from "../../src/domain/status";

/** Applies a sequence of webhook statuses the way the BroadcastDO does. */
function replay(start: RecipientStatus, events: DeliveryStatus[]): RecipientStatus {
  let status = start;
  for (const e of events) status = applyDeliveryStatus(status, e) ?? status;
  return status;
}

describe("applyDeliveryStatus", () => {
  it("moves forward along submitted < sent < delivered < read", () => {
    expect(STATUS_RANK.submitted).toBeLessThan(STATUS_RANK.sent);
    expect(STATUS_RANK.sent).toBeLessThan(STATUS_RANK.delivered);
    expect(STATUS_RANK.delivered).toBeLessThan(STATUS_RANK.read);
    expect(applyDeliveryStatus("submitted", "sent")).toBe("sent");
    expect(applyDeliveryStatus("sent", "delivered")).toBe("delivered");
    expect(applyDeliveryStatus("delivered", "read")).toBe("read");
    expect(applyDeliveryStatus("submitted", "read")).toBe("read");
  });

  it("never moves back, so out-of-order arrivals end at the furthest status", () => {
    expect(applyDeliveryStatus("read", "delivered")).toBeNull();
    expect(applyDeliveryStatus("read", "sent")).toBeNull();
    expect(applyDeliveryStatus("delivered", "sent")).toBeNull();
    expect(replay("submitted", ["read", "delivered", "sent"])).toBe("read");
    expect(replay("submitted", ["delivered", "sent", "read", "delivered"])).toBe("read");
  });

  it("ignores duplicates", () => {
    for (const s of ["sent", "delivered", "read", "failed"] as const) {
      expect(applyDeliveryStatus(s, s)).toBeNull();
    }
  });

  it("accepts a status that beats the send's own answer", () => {
    expect(applyDeliveryStatus("sending", "sent")).toBe("sent");
    expect(applyDeliveryStatus("queued", "delivered")).toBe("delivered");
    expect(applyDeliveryStatus("pending", "read")).toBe("read");
    expect(applyDeliveryStatus("sending", "failed")).toBe("failed");
  });

  it("treats failed as terminal unless a later delivered or read proves otherwise", () => {
    expect(applyDeliveryStatus("submitted", "failed")).toBe("failed");
    expect(applyDeliveryStatus("sent", "failed")).toBe("failed");
    expect(applyDeliveryStatus("failed", "sent")).toBeNull();
    expect(applyDeliveryStatus("failed", "delivered")).toBe("delivered");
    expect(applyDeliveryStatus("failed", "read")).toBe("read");
    expect(replay("submitted", ["sent", "failed", "delivered"])).toBe("delivered");
  });

  it("does not let a late failure undo a delivery", () => {
    expect(applyDeliveryStatus("delivered", "failed")).toBeNull();
    expect(applyDeliveryStatus("read", "failed")).toBeNull();
  });

  it("never changes rejected, cancelled or undeliverable recipients", () => {
    for (const s of ["rejected", "cancelled", "undeliverable"] as const) {
      for (const e of ["sent", "delivered", "read", "failed"] as const) {
        expect(applyDeliveryStatus(s, e)).toBeNull();
      }
    }
  });
});

describe("isTerminal and isSendSettled", () => {
  it("knows which statuses are final", () => {
    const terminal = (Object.keys(STATUS_RANK) as RecipientStatus[]).filter(isTerminal);
    expect(terminal.sort()).toEqual(["cancelled", "failed", "read", "rejected", "undeliverable"]);
  });

  it("knows which recipients no longer need sending", () => {
    const settled = (Object.keys(STATUS_RANK) as RecipientStatus[]).filter(isSendSettled);
    expect(settled.sort()).toEqual([
      "cancelled",
      "delivered",
      "failed",
      "read",
      "rejected",
      "sent",
      "submitted",
      "undeliverable",
    ]);
  });
});
