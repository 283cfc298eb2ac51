import { describe, expect, it } from "vitest";
import {
  adminHeaders,
  api,
  apiKey,
  bearer,
  createAccount,
  expectStatus,
  jsonInit,
} from "../helpers";

describe("API key authentication", () => {
  it("accepts the same key as Bearer and as x-api-key", async () => {
    const account = await createAccount();
    await expectStatus(await api("/v1/senders", { headers: apiKey(account.key) }), 200);
    await expectStatus(await api("/v1/senders", { headers: bearer(account.key) }), 200);
  });

  it("answers 401 with the error envelope without a key, with a wrong key, with a malformed header", async () => {
    for (const headers of [
      {},
      apiKey("chorus_nope"),
      bearer("chorus_nope"),
      { authorization: "Basic abc" },
    ]) {
      const body = await expectStatus(await api("/v1/senders", { headers }), 401);
      expect(body).toMatchObject({ code: "UNAUTHORIZED" });
      expect(typeof body.message).toBe("string");
      expect(typeof body.details).toBe("string");
    }
  });

  it("rejects a revoked key at once and keeps the account's other keys working", async () => {
    const account = await createAccount();
    const second = await expectStatus(
      await api(
        `/admin/accounts/${account.accountId}/keys`,
        jsonInit("POST", { name: "ci" }, adminHeaders),
      ),
      201,
    );
    await expectStatus(await api("/v1/senders", { headers: apiKey(second.key) }), 200);
    await expectStatus(
      await api(`/admin/accounts/${account.accountId}/keys/${second.id}`, {
        method: "DELETE",
        headers: adminHeaders,
      }),
      200,
    );
    await expectStatus(await api("/v1/senders", { headers: apiKey(second.key) }), 401);
    await expectStatus(await api("/v1/senders", { headers: apiKey(account.key) }), 200);
  });

  it("stores only the hash and a display prefix of each key", async () => {
    const account = await createAccount();
    const { env } = await import("cloudflare:workers");
    const rows = await env.DB.prepare("SELECT * FROM api_keys WHERE account_id = ?")
      .bind(account.accountId)
      .all();
    const raw = JSON.stringify(rows.results);
    expect(raw).not.toContain(account.key);
    expect(rows.results[0]?.prefix).toBe(account.key.slice(0, 12));
    expect(rows.results[0]?.key_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("admin", () => {
  it("needs the admin token", async () => {
    await expectStatus(await api("/admin/accounts", jsonInit("POST", { name: "x" })), 401);
    await expectStatus(
      await api("/admin/accounts", jsonInit("POST", { name: "x" }, bearer("wrong"))),
      401,
    );
    const account = await createAccount();
    // An account's API key is not an admin token.
    await expectStatus(
      await api("/admin/accounts", jsonInit("POST", { name: "x" }, bearer(account.key))),
      401,
    );
  });

  it("lists keys without the keys themselves, and 404s for unknown accounts or keys", async () => {
    const account = await createAccount();
    const keys = await expectStatus(
      await api(`/admin/accounts/${account.accountId}/keys`, { headers: adminHeaders }),
      200,
    );
    expect(keys).toHaveLength(1);
    expect(JSON.stringify(keys)).not.toContain(account.key);
    await expectStatus(await api("/admin/accounts/nope/keys", { headers: adminHeaders }), 404);
    await expectStatus(
      await api(`/admin/accounts/${account.accountId}/keys/nope`, {
        method: "DELETE",
        headers: adminHeaders,
      }),
      404,
    );
    // Revoking twice: the second time there is no active key to revoke.
    await expectStatus(
      await api(`/admin/accounts/${account.accountId}/keys/${account.keyId}`, {
        method: "DELETE",
        headers: adminHeaders,
      }),
      200,
    );
    await expectStatus(
      await api(`/admin/accounts/${account.accountId}/keys/${account.keyId}`, {
        method: "DELETE",
        headers: adminHeaders,
      }),
      404,
    );
  });

  it("hides the dev seed route outside development", async () => {
    await expectStatus(
      await api("/admin/dev/seed", { method: "POST", headers: adminHeaders }),
      404,
    );
  });
});
