import { describe, expect, it } from "vitest";
import { audienceRows } from "../audience-rows";
import { mobileNumber } from "../domain/phones";
import { api, apiKey, createAccount, expectStatus, jsonInit, type TestAccount } from "../helpers";

async function bulk(account: TestAccount, body: unknown, status = 200) {
  return expectStatus<any>(
    await api("/v1/contacts/bulk", jsonInit("POST", body, apiKey(account.key))),
    status,
  );
}

async function contactByPhone(account: TestAccount, digits: string) {
  const rows = await expectStatus<any[]>(
    await api(`/v1/contacts?searchText=${digits}`, { headers: apiKey(account.key) }),
    200,
  );
  return rows.find((r) => r.phone === `+${digits}`);
}

describe("POST /v1/contacts/bulk", () => {
  it("creates new contacts, updates known phones field by field, and reports invalid rows", async () => {
    const account = await createAccount();
    const location = await expectStatus<any>(
      await api("/v1/locations", jsonInit("POST", { name: "L" }, apiKey(account.key))),
      201,
    );
    const base = Math.floor(Math.random() * 60_000_000);
    const [p0, p1, p2, p3] = [0, 1, 2, 3].map((i) => mobileNumber(base + i)) as [
      string,
      string,
      string,
      string,
    ];
    const existing = await expectStatus<any>(
      await api(
        "/v1/contacts",
        jsonInit(
          "POST",
          {
            phone: p0,
            firstName: "Old",
            lastName: "Name",
            optedIn: false,
            customFields: { tier: "silver" },
          },
          apiKey(account.key),
        ),
      ),
      201,
    );

    const result = await bulk(account, {
      contacts: [
        { phone: `+${p0}`, firstName: "New", location: { id: location.id } },
        { phone: p1, firstName: "Fresh", customFields: { tier: "gold" } },
        { phone: "12345", firstName: "Bad" },
        { phone: p2, optedIn: "no" },
        "not an object",
        { firstName: "No phone" },
        { phone: p3, location: { id: "elsewhere" } },
        { phone: `+${p1}`, firstName: "Duplicate" },
        { phone: p2, lastName: "Valid", unknown: 1 },
      ],
    });
    expect(result.created).toBe(2);
    expect(result.updated).toBe(1);
    expect(result.errors.map((e: any) => [e.index, e.phone])).toEqual([
      [2, "12345"],
      [3, p2],
      [4, null],
      [5, null],
      [6, p3],
      [7, `+${p1}`],
    ]);
    const messages = (i: number) => result.errors.find((e: any) => e.index === i).errors.join(" ");
    expect(messages(2)).toContain("phone");
    expect(messages(3)).toContain("optedIn");
    expect(messages(5)).toContain("phone");
    expect(messages(6)).toContain("location.id");
    expect(messages(7)).toContain("contacts[1]");

    const updated = await contactByPhone(account, p0);
    expect(updated).toMatchObject({
      id: existing.id,
      firstName: "New",
      lastName: "Name",
      name: "New Name",
      optedIn: false,
      location: { id: location.id },
      customFields: { tier: "silver" },
      createdAt: existing.createdAt,
    });
    expect(updated.updatedAt > existing.updatedAt).toBe(true);
    expect(await contactByPhone(account, p1)).toMatchObject({
      firstName: "Fresh",
      name: "Fresh",
      optedIn: true,
      customFields: { tier: "gold" },
      location: null,
    });
    expect(await contactByPhone(account, p2)).toMatchObject({ lastName: "Valid" });
    expect(await contactByPhone(account, p3)).toBeUndefined();
    const [count] = await audienceRows<{ n: number }>(
      account.accountId,
      "SELECT COUNT(*) AS n FROM contacts WHERE account_id = ?",
      account.accountId,
    );
    expect(count?.n).toBe(3);
  });

  it("writes nothing and answers 200 with every row in errors when all are invalid", async () => {
    const account = await createAccount();
    const result = await bulk(account, { contacts: [{ phone: "1" }, { phone: "2" }] });
    expect(result).toMatchObject({ created: 0, updated: 0 });
    expect(result.errors).toHaveLength(2);
  });

  it("rejects an empty, missing, malformed or 10,001-row body with 400", async () => {
    const account = await createAccount();
    expect((await bulk(account, { contacts: [] }, 400)).details).toContain("contacts");
    expect((await bulk(account, {}, 400)).details).toContain("contacts");
    expect((await bulk(account, { contacts: { phone: "1" } }, 400)).details).toContain("contacts");
    expect((await bulk(account, "[", 400)).code).toBe("BAD_REQUEST");
    const base = Math.floor(Math.random() * 50_000_000);
    const rows = Array.from({ length: 10_001 }, (_, i) => ({ phone: mobileNumber(base + i) }));
    expect((await bulk(account, { contacts: rows }, 400)).details).toContain("contacts");
    const [count] = await audienceRows<{ n: number }>(
      account.accountId,
      "SELECT COUNT(*) AS n FROM contacts WHERE account_id = ?",
      account.accountId,
    );
    expect(count?.n).toBe(0);
  });

  it("upserts 10,000 rows in one call, quickly, then updates them all", async () => {
    const account = await createAccount();
    const base = Math.floor(Math.random() * 50_000_000);
    const rows = Array.from({ length: 10_000 }, (_, i) => ({
      phone: mobileNumber(base + i),
      firstName: `First${i}`,
      lastName: "Bulk",
      customFields: { row: String(i), note: "x".repeat(50) },
    }));
    let started = Date.now();
    const first = await bulk(account, { contacts: rows });
    const firstMs = Date.now() - started;
    expect(first).toEqual({ created: 10_000, updated: 0, errors: [] });
    expect(firstMs, `first bulk took ${firstMs} ms`).toBeLessThan(3_000);

    started = Date.now();
    const second = await bulk(account, {
      contacts: rows.map((r, i) => ({ phone: `+${r.phone}`, optedIn: i % 2 === 0 })),
    });
    const secondMs = Date.now() - started;
    expect(second).toEqual({ created: 0, updated: 10_000, errors: [] });
    expect(secondMs, `second bulk took ${secondMs} ms`).toBeLessThan(3_000);

    const res = await api("/v1/contacts?optedIn=false&limit=1", { headers: apiKey(account.key) });
    expect(res.headers.get("x-total-count")).toBe("5000");
    const [sample] = await expectStatus<any[]>(res, 200);
    expect(sample).toMatchObject({ lastName: "Bulk", optedIn: false });
    expect(sample.customFields.note).toBe("x".repeat(50));
  });
});
