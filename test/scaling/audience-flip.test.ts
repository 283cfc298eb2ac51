/**
 * The audience's migration path (docs/SCALING.md §5), end to end through
 * PUT /admin/accounts/{id}/data-plane: an account whose contacts, segments
 * and classes are in D1 moves d1 → dual (audience writes answer 503
 * AUDIENCE_MOVING, reads go on) → shards-dual (the audience copied into its
 * AccountAudienceDO; reads and writes there) → a step back to dual (copied
 * back into D1, the write made meanwhile included) → shards-dual → shards
 * (D1's rows deleted). The v1 API answers the same all along, and a v1
 * broadcast to a segment goes to its members afterwards. Each forward step
 * waits 10 s for every isolate to see the last; the test backdates the
 * change instead of waiting.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { audienceRows } from "../audience-rows";
import { mobileNumber } from "../domain/phones";
import { type Setup, setup } from "../engine";
import { adminHeaders, api, apiKey, expectStatus, jsonInit } from "../helpers";
import { putOnPlane } from "./projection";

const TABLES = ["contacts", "segments", "segment_members", "classes", "enrolments"] as const;

function move(accountId: string, plane: string) {
  return api(`/admin/accounts/${accountId}/data-plane`, jsonInit("PUT", { plane }, adminHeaders));
}

async function settle(accountId: string) {
  await env.DB.prepare("UPDATE accounts SET data_plane_changed_at = ? WHERE id = ?")
    .bind("2000-01-01T00:00:00.000Z", accountId)
    .run();
}

async function inD1(accountId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${t} WHERE account_id = ?`)
      .bind(accountId)
      .first<{ n: number }>();
    out[t] = row?.n ?? -1;
  }
  return out;
}

async function inStore(accountId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) {
    const [row] = await audienceRows<{ n: number }>(
      accountId,
      `SELECT COUNT(*) AS n FROM ${t} WHERE account_id = ?`,
      accountId,
    );
    out[t] = row?.n ?? -1;
  }
  return out;
}

describe("the audience's move off the shared D1", () => {
  it("copies an account's audience into its own store and back, loses no write, and sends to a segment after", async () => {
    const s: Setup = await setup();
    const accountId = s.account.accountId;
    const key = apiKey(s.account.key);
    const call = async (method: string, path: string, body?: unknown, status = 200) =>
      expectStatus<any>(await api(path, jsonInit(method, body, key)), status);
    await putOnPlane(accountId, "d1");
    await call("PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });

    // The audience, written while the account is on d1: in D1.
    const north = await call(
      "POST",
      "/v1/locations",
      { name: "North", timezone: "Asia/Tokyo" },
      201,
    );
    const base = 900_000 + Math.floor(Math.random() * 90_000);
    const people = Array.from({ length: 6 }, (_, i) => mobileNumber(base + i, "0"));
    await call("POST", "/v1/contacts/bulk", {
      contacts: people.map((phone, i) => ({
        phone,
        firstName: `P${i}`,
        location: i < 3 ? { id: north.id } : undefined,
        customFields: { index: String(i) },
      })),
    });
    const listed = await call("GET", "/v1/contacts?limit=100");
    const idOf = new Map<string, string>(listed.map((c: any) => [c.phone.slice(1), c.id]));
    const id = (i: number) => idOf.get(people[i] as string) as string;
    const segment = await call("POST", "/v1/segments", { name: "Members" }, 201);
    await call("POST", `/v1/segments/${segment.id}/contacts`, {
      contactIds: [0, 1, 2, 3].map(id),
    });
    const klass = await call(
      "POST",
      "/v1/classes",
      { name: "Yoga", startsAt: "2030-01-01T10:00:00Z", location: { id: north.id } },
      201,
    );
    await call("POST", `/v1/classes/${klass.id}/enrolments`, { contactId: id(0) }, 201);
    await call(
      "POST",
      `/v1/classes/${klass.id}/enrolments`,
      { contactId: id(4), status: "ATTENDED" },
      201,
    );
    await call("POST", "/v1/suppressions", { phone: people[1] }, 201);
    expect(await inD1(accountId)).toEqual({
      contacts: 6,
      segments: 1,
      segment_members: 4,
      classes: 1,
      enrolments: 2,
    });

    const views = async () => ({
      contacts: await call("GET", "/v1/contacts?limit=100"),
      segment: await call("GET", `/v1/segments/${segment.id}`),
      members: await call("GET", `/v1/segments/${segment.id}/contacts?limit=100`),
      klass: await call("GET", `/v1/classes/${klass.id}`),
      enrolments: await call("GET", `/v1/classes/${klass.id}/enrolments?limit=100`),
    });
    const before = await views();

    // dual: reads go on from D1; every audience write is refused, naming why.
    await expectStatus(await move(accountId, "dual"), 200);
    expect(await views()).toEqual(before);
    const refused = await api(
      "/v1/contacts",
      jsonInit("POST", { phone: mobileNumber(base + 50, "0") }, key),
    );
    expect(refused.headers.get("retry-after")).toBe("10");
    const body = await expectStatus<any>(refused, 503);
    expect(body).toMatchObject({ code: "AUDIENCE_MOVING" });
    expect(body.details).toMatch(/^audience: .*being copied/);
    const refusedSegment = await expectStatus<any>(
      await api(`/v1/segments/${segment.id}`, { method: "DELETE", headers: key }),
      503,
    );
    expect(refusedSegment.code).toBe("AUDIENCE_MOVING");

    // shards-dual: copied into the account's AccountAudienceDO, read from there.
    await settle(accountId);
    const flip = await expectStatus<any>(await move(accountId, "shards-dual"), 200);
    expect(flip.audience).toEqual({
      copied: {
        to: "store",
        rows: { contacts: 6, segments: 1, classes: 1, segment_members: 4, enrolments: 2 },
      },
      deletedFromD1: 0,
    });
    expect(await inStore(accountId)).toEqual(await inD1(accountId));
    expect(await views()).toEqual(before);

    // A write on shards-dual lands in the object only…
    const late = await call("POST", "/v1/contacts", { phone: mobileNumber(base + 60, "0") }, 201);
    await call("POST", `/v1/segments/${segment.id}/contacts`, { contactIds: [late.id] });
    expect((await inD1(accountId)).contacts).toBe(6);
    expect((await inStore(accountId)).contacts).toBe(7);
    const withLate = await views();

    // …and a step back to dual copies it into D1 again: nothing is lost.
    const back = await expectStatus<any>(await move(accountId, "dual"), 200);
    expect(back.audience.copied).toEqual({
      to: "d1",
      rows: { contacts: 7, segments: 1, classes: 1, segment_members: 5, enrolments: 2 },
    });
    expect(await views()).toEqual(withLate);
    await call("DELETE", `/v1/segments/${segment.id}/contacts`, { contactIds: [late.id] }, 503);

    // Forward again, then shards: D1's audience rows are deleted.
    await settle(accountId);
    await expectStatus(await move(accountId, "shards-dual"), 200);
    await settle(accountId);
    const last = await expectStatus<any>(await move(accountId, "shards"), 200);
    expect(
      last.audience.deletedFromD1,
      "7 contacts, 1 segment, 5 members, 1 class, 2 enrolments",
    ).toBe(16);
    expect(await inD1(accountId)).toEqual({
      contacts: 0,
      segments: 0,
      segment_members: 0,
      classes: 0,
      enrolments: 0,
    });
    expect(await views()).toEqual(withLate);

    // A v1 broadcast to the segment: its members less the suppressed one.
    const sent = await call("POST", "/v1/broadcasts", {
      name: "After the move",
      type: "segment",
      segments: [{ id: segment.id }],
      template: { name: "class_booking_flow", language: "en" },
      bodyTextParameters: ["{{contact.firstName}}"],
    });
    await vi.waitUntil(
      async () => (await call("GET", `/v1/broadcasts/${sent.id}`)).status === "completed",
      { timeout: 20_000, interval: 200 },
    );
    const logs = await call("GET", `/v1/broadcasts/${sent.id}/logs?limit=100`);
    const expected = [people[0], people[2], people[3], mobileNumber(base + 60, "0")]
      .map((p) => String(p))
      .sort();
    // The logs show the number without its country code, as the seed's API did.
    expect(logs.map((r: any) => `44${r.phone}`).sort()).toEqual(expected);
  }, 60_000);
});
