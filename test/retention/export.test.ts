/**
 * GET /broadcasts/{uuid}/recipients/export streams every recipient, as CSV or
 * NDJSON, paging through the BroadcastDO. The 50,000 recipients are seeded
 * straight into the DO's store (test/retention/seed.ts), not sent.
 */
import { describe, expect, it } from "vitest";
import { api, bearer, createAccount, expectStatus } from "../helpers";
import { seedFinishedBroadcast } from "./seed";

describe("recipient export", () => {
  it("streams all 50,000 recipients of a broadcast as CSV and as NDJSON, in order", async () => {
    const account = await createAccount();
    const { broadcastId } = await seedFinishedBroadcast(account.accountId, 50_000);

    const csv = await api(`/broadcasts/${broadcastId}/recipients/export?format=csv`, {
      headers: bearer(account.key),
    });
    expect(
      csv.status,
      await csv
        .clone()
        .text()
        .then((t) => t.slice(0, 300)),
    ).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toContain(
      `broadcast-${broadcastId}-recipients.csv`,
    );
    const lines = (await csv.text()).split("\r\n");
    expect(lines.pop()).toBe("");
    expect(lines[0]).toBe(
      "seq,identifier,client_reference,name,status,error,error_code,wamid,submitted_at,sent_at,delivered_at,read_at,failed_at,replied_at,reply_text,updated_at",
    );
    expect(lines).toHaveLength(50_001);
    // A name with a comma and quotes is quoted the RFC 4180 way.
    expect(lines[1]).toMatch(
      /^0,\+\d+,ref-0,"Person, ""0""",failed,Message undeliverable,131026,wamid\.seeded\.0,/,
    );
    expect(lines[2]).toMatch(/^1,\+\d+,ref-1,,delivered,,,wamid\.seeded\.1,/);

    const nd = await api(`/broadcasts/${broadcastId}/recipients/export?format=ndjson`, {
      headers: bearer(account.key),
    });
    expect(nd.status).toBe(200);
    expect(nd.headers.get("content-type")).toContain("application/x-ndjson");
    const records = new TextDecoder()
      .decode(await nd.arrayBuffer())
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(50_000);
    expect(records.every((r, i) => r.seq === i)).toBe(true);
    expect(records.filter((r) => r.status === "failed")).toHaveLength(5_000);
    expect(records[49_999]).toMatchObject({
      seq: 49_999,
      client_reference: "ref-49999",
      status: "delivered",
      wamid: "wamid.seeded.49999",
    });
  });

  it("answers 404 for another account's broadcast and 400 naming a bad format", async () => {
    const owner = await createAccount();
    const other = await createAccount();
    const { broadcastId } = await seedFinishedBroadcast(owner.accountId, 3);
    const foreign = await api(`/broadcasts/${broadcastId}/recipients/export`, {
      headers: bearer(other.key),
    });
    await expectStatus(foreign, 404);
    const bad = await expectStatus<any>(
      await api(`/broadcasts/${broadcastId}/recipients/export?format=xml`, {
        headers: bearer(owner.key),
      }),
      400,
    );
    expect(bad.details).toContain("format");
    // Default format: CSV with its header and the three rows.
    const csv = await api(`/broadcasts/${broadcastId}/recipients/export`, {
      headers: bearer(owner.key),
    });
    expect((await csv.text()).trim().split("\r\n")).toHaveLength(4);
  });
});
