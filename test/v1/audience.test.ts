import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  type AudienceContact,
  audienceForClass,
  audienceForClient,
  audienceForSegments,
  fetchAudiencePage,
} from "../../src/db/audience";
import { mobileNumber } from "../domain/phones";
import { api, apiKey, createAccount, expectStatus, jsonInit, type TestAccount } from "../helpers";
import { putOnPlane } from "../scaling/projection";

async function call(
  account: TestAccount,
  method: string,
  path: string,
  body: unknown,
  status = 200,
) {
  return expectStatus<any>(await api(path, jsonInit(method, body, apiKey(account.key))), status);
}

async function collect(pages: AsyncIterable<AudienceContact[]>, maxPage = Infinity) {
  const all: AudienceContact[] = [];
  let count = 0;
  for await (const page of pages) {
    expect(page.length).toBeGreaterThan(0);
    expect(page.length).toBeLessThanOrEqual(maxPage);
    all.push(...page);
    count += 1;
  }
  return { all, pages: count, phones: all.map((c) => c.phone) };
}

/**
 * An account with 12 contacts p0…p11 in two locations: p3 opted out, p4
 * suppressed (p5 is suppressed in another account only), p6 opted out and
 * suppressed. Segment A = p0…p5, B = p4…p9 (overlap p4, p5); class with
 * p0 BOOKED, p1 ATTENDED, p3 BOOKED (opted out), p4 BOOKED (suppressed),
 * p7 NO_SHOW, p8 CANCELLED.
 */
async function world(plane: Plane) {
  const account = await createAccount();
  const other = await createAccount();
  await putOnPlane(account.accountId, plane);
  await putOnPlane(other.accountId, plane);
  const north = await call(account, "POST", "/v1/locations", { name: "North" }, 201);
  const south = await call(account, "POST", "/v1/locations", { name: "South" }, 201);
  const base = Math.floor(Math.random() * 60_000_000);
  const p = Array.from({ length: 12 }, (_, i) => mobileNumber(base + i));
  const result = await call(account, "POST", "/v1/contacts/bulk", {
    contacts: p.map((phone, i) => ({
      phone,
      firstName: `F${i}`,
      lastName: `L${i}`,
      location: { id: i < 6 ? north.id : south.id },
      optedIn: i !== 3 && i !== 6,
      customFields: { index: String(i) },
    })),
  });
  expect(result).toMatchObject({ created: 12, errors: [] });
  const ids = new Map<string, string>();
  const rows = await expectStatus<any[]>(
    await api("/v1/contacts?limit=100", { headers: apiKey(account.key) }),
    200,
  );
  for (const row of rows) ids.set(row.phone.slice(1), row.id);
  const id = (i: number) => ids.get(p[i] as string) as string;

  await call(account, "POST", "/v1/suppressions", { phone: p[4] }, 201);
  await call(account, "POST", "/v1/suppressions", { phone: p[6] }, 201);
  await call(other, "POST", "/v1/suppressions", { phone: p[5] }, 201);
  // The other account holds some of the same numbers: they never leak in.
  await call(other, "POST", "/v1/contacts/bulk", {
    contacts: p.slice(0, 8).map((phone) => ({ phone })),
  });

  const segA = await call(account, "POST", "/v1/segments", { name: "A" }, 201);
  const segB = await call(account, "POST", "/v1/segments", { name: "B" }, 201);
  await call(account, "POST", `/v1/segments/${segA.id}/contacts`, {
    contactIds: [0, 1, 2, 3, 4, 5].map(id),
  });
  await call(account, "POST", `/v1/segments/${segB.id}/contacts`, {
    contactIds: [4, 5, 6, 7, 8, 9].map(id),
  });
  const otherSeg = await call(other, "POST", "/v1/segments", { name: "Other" }, 201);
  const otherRows = await expectStatus<any[]>(
    await api("/v1/contacts?limit=100", { headers: apiKey(other.key) }),
    200,
  );
  await call(other, "POST", `/v1/segments/${otherSeg.id}/contacts`, {
    contactIds: otherRows.map((r) => r.id),
  });

  const klass = await call(
    account,
    "POST",
    "/v1/classes",
    { name: "K", startsAt: "2030-01-01T10:00:00Z" },
    201,
  );
  for (const [i, status] of [
    [0, "BOOKED"],
    [1, "ATTENDED"],
    [3, "BOOKED"],
    [4, "BOOKED"],
    [7, "NO_SHOW"],
    [8, "CANCELLED"],
  ] as const) {
    await call(
      account,
      "POST",
      `/v1/classes/${klass.id}/enrolments`,
      { contactId: id(i), status },
      201,
    );
  }
  return { account, other, north, south, p, id, segA, segB, otherSeg, klass };
}

const pick = (p: string[], indexes: number[]) => indexes.map((i) => p[i] as string);

/**
 * Both stores answer the same pages: D1's one statement (an account on "d1")
 * and the AccountAudienceDO's rows filtered against D1 (on "shards", every
 * new account).
 */
type Plane = "shards" | "d1";

describe.each(["shards", "d1"] as const)("audience resolution, audience on %s", (plane) => {
  it("client: every opted-in, unsuppressed contact of the account or of one location, in phone order", async () => {
    const w = await world(plane);
    const everyone = await collect(audienceForClient(env, w.account.accountId, null));
    expect(everyone.phones).toEqual(pick(w.p, [0, 1, 2, 5, 7, 8, 9, 10, 11]).sort());
    const c0 = everyone.all.find((c) => c.phone === w.p[0]);
    expect(c0).toEqual({
      id: w.id(0),
      name: "F0 L0",
      firstName: "F0",
      lastName: "L0",
      phone: w.p[0],
      customFields: { index: "0" },
      timezone: "UTC", // its location's zone (the default)
    });
    const north = await collect(audienceForClient(env, w.account.accountId, w.north.id));
    expect(north.phones).toEqual(pick(w.p, [0, 1, 2, 5]).sort());
    const south = await collect(audienceForClient(env, w.account.accountId, w.south.id));
    expect(south.phones).toEqual(pick(w.p, [7, 8, 9, 10, 11]).sort());
    // Another account's location gives nothing, even for the same numbers.
    expect((await collect(audienceForClient(env, w.other.accountId, w.north.id))).all).toEqual([]);
    // The other account's own audience: its 8 numbers less its suppressed p5.
    const theirs = await collect(audienceForClient(env, w.other.accountId, null));
    expect(theirs.phones).toEqual(pick(w.p, [0, 1, 2, 3, 4, 6, 7]).sort());
  });

  it("segment: members of any of the segments, each once, without opt-outs and suppressions", async () => {
    const w = await world(plane);
    const both = await collect(
      audienceForSegments(env, w.account.accountId, [w.segA.id, w.segB.id]),
    );
    expect(both.phones.sort()).toEqual(pick(w.p, [0, 1, 2, 5, 7, 8, 9]).sort());
    expect(new Set(both.all.map((c) => c.id)).size).toBe(both.all.length);
    const ids = both.all.map((c) => c.id);
    expect(ids).toEqual([...ids].sort());
    const a = await collect(audienceForSegments(env, w.account.accountId, [w.segA.id, w.segA.id]));
    expect(a.phones.sort()).toEqual(pick(w.p, [0, 1, 2, 5]).sort());
    // Segments of another account are not this account's audience.
    expect(
      (await collect(audienceForSegments(env, w.account.accountId, [w.otherSeg.id]))).all,
    ).toEqual([]);
    expect((await collect(audienceForSegments(env, w.account.accountId, []))).all).toEqual([]);
  });

  it("class: the enrolled contacts with the status, or all of them", async () => {
    const w = await world(plane);
    const all = await collect(audienceForClass(env, w.account.accountId, w.klass.id, "ALL"));
    expect(all.phones.sort()).toEqual(pick(w.p, [0, 1, 7, 8]).sort());
    const booked = await collect(audienceForClass(env, w.account.accountId, w.klass.id, "BOOKED"));
    expect(booked.phones).toEqual([w.p[0]]);
    const noShow = await collect(audienceForClass(env, w.account.accountId, w.klass.id, "NO_SHOW"));
    expect(noShow.phones).toEqual([w.p[7]]);
    expect(
      (await collect(audienceForClass(env, w.account.accountId, w.klass.id, "WAITLISTED"))).all,
    ).toEqual([]);
    expect(
      (await collect(audienceForClass(env, w.other.accountId, w.klass.id, "ALL"))).all,
    ).toEqual([]);
  });

  it("pages by cursor: small pages give the same contacts, in the same order, none twice", async () => {
    const w = await world(plane);
    const accountId = w.account.accountId;
    for (const [source, size] of [
      [{ type: "client", locationId: null }, 4],
      [{ type: "segment", segmentIds: [w.segA.id, w.segB.id] }, 2],
      [{ type: "class", classId: w.klass.id, status: "ALL" }, 3],
    ] as const) {
      const whole = await fetchAudiencePage(env, accountId, source, null);
      expect(whole.cursor).toBeNull();
      const paged: AudienceContact[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await fetchAudiencePage(env, accountId, source, cursor, size);
        expect(page.contacts.length, source.type).toBeLessThanOrEqual(size);
        if (page.cursor !== null) expect(page.contacts.length).toBe(size);
        paged.push(...page.contacts);
        cursor = page.cursor;
        pages += 1;
      } while (cursor !== null && pages < 50);
      expect(paged, source.type).toEqual(whole.contacts);
      expect(pages).toBe(Math.floor(whole.contacts.length / size) + 1);
    }
    const streamed = await collect(
      audienceForSegments(env, accountId, [w.segA.id, w.segB.id], 2),
      2,
    );
    expect(streamed.pages).toBe(4);
  });

  it("streams a large audience 1,000 at a time", async () => {
    const account = await createAccount();
    await putOnPlane(account.accountId, plane);
    const base = Math.floor(Math.random() * 50_000_000);
    const phones = Array.from({ length: 5_500 }, (_, i) => mobileNumber(base + i));
    await call(account, "POST", "/v1/contacts/bulk", {
      contacts: phones.map((phone, i) => ({ phone, optedIn: i % 100 !== 0 })),
    });
    for (const phone of phones.slice(1, 11)) {
      await call(account, "POST", "/v1/suppressions", { phone }, 201);
    }
    const started = Date.now();
    const result = await collect(audienceForClient(env, account.accountId, null), 1_000);
    const ms = Date.now() - started;
    expect(result.pages).toBe(6);
    expect(result.all).toHaveLength(5_500 - 55 - 10);
    expect(new Set(result.phones).size).toBe(result.all.length);
    expect(result.phones).toEqual([...result.phones].sort());
    expect(ms, `streamed in ${ms} ms`).toBeLessThan(3_000);
  });
});
