import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  api,
  apiKey,
  call,
  createAccount,
  expectStatus,
  randomPhone,
  type TestAccount,
} from "../helpers";

const phone = randomPhone;

async function contacts(account: TestAccount, n: number) {
  const made: any[] = [];
  for (let i = 0; i < n; i++)
    made.push(await call(account, "POST", "/v1/contacts", { phone: phone() }, 201));
  return made;
}

describe("/v1/segments", () => {
  it("creates, lists with paging and filters, gets, updates and deletes", async () => {
    const account = await createAccount();
    const location = await call(account, "POST", "/v1/locations", { name: "L" }, 201);
    const a = await call(
      account,
      "POST",
      "/v1/segments",
      { name: "Gold members", location: { id: location.id } },
      201,
    );
    expect(a).toMatchObject({
      name: "Gold members",
      location: { id: location.id },
      contactCount: 0,
    });
    const b = await call(account, "POST", "/v1/segments", { name: "Lapsed" }, 201);
    expect(b.location).toBeNull();
    const c = await call(account, "POST", "/v1/segments", { name: "Gold trial" }, 201);

    const res = await api("/v1/segments?limit=2&page=1", { headers: apiKey(account.key) });
    expect(res.headers.get("x-total-count")).toBe("3");
    expect((await expectStatus<any[]>(res, 200)).map((s) => s.id)).toEqual([a.id, b.id]);
    const gold = await api("/v1/segments?searchText=gold", { headers: apiKey(account.key) });
    expect(gold.headers.get("x-total-count")).toBe("2");
    expect((await expectStatus<any[]>(gold, 200)).map((s) => s.id)).toEqual([a.id, c.id]);
    const here = await call(account, "GET", `/v1/segments?locationId=${location.id}`);
    expect(here.map((s: any) => s.id)).toEqual([a.id]);
    expect(
      (await call(account, "GET", "/v1/segments?locationId=x", undefined, 400)).details,
    ).toContain("locationId");

    expect(await call(account, "GET", `/v1/segments/${a.id}`)).toEqual(a);
    const renamed = await call(account, "PUT", `/v1/segments/${a.id}`, { name: "Platinum" });
    expect(renamed).toMatchObject({ name: "Platinum", location: { id: location.id } });
    expect(
      (await call(account, "PUT", `/v1/segments/${a.id}`, { location: null })).location,
    ).toBeNull();
    for (const [body, field] of [
      [{ name: "" }, "name"],
      [{ name: 5 }, "name"],
      [{ location: { id: "nope" } }, "location.id"],
    ] as const) {
      expect((await call(account, "PUT", `/v1/segments/${a.id}`, body, 400)).details).toContain(
        field,
      );
      expect(
        (
          await call(
            account,
            "POST",
            "/v1/segments",
            { ...{ name: "x" }, ...body } as Record<string, unknown>,
            400,
          )
        ).details,
      ).toContain(field);
    }
    expect(await call(account, "DELETE", `/v1/segments/${b.id}`)).toEqual({ success: true });
    await call(account, "GET", `/v1/segments/${b.id}`, undefined, 404);
    await call(account, "DELETE", `/v1/segments/${b.id}`, undefined, 404);
  });

  it("adds, lists and removes members; unknown contact ids are a 400 that changes nothing", async () => {
    const account = await createAccount();
    const segment = await call(account, "POST", "/v1/segments", { name: "S" }, 201);
    const people = await contacts(account, 5);
    const ids = people.map((p) => p.id);
    const path = `/v1/segments/${segment.id}/contacts`;

    expect(await call(account, "POST", path, { contactIds: ids.slice(0, 3) })).toEqual({
      added: 3,
      contactCount: 3,
    });
    // Already-members and repeats are not added twice.
    expect(await call(account, "POST", path, { contactIds: [ids[2], ids[3], ids[3]] })).toEqual({
      added: 1,
      contactCount: 4,
    });
    expect((await call(account, "GET", `/v1/segments/${segment.id}`)).contactCount).toBe(4);

    const sorted = ids.slice(0, 4).sort();
    const page = await api(`${path}?limit=3&page=2`, { headers: apiKey(account.key) });
    expect(page.headers.get("x-total-count")).toBe("4");
    const rows = await expectStatus<any[]>(page, 200);
    expect(rows.map((r) => r.id)).toEqual(sorted.slice(3));
    expect(rows[0]).toEqual(people.find((p) => p.id === sorted[3]));

    const other = await createAccount();
    const [foreign] = await contacts(other, 1);
    const bad = await call(
      account,
      "POST",
      path,
      { contactIds: [ids[4], "ghost", foreign.id] },
      400,
    );
    expect(bad.details).toContain("contactIds");
    expect(bad.details).toContain("ghost");
    expect(bad.details).toContain(foreign.id);
    expect(bad.details).not.toContain(ids[4]);
    expect((await call(account, "GET", `/v1/segments/${segment.id}`)).contactCount).toBe(4);

    for (const body of [
      {},
      { contactIds: [] },
      { contactIds: "x" },
      { contactIds: [1] },
      { contactIds: Array.from({ length: 1001 }, (_, i) => `id${i}`) },
    ]) {
      expect(
        (await call(account, "POST", path, body, 400)).details,
        JSON.stringify(body).slice(0, 80),
      ).toContain("contactIds");
    }
    expect(
      (await call(account, "DELETE", path, { contactIds: [foreign.id] }, 400)).details,
    ).toContain(foreign.id);

    expect(await call(account, "DELETE", path, { contactIds: [ids[0], ids[1], ids[4]] })).toEqual({
      removed: 2,
      contactCount: 2,
    });
    const left = await call(account, "GET", path);
    expect(left.map((r: any) => r.id).sort()).toEqual([ids[2], ids[3]].sort());

    await call(account, "GET", "/v1/segments/nope/contacts", undefined, 404);
    await call(account, "POST", "/v1/segments/nope/contacts", { contactIds: [ids[0]] }, 404);
    await call(account, "DELETE", "/v1/segments/nope/contacts", { contactIds: [ids[0]] }, 404);

    // Deleting the segment keeps its contacts.
    await call(account, "DELETE", `/v1/segments/${segment.id}`);
    await call(account, "GET", `/v1/contacts/${ids[2]}`);
    const members = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM segment_members WHERE segment_id = ?",
    )
      .bind(segment.id)
      .first<{ n: number }>();
    expect(members?.n).toBe(0);
  });
});
