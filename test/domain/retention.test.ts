/** The pure rules of export lines and of "did this filter reach past retention". */
import { describe, expect, it } from "vitest";
import { csvHeader, csvLine, exportRecord, ndjsonLine } from "../../src/domain/recipient-export";
import { pastRetention } from "../../src/domain/retention";

const now = new Date("2026-12-01T00:00:00.000Z");
const facts = (over: Partial<Parameters<typeof pastRetention>[0]> = {}) => ({
  days: 30,
  broadcastArchived: null,
  anyArchived: false,
  ...over,
});

describe("pastRetention", () => {
  it("dates the cutoff from the account's days", () => {
    expect(pastRetention(facts(), {}, now)).toEqual({
      recipient_retention_days: 30,
      archived_before: "2026-11-01T00:00:00.000Z",
      past_retention: false,
      note: null,
    });
  });

  it("is reached by a named archived broadcast, not by a named live one", () => {
    const named = { broadcastUuid: "b" };
    expect(
      pastRetention(facts({ broadcastArchived: true, anyArchived: true }), named, now)
        .past_retention,
    ).toBe(true);
    expect(
      pastRetention(facts({ broadcastArchived: false, anyArchived: true }), named, now)
        .past_retention,
    ).toBe(false);
  });

  it("is reached by an updatedSince before the cutoff, or by any filter once the account has archives", () => {
    expect(
      pastRetention(facts(), { updatedSince: "2026-10-01T00:00:00Z" }, now).past_retention,
    ).toBe(true);
    expect(
      pastRetention(facts({ anyArchived: true }), { updatedSince: "2026-11-20T00:00:00Z" }, now)
        .past_retention,
    ).toBe(false);
    const reached = pastRetention(facts({ anyArchived: true }), {}, now);
    expect(reached.past_retention).toBe(true);
    expect(reached.note).toContain("2026-11-01T00:00:00.000Z");
  });
});

describe("export lines", () => {
  const record = exportRecord({
    seq: 3,
    identifier: "+447700900123",
    clientReference: 'a,"b"',
    name: "Line\nbreak",
    status: "sending",
    wamid: null,
    errorCode: 131026,
    errorTitle: "Undeliverable",
    errors: null,
    submittedAt: null,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
    repliedAt: null,
    replyText: null,
    updatedAt: "2026-12-01T00:00:00.000Z",
  });

  it("shows queued and sending as pending, and an error only when failed", () => {
    expect(record).toMatchObject({ status: "pending", error: null, error_code: null });
  });

  it("quotes CSV fields the RFC 4180 way, one column per header", () => {
    const line = csvLine(record);
    expect(line).toBe(
      '3,+447700900123,"a,""b""","Line\nbreak",pending,,,,,,,,,,,2026-12-01T00:00:00.000Z\r\n',
    );
    expect(csvHeader().split(",")).toHaveLength(16);
    expect(JSON.parse(ndjsonLine(record))).toEqual(record);
  });
});
