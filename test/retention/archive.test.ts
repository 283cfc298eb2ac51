/**
 * Retention: the cron's pass archives the recipients of broadcasts finished
 * longer ago than the account's recipientRetentionDays to R2 (one gzip NDJSON
 * object per broadcast), removes them from the BroadcastDO and the D1
 * projection, keeps the summary and counters; export then reads the archive
 * and message_statuses says the filter reached past retention. Broadcasts are
 * seeded through the store (test/retention/seed.ts) with an old completion time.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { archiveKey } from "../../src/durable/broadcast/archive";
import { api, apiKey, bearer, call, createAccount, expectStatus, jsonInit } from "../helpers";
import { projectionRows } from "../scaling/projection";
import { DAY, runCron } from "./cron";
import { seedFinishedBroadcast } from "./seed";

async function statuses(key: string, filters: Record<string, unknown>): Promise<any> {
  return expectStatus(
    await api(
      "/broadcasts/message_statuses",
      jsonInit("POST", { filters, limit: 1000, offset: 0 }, bearer(key)),
    ),
    200,
  );
}

async function gunzipLines(body: ReadableStream<Uint8Array>): Promise<any[]> {
  const text = await new Response(body.pipeThrough(new DecompressionStream("gzip"))).text();
  return text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe("recipient retention", () => {
  it("archives broadcasts past retention to R2 in one object, keeps their counters, and export reads the archive", async () => {
    const account = await createAccount();
    expect(
      await call(account, "PUT", "/v1/settings", { recipientRetentionDays: 30 }, 200),
    ).toMatchObject({ recipientRetentionDays: 30 });
    const old = await seedFinishedBroadcast(account.accountId, 120, {
      completedAt: new Date(Date.now() - 40 * DAY).toISOString(),
      project: true,
    });
    const recent = await seedFinishedBroadcast(account.accountId, 10, { project: true });

    const before = await statuses(account.key, { broadcastUuid: old.broadcastId });
    expect(before.recipients).toHaveLength(120);
    expect(before.retention).toMatchObject({
      recipient_retention_days: 30,
      past_retention: false,
    });
    const detailsBefore = await expectStatus<any>(
      await api(`/broadcasts/${old.broadcastId}`, { headers: bearer(account.key) }),
      200,
    );

    await runCron();

    // One gzip NDJSON object for the broadcast, holding every recipient.
    const listed = await env.ARCHIVE.list({ prefix: `recipients/${account.accountId}/` });
    expect(listed.objects.map((o) => o.key)).toEqual([
      archiveKey(account.accountId, old.broadcastId),
    ]);
    const object = await env.ARCHIVE.get(archiveKey(account.accountId, old.broadcastId));
    if (!object) throw new Error("no archive object");
    const archived = await gunzipLines(object.body);
    expect(archived).toHaveLength(120);
    expect(archived[0]).toMatchObject({ seq: 0, client_reference: "ref-0", status: "failed" });

    // The summary and counters stay; the rows left the DO and the projection.
    const detailsAfter = await expectStatus<any>(
      await api(`/broadcasts/${old.broadcastId}`, { headers: bearer(account.key) }),
      200,
    );
    expect(detailsAfter).toEqual(detailsBefore);
    expect(detailsAfter).toMatchObject({ recipients: 120, delivered: 108, failed: 12 });
    const page = await expectStatus<any>(
      await api(`/broadcasts/${old.broadcastId}/recipients`, { headers: bearer(account.key) }),
      200,
    );
    expect(page.recipients).toHaveLength(0);
    // The archived broadcast left the projection (its month shard); the recent one stays.
    expect(await projectionRows(account.accountId, old.broadcastId, "seq")).toEqual([]);
    expect(await projectionRows(account.accountId, recent.broadcastId, "seq")).toHaveLength(10);

    // message_statuses says where the rows went.
    const after = await statuses(account.key, { broadcastUuid: old.broadcastId });
    expect(after.recipients).toHaveLength(0);
    expect(after.retention.past_retention).toBe(true);
    expect(after.retention.note).toContain("export");
    expect(
      (await statuses(account.key, { broadcastUuid: recent.broadcastId })).retention.past_retention,
    ).toBe(false);
    expect(
      (await statuses(account.key, { clientReferences: ["ref-1"] })).retention.past_retention,
    ).toBe(true);
    expect(
      (await statuses(account.key, { updatedSince: new Date(Date.now() - DAY).toISOString() }))
        .retention.past_retention,
    ).toBe(false);

    // Export reads the archive, in both formats.
    const csv = await api(`/broadcasts/${old.broadcastId}/recipients/export?format=csv`, {
      headers: bearer(account.key),
    });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).split("\r\n").filter(Boolean);
    expect(lines).toHaveLength(121);
    expect(lines[1]).toMatch(/^0,\+\d+,ref-0,"Person, ""0""",failed,Message undeliverable,131026,/);
    const nd = await api(`/broadcasts/${old.broadcastId}/recipients/export?format=ndjson`, {
      headers: bearer(account.key),
    });
    const records = new TextDecoder()
      .decode(await nd.arrayBuffer())
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(records).toEqual(archived);

    // A second pass finds nothing more to do and leaves the object as it was.
    await runCron();
    const again = await env.ARCHIVE.head(archiveKey(account.accountId, old.broadcastId));
    expect(again?.etag).toBe(object.etag);
    const recentPage = await expectStatus<any>(
      await api(`/broadcasts/${recent.broadcastId}/recipients`, { headers: bearer(account.key) }),
      200,
    );
    expect(recentPage.pagination.total).toBe(10);
  });

  it("an erasure reaches archived recipients: the object is rewritten without the person", async () => {
    const account = await createAccount();
    await call(account, "PUT", "/v1/settings", { recipientRetentionDays: 30 }, 200);
    const old = await seedFinishedBroadcast(account.accountId, 14, {
      completedAt: new Date(Date.now() - 40 * DAY).toISOString(),
      project: true,
    });
    await runCron();
    const key = archiveKey(account.accountId, old.broadcastId);
    const before = await env.ARCHIVE.get(key);
    if (!before) throw new Error("no archive object");
    const rows = await gunzipLines(before.body);
    const person = rows[7];
    const phone = String(person.identifier);

    const report = await call(account, "POST", "/v1/erasures", { phone }, 200);
    expect(report).toMatchObject({ recipients: 1 });

    const after = await env.ARCHIVE.get(key);
    if (!after) throw new Error("archive object gone");
    const scrubbed = await gunzipLines(after.body);
    expect(scrubbed).toHaveLength(14);
    expect(JSON.stringify(scrubbed)).not.toContain(phone.replace("+", ""));
    expect(scrubbed[7]).toMatchObject({
      seq: 7,
      identifier: "[erased]",
      name: null,
      status: person.status,
      client_reference: "ref-7",
    });
    expect(scrubbed.filter((r) => r.identifier === "[erased]")).toHaveLength(1);
    // The export reads the scrubbed archive.
    const csv = await api(`/broadcasts/${old.broadcastId}/recipients/export`, {
      headers: bearer(account.key),
    });
    expect(await csv.text()).not.toContain(phone.replace("+", ""));
  });

  it("deleting an archived broadcast deletes its archive", async () => {
    const account = await createAccount();
    await call(account, "PUT", "/v1/settings", { recipientRetentionDays: 30 }, 200);
    const old = await seedFinishedBroadcast(account.accountId, 5, {
      completedAt: new Date(Date.now() - 40 * DAY).toISOString(),
      surface: "v1",
    });
    await runCron();
    const key = archiveKey(account.accountId, old.broadcastId);
    expect(await env.ARCHIVE.head(key)).not.toBeNull();
    const res = await api(`/v1/broadcasts/${old.broadcastId}`, {
      method: "DELETE",
      headers: apiKey(account.key),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
    expect(await env.ARCHIVE.head(key)).toBeNull();
  });

  it("takes recipientRetentionDays from 1 to 3650, naming the field otherwise", async () => {
    const account = await createAccount();
    expect(await call(account, "GET", "/v1/settings", undefined, 200)).toMatchObject({
      recipientRetentionDays: 400,
    });
    for (const bad of [0, 3651, 1.5, "30"]) {
      const body = await call(account, "PUT", "/v1/settings", { recipientRetentionDays: bad }, 400);
      expect(body.details).toContain("recipientRetentionDays");
    }
    expect(await call(account, "GET", "/v1/settings", undefined, 200)).toMatchObject({
      recipientRetentionDays: 400,
    });
  });
});
