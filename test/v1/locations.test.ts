import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  api,
  apiKey,
  createAccount,
  createSender,
  expectStatus,
  jsonInit,
  randomPhone,
  type TestAccount,
} from "../helpers";

const phone = randomPhone;

async function post(account: TestAccount, path: string, body: unknown, status = 201) {
  return expectStatus<any>(await api(path, jsonInit("POST", body, apiKey(account.key))), status);
}

describe("/v1/locations", () => {
  it("creates with a canonical time zone and a sender, lists with paging, gets, updates, deletes", async () => {
    const account = await createAccount();
    const { sender } = await createSender(account);
    const created = await post(account, "/v1/locations", {
      name: "Soho",
      timezone: "europe/london",
      sender: { id: sender.id },
      unknownField: "ignored",
    });
    expect(created).toMatchObject({
      name: "Soho",
      timezone: "Europe/London",
      sender: { id: sender.id },
    });
    expect(created).not.toHaveProperty("unknownField");
    expect(Date.parse(created.createdAt)).not.toBeNaN();

    const plain = await post(account, "/v1/locations", { name: "Camden" });
    expect(plain).toMatchObject({ timezone: "UTC", sender: null });
    const third = await post(account, "/v1/locations", { name: "Hackney", timezone: "Asia/Tokyo" });

    const page = await api("/v1/locations?limit=2&page=2", { headers: apiKey(account.key) });
    expect(page.headers.get("x-total-count")).toBe("3");
    expect((await expectStatus(page, 200)).map((l: any) => l.id)).toEqual([third.id]);
    const first = await api("/v1/locations?limit=2", { headers: apiKey(account.key) });
    expect((await expectStatus(first, 200)).map((l: any) => l.id)).toEqual([created.id, plain.id]);
    const found = await api("/v1/locations?searchText=AMD", { headers: apiKey(account.key) });
    expect(found.headers.get("x-total-count")).toBe("1");
    expect((await expectStatus(found, 200))[0].id).toBe(plain.id);

    expect(
      await expectStatus(
        await api(`/v1/locations/${created.id}`, { headers: apiKey(account.key) }),
        200,
      ),
    ).toEqual(created);

    const updated = await expectStatus(
      await api(
        `/v1/locations/${created.id}`,
        jsonInit("PUT", { timezone: "America/New_York", sender: null }, apiKey(account.key)),
      ),
      200,
    );
    expect(updated).toMatchObject({
      name: "Soho",
      timezone: "America/New_York",
      sender: null,
    });
    expect(updated.updatedAt >= created.updatedAt).toBe(true);

    expect(
      await expectStatus(
        await api(`/v1/locations/${plain.id}`, { method: "DELETE", headers: apiKey(account.key) }),
        200,
      ),
    ).toEqual({ success: true });
    await expectStatus(
      await api(`/v1/locations/${plain.id}`, { headers: apiKey(account.key) }),
      404,
    );
    await expectStatus(
      await api(`/v1/locations/${plain.id}`, { method: "DELETE", headers: apiKey(account.key) }),
      404,
    );
  });

  it("rejects bad input with the field named and writes nothing", async () => {
    const account = await createAccount();
    for (const [body, field] of [
      [{ name: "X", timezone: "Mars/Olympus" }, "timezone"],
      [{ name: "X", timezone: "+01:00" }, "timezone"],
      [{ name: "X", timezone: 1 }, "timezone"],
      [{ name: "" }, "name"],
      [{ name: 42 }, "name"],
      [{}, "name"],
      [{ name: "X", sender: "abc" }, "sender"],
      [{ name: "X", sender: { id: "not-a-sender" } }, "sender.id"],
    ] as const) {
      const error = await post(account, "/v1/locations", body, 400);
      expect(error.details, JSON.stringify(body)).toContain(field);
      expect(error.code).toBe("BAD_REQUEST");
    }
    // A sender of another account is not this account's.
    const other = await createAccount();
    const { sender } = await createSender(other);
    const error = await post(
      account,
      "/v1/locations",
      { name: "X", sender: { id: sender.id } },
      400,
    );
    expect(error.details).toContain("sender.id");
    const bad = await api("/v1/locations", jsonInit("POST", "{not json", apiKey(account.key)));
    await expectStatus(bad, 400);
    await expectStatus(await api("/v1/locations?limit=101", { headers: apiKey(account.key) }), 400);
    await expectStatus(await api("/v1/locations?page=0", { headers: apiKey(account.key) }), 400);

    const location = await post(account, "/v1/locations", { name: "Ok" });
    const putError = await expectStatus<any>(
      await api(
        `/v1/locations/${location.id}`,
        jsonInit("PUT", { timezone: "Nowhere/Else" }, apiKey(account.key)),
      ),
      400,
    );
    expect(putError.details).toContain("timezone");
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM locations WHERE account_id = ?")
      .bind(account.accountId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
    const still = await expectStatus(
      await api(`/v1/locations/${location.id}`, { headers: apiKey(account.key) }),
      200,
    );
    expect(still.timezone).toBe("UTC");
  });

  it("refuses to delete a location that contacts, senders, segments or classes use (409)", async () => {
    const account = await createAccount();
    const location = await post(account, "/v1/locations", { name: "Busy" });
    const ref = { location: { id: location.id } };
    const contact = await post(account, "/v1/contacts", { phone: phone(), ...ref });
    const segment = await post(account, "/v1/segments", { name: "S", ...ref });
    const klass = await post(account, "/v1/classes", {
      name: "C",
      startsAt: "2030-01-01T10:00:00Z",
      ...ref,
    });
    const { sender } = await createSender(account);
    await expectStatus(
      await api(`/v1/senders/${sender.id}`, jsonInit("PUT", ref, apiKey(account.key))),
      200,
    );
    const del = () =>
      api(`/v1/locations/${location.id}`, { method: "DELETE", headers: apiKey(account.key) });

    const conflict = await expectStatus(await del(), 409);
    expect(conflict.details).toMatch(/1 contact\b/);
    expect(conflict.details).toMatch(/1 sender\b/);
    expect(conflict.details).toMatch(/1 segment\b/);
    expect(conflict.details).toMatch(/1 class\b/);

    for (const path of [`/v1/contacts/${contact.id}`, `/v1/segments/${segment.id}`]) {
      await expectStatus(await api(path, { method: "DELETE", headers: apiKey(account.key) }), 200);
    }
    await expectStatus(
      await api(
        `/v1/classes/${klass.id}`,
        jsonInit("PUT", { location: null }, apiKey(account.key)),
      ),
      200,
    );
    const left = await expectStatus(await del(), 409);
    expect(left.details).toContain("1 sender");
    expect(left.details).not.toContain("contact");
    await expectStatus(
      await api(
        `/v1/senders/${sender.id}`,
        jsonInit("PUT", { location: null }, apiKey(account.key)),
      ),
      200,
    );
    await expectStatus(await del(), 200);
  });
});
