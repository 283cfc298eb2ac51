import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { audienceRows } from "../audience-rows";
import { KNOWN_NUMBERS } from "../domain/phones";
import {
  api,
  apiKey,
  createAccount,
  expectStatus,
  jsonInit,
  randomPhone,
  type TestAccount,
} from "../helpers";

const phone = randomPhone;

async function post(account: TestAccount, path: string, body: unknown, status = 201) {
  return expectStatus<any>(await api(path, jsonInit("POST", body, apiKey(account.key))), status);
}

async function put(account: TestAccount, path: string, body: unknown, status = 200) {
  return expectStatus<any>(await api(path, jsonInit("PUT", body, apiKey(account.key))), status);
}

async function list(account: TestAccount, query: string) {
  const res = await api(`/v1/contacts${query}`, { headers: apiKey(account.key) });
  const total = res.headers.get("x-total-count");
  return { total: Number(total), body: await expectStatus<any[]>(res, 200) };
}

describe("/v1/contacts", () => {
  it("creates a contact: phone normalized to E.164, name derived, defaults", async () => {
    const account = await createAccount();
    const location = await post(account, "/v1/locations", { name: "L" });
    const digits = phone();
    const contact = await post(account, "/v1/contacts", {
      phone: `+${digits}`,
      firstName: " Ada ",
      lastName: "Lovelace",
      location: { id: location.id },
      customFields: { membership: "gold", visits_2025: "12" },
    });
    expect(contact).toMatchObject({
      name: "Ada Lovelace",
      firstName: "Ada",
      lastName: "Lovelace",
      phone: `+${digits}`,
      location: { id: location.id },
      optedIn: true,
      customFields: { membership: "gold", visits_2025: "12" },
    });
    // Stored as digits, in the account's own audience store (a new account is on
    // "shards"), and not in the shared D1.
    const raw = await audienceRows<{ phone: string; opted_in: number }>(
      account.accountId,
      "SELECT phone, opted_in FROM contacts WHERE id = ?",
      contact.id,
    );
    expect(raw).toEqual([{ phone: digits, opted_in: 1 }]);
    const inD1 = await env.DB.prepare("SELECT COUNT(*) AS n FROM contacts WHERE account_id = ?")
      .bind(account.accountId)
      .first<{ n: number }>();
    expect(inD1?.n, "a shards account's contact writes no row to D1").toBe(0);

    const bare = await post(account, "/v1/contacts", { phone: phone(), optedIn: false });
    expect(bare).toMatchObject({
      name: null,
      firstName: null,
      lastName: null,
      location: null,
      optedIn: false,
      customFields: {},
    });
    const named = await post(account, "/v1/contacts", {
      phone: phone(),
      name: "The Boss",
      firstName: "Jo",
    });
    expect(named.name).toBe("The Boss");
    expect(
      await expectStatus(
        await api(`/v1/contacts/${contact.id}`, { headers: apiKey(account.key) }),
        200,
      ),
    ).toEqual(contact);
  });

  it("refuses a phone already in the account with 409, with or without '+'", async () => {
    const account = await createAccount();
    const digits = phone();
    await post(account, "/v1/contacts", { phone: digits });
    const dup = await post(account, "/v1/contacts", { phone: `+${digits}` }, 409);
    expect(dup.details).toContain(digits);
    // Another account may hold the same number.
    const other = await createAccount();
    await post(other, "/v1/contacts", { phone: digits });
    expect((await list(account, "")).total).toBe(1);
  });

  it("rejects ugly input with the field named and writes nothing", async () => {
    const account = await createAccount();
    const cases: [unknown, string][] = [
      [{}, "phone"],
      [{ phone: 447700900123 }, "phone"],
      [{ phone: "12345" }, "phone"],
      [{ phone: "+44 7700 900123" }, "phone"],
      [{ phone: "abc" }, "phone"],
      [{ phone: `0${phone()}` }, "phone"],
      [{ phone: phone(), optedIn: "yes" }, "optedIn"],
      [{ phone: phone(), firstName: 7 }, "firstName"],
      [{ phone: phone(), location: { id: "nowhere" } }, "location.id"],
      [{ phone: phone(), location: "nowhere" }, "location"],
      [{ phone: phone(), customFields: ["a"] }, "customFields"],
      [{ phone: phone(), customFields: { "1bad": "x" } }, "customFields"],
      [{ phone: phone(), customFields: { good: 1 } }, "customFields.good"],
      [
        {
          phone: phone(),
          customFields: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, "v"])),
        },
        "customFields",
      ],
      [{ phone: phone(), name: "x".repeat(201) }, "name"],
    ];
    for (const [body, field] of cases) {
      const error = await post(account, "/v1/contacts", body, 400);
      expect(error.details, JSON.stringify(body)).toContain(field);
    }
    expect(
      (await post(account, "/v1/contacts", { phone: KNOWN_NUMBERS.ukMobile.slice(0, 8) }, 400))
        .details,
    ).toMatch(/phone: not a valid phone number/);
    await expectStatus(
      await api("/v1/contacts", jsonInit("POST", "[1,2", apiKey(account.key))),
      400,
    );
    // 50 custom fields are fine.
    await post(account, "/v1/contacts", {
      phone: phone(),
      customFields: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, "v"])),
    });
    expect((await list(account, "")).total).toBe(1);
  });

  it("updates only the given fields; the derived name follows, an explicit one stays", async () => {
    const account = await createAccount();
    const location = await post(account, "/v1/locations", { name: "L" });
    const contact = await post(account, "/v1/contacts", {
      phone: phone(),
      firstName: "Ada",
      lastName: "Byron",
      customFields: { a: "1" },
    });
    const path = `/v1/contacts/${contact.id}`;
    const married = await put(account, path, { lastName: "Lovelace" });
    expect(married).toMatchObject({
      name: "Ada Lovelace",
      lastName: "Lovelace",
      customFields: { a: "1" },
      phone: contact.phone,
    });
    const renamed = await put(account, path, {
      name: "Countess",
      optedIn: false,
      location: { id: location.id },
      customFields: { b: "2" },
    });
    expect(renamed).toMatchObject({
      name: "Countess",
      optedIn: false,
      location: { id: location.id },
      customFields: { b: "2" },
    });
    expect((await put(account, path, { firstName: "Augusta" })).name).toBe("Countess");
    expect((await put(account, path, { name: null })).name).toBe("Augusta Lovelace");

    const newPhone = phone();
    expect((await put(account, path, { phone: newPhone })).phone).toBe(`+${newPhone}`);
    const other = await post(account, "/v1/contacts", { phone: phone() });
    const taken = await put(account, path, { phone: other.phone }, 409);
    expect(taken.details).toContain("phone");
    expect((await put(account, path, { phone: "999" }, 400)).details).toContain("phone");
    expect((await put(account, path, { location: { id: "nope" } }, 400)).details).toContain(
      "location.id",
    );
    expect((await put(account, path, { location: null })).location).toBeNull();
    await put(account, "/v1/contacts/unknown-id", { name: "x" }, 404);
  });

  it("deletes a contact with its memberships and enrolments", async () => {
    const account = await createAccount();
    const contact = await post(account, "/v1/contacts", { phone: phone() });
    const segment = await post(account, "/v1/segments", { name: "S" });
    await post(account, `/v1/segments/${segment.id}/contacts`, { contactIds: [contact.id] }, 200);
    const klass = await post(account, "/v1/classes", {
      name: "C",
      startsAt: "2030-01-01T10:00:00Z",
    });
    await post(account, `/v1/classes/${klass.id}/enrolments`, { contactId: contact.id });
    expect(
      await expectStatus(
        await api(`/v1/contacts/${contact.id}`, { method: "DELETE", headers: apiKey(account.key) }),
        200,
      ),
    ).toEqual({ success: true });
    await expectStatus(
      await api(`/v1/contacts/${contact.id}`, { headers: apiKey(account.key) }),
      404,
    );
    const seg = await expectStatus(
      await api(`/v1/segments/${segment.id}`, { headers: apiKey(account.key) }),
      200,
    );
    expect(seg.contactCount).toBe(0);
    const enrolments = await expectStatus(
      await api(`/v1/classes/${klass.id}/enrolments`, { headers: apiKey(account.key) }),
      200,
    );
    expect(enrolments).toEqual([]);
  });

  it("lists oldest first with paging, X-Total-Count and the filters", async () => {
    const account = await createAccount();
    const north = await post(account, "/v1/locations", { name: "North" });
    const south = await post(account, "/v1/locations", { name: "South" });
    const made: any[] = [];
    const people = [
      { firstName: "Alice", lastName: "Smith", location: { id: north.id } },
      { firstName: "Bob", lastName: "Smithers", location: { id: north.id }, optedIn: false },
      { firstName: "Carol", lastName: "Jones", location: { id: south.id } },
      { name: "100% Dan_", location: { id: south.id } },
      { firstName: "Eve" },
    ];
    for (const person of people)
      made.push(await post(account, "/v1/contacts", { phone: phone(), ...person }));
    const ids = (rows: any[]) => rows.map((r) => r.id);

    const all = await list(account, "");
    expect(all.total).toBe(5);
    expect(ids(all.body)).toEqual(ids(made));
    const page2 = await list(account, "?limit=2&page=2");
    expect(page2.total).toBe(5);
    expect(ids(page2.body)).toEqual(ids(made.slice(2, 4)));
    const beyond = await list(account, "?limit=2&page=4");
    expect(beyond).toEqual({ total: 5, body: [] });

    expect(ids((await list(account, `?locationId=${north.id}`)).body)).toEqual(
      ids(made.slice(0, 2)),
    );
    expect(ids((await list(account, "?searchText=smith")).body)).toEqual(ids(made.slice(0, 2)));
    expect(ids((await list(account, "?searchText=SMITHERS")).body)).toEqual([made[1].id]);
    expect(ids((await list(account, "?searchText=%25")).body)).toEqual([made[3].id]);
    expect(ids((await list(account, "?searchText=_")).body)).toEqual([made[3].id]);
    const byPhone = await list(account, `?searchText=${encodeURIComponent(made[2].phone)}`);
    expect(ids(byPhone.body)).toEqual([made[2].id]);
    expect(ids((await list(account, `?searchText=${made[4].phone.slice(-7)}`)).body)).toContain(
      made[4].id,
    );
    const optedOut = await list(account, "?optedIn=false");
    expect({ total: optedOut.total, ids: ids(optedOut.body) }).toEqual({
      total: 1,
      ids: [made[1].id],
    });
    const combined = await list(account, `?optedIn=true&locationId=${north.id}&searchText=smi`);
    expect({ total: combined.total, ids: ids(combined.body) }).toEqual({
      total: 1,
      ids: [made[0].id],
    });

    for (const [query, field] of [
      ["?optedIn=maybe", "optedIn"],
      ["?locationId=nowhere", "locationId"],
      ["?limit=0", "limit"],
      ["?limit=abc", "limit"],
      ["?page=-1", "page"],
    ]) {
      const error = await expectStatus<any>(
        await api(`/v1/contacts${query}`, { headers: apiKey(account.key) }),
        400,
      );
      expect(error.details, query).toContain(field);
    }
  });
});
