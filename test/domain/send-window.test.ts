import { describe, expect, it } from "vitest";
import { ALL_MAIN_ZONES, mainZone } from "../../src/domain/region-zones";
import {
  isOpen,
  isTimeZone,
  localMinutes,
  nextOpening,
  windowProblem,
  zoneOfPhone,
} from "../../src/domain/send-window";

const at = (iso: string) => Date.parse(iso);
const NINE_TO_EIGHT = { start: "09:00", end: "20:00" };

describe("sending windows", () => {
  it("reads the local clock of each zone", () => {
    const t = at("2026-01-15T12:30:00Z");
    expect(localMinutes(t, "UTC")).toBe(12 * 60 + 30);
    expect(localMinutes(t, "Asia/Kolkata")).toBe(18 * 60);
    expect(localMinutes(t, "America/New_York")).toBe(7 * 60 + 30);
  });

  it("is open inside the window and closed outside, each in its own zone", () => {
    const t = at("2026-01-15T08:30:00Z");
    expect(isOpen(NINE_TO_EIGHT, t, "Europe/London")).toBe(false); // 08:30
    expect(isOpen(NINE_TO_EIGHT, t, "Europe/Berlin")).toBe(true); // 09:30
    expect(isOpen(NINE_TO_EIGHT, t, "America/New_York")).toBe(false); // 03:30
  });

  it("wraps past midnight when the end is before the start", () => {
    const night = { start: "20:00", end: "08:00" };
    expect(isOpen(night, at("2026-01-15T23:00:00Z"), "UTC")).toBe(true);
    expect(isOpen(night, at("2026-01-15T07:59:00Z"), "UTC")).toBe(true);
    expect(isOpen(night, at("2026-01-15T08:00:00Z"), "UTC")).toBe(false);
  });

  it("finds the next opening: later today, or tomorrow once today's has passed", () => {
    expect(nextOpening(NINE_TO_EIGHT, at("2026-01-15T06:10:20Z"), "UTC")).toBe(
      at("2026-01-15T09:00:00Z"),
    );
    expect(nextOpening(NINE_TO_EIGHT, at("2026-01-15T21:00:00Z"), "UTC")).toBe(
      at("2026-01-16T09:00:00Z"),
    );
    const open = at("2026-01-15T10:00:00Z");
    expect(nextOpening(NINE_TO_EIGHT, open, "UTC")).toBe(open);
    // New York's 09:00 on a January day is 14:00 UTC.
    expect(nextOpening(NINE_TO_EIGHT, at("2026-01-15T05:00:00Z"), "America/New_York")).toBe(
      at("2026-01-15T14:00:00Z"),
    );
  });

  it("lands on the local opening across a daylight-saving change", () => {
    // London moves to BST on 2026-03-29 at 01:00 UTC: 09:00 local is 08:00 UTC that day.
    expect(nextOpening(NINE_TO_EIGHT, at("2026-03-28T21:00:00Z"), "Europe/London")).toBe(
      at("2026-03-29T08:00:00Z"),
    );
  });

  it("names what is wrong with a window", () => {
    expect(windowProblem({ start: "9:00", end: "20:00" })).toMatch(/start/);
    expect(windowProblem({ start: "09:00", end: "24:00" })).toMatch(/end/);
    expect(windowProblem({ start: "09:00", end: "09:00" })).toMatch(/differ/);
    expect(windowProblem(NINE_TO_EIGHT)).toBeNull();
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });

  it("takes a number's zone from its region, and knows every zone it names", () => {
    expect(zoneOfPhone("447592850122")).toBe("Europe/London");
    expect(zoneOfPhone("27827134468")).toBe("Africa/Johannesburg");
    expect(zoneOfPhone("+12025550143")).toBe("America/New_York");
    expect(mainZone(undefined)).toBe("UTC");
    expect(ALL_MAIN_ZONES.filter((z) => !isTimeZone(z))).toEqual([]);
  });
});
