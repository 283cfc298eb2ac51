import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decryptAccessToken } from "../../src/whatsapp/access-token";
import { api, apiKey, createAccount, expectStatus, jsonInit, uniqueDigits } from "../helpers";

function senderBody(overrides: Record<string, unknown> = {}) {
  return {
    phoneNumber: `+4420${uniqueDigits(8)}`,
    phoneNumberId: uniqueDigits(15),
    wabaId: uniqueDigits(15),
    accessToken: `EAAG-secret-${crypto.randomUUID()}`,
    ...overrides,
  };
}

describe("/v1/senders", () => {
  it("registers a sender, never returns its token, and stores the token encrypted", async () => {
    const account = await createAccount();
    const body = senderBody();
    const res = await api("/v1/senders", jsonInit("POST", body, apiKey(account.key)));
    const text = await res.clone().text();
    const sender = await expectStatus(res, 201);
    expect(text).not.toContain(body.accessToken);
    expect(sender).toMatchObject({
      phoneNumber: body.phoneNumber.slice(1),
      phoneNumberId: body.phoneNumberId,
      wabaId: body.wabaId,
      throughputMps: 80,
      isDefault: false,
      location: null,
    });
    expect(sender).not.toHaveProperty("accessToken");

    const raw = await env.DB.prepare("SELECT * FROM senders WHERE id = ?")
      .bind(sender.id)
      .first<Record<string, string>>();
    expect(JSON.stringify(raw)).not.toContain(body.accessToken);
    expect(raw?.access_token_enc).toMatch(/^v1\./);
    expect(await decryptAccessToken(raw?.access_token_enc ?? "", env.TOKEN_ENCRYPTION_KEY)).toBe(
      body.accessToken,
    );

    for (const path of [`/v1/senders/${sender.id}`, "/v1/senders"]) {
      const listed = await api(path, { headers: apiKey(account.key) });
      expect(await listed.text()).not.toContain(body.accessToken);
    }
  });

  it("lists with paging and X-Total-Count, gets, updates and deletes", async () => {
    const account = await createAccount();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await expectStatus(
            await api("/v1/senders", jsonInit("POST", senderBody(), apiKey(account.key))),
            201,
          )
        ).id,
      );
    }
    const page = await api("/v1/senders?limit=2&page=2", { headers: apiKey(account.key) });
    expect(page.headers.get("x-total-count")).toBe("3");
    expect((await expectStatus(page, 200)).map((s: any) => s.id)).toEqual([ids[2]]);

    const updated = await expectStatus(
      await api(
        `/v1/senders/${ids[0]}`,
        jsonInit("PUT", { throughputMps: 1000, accessToken: "new-token" }, apiKey(account.key)),
      ),
      200,
    );
    expect(updated.throughputMps).toBe(1000);
    const raw = await env.DB.prepare("SELECT access_token_enc FROM senders WHERE id = ?")
      .bind(ids[0])
      .first<{ access_token_enc: string }>();
    expect(await decryptAccessToken(raw?.access_token_enc ?? "", env.TOKEN_ENCRYPTION_KEY)).toBe(
      "new-token",
    );

    await expectStatus(
      await api(`/v1/senders/${ids[1]}`, { method: "DELETE", headers: apiKey(account.key) }),
      200,
    );
    await expectStatus(await api(`/v1/senders/${ids[1]}`, { headers: apiKey(account.key) }), 404);
  });

  it("keeps one default sender per account", async () => {
    const account = await createAccount();
    const a = await expectStatus(
      await api(
        "/v1/senders",
        jsonInit("POST", senderBody({ isDefault: true }), apiKey(account.key)),
      ),
      201,
    );
    const b = await expectStatus(
      await api(
        "/v1/senders",
        jsonInit("POST", senderBody({ isDefault: true }), apiKey(account.key)),
      ),
      201,
    );
    const list = await expectStatus(
      await api("/v1/senders", { headers: apiKey(account.key) }),
      200,
    );
    expect(list.filter((s: any) => s.isDefault).map((s: any) => s.id)).toEqual([b.id]);
    await expectStatus(
      await api(`/v1/senders/${a.id}`, jsonInit("PUT", { isDefault: true }, apiKey(account.key))),
      200,
    );
    const again = await expectStatus(
      await api("/v1/senders", { headers: apiKey(account.key) }),
      200,
    );
    expect(again.filter((s: any) => s.isDefault).map((s: any) => s.id)).toEqual([a.id]);
  });

  it("rejects bad input with the field named, and a duplicate number with 409", async () => {
    const account = await createAccount();
    const bad = await expectStatus(
      await api(
        "/v1/senders",
        jsonInit(
          "POST",
          senderBody({ phoneNumber: "12ab", throughputMps: 5000 }),
          apiKey(account.key),
        ),
      ),
      400,
    );
    expect(bad.details).toContain("phoneNumber");
    expect(bad.details).toContain("throughputMps");
    const body = senderBody();
    await expectStatus(await api("/v1/senders", jsonInit("POST", body, apiKey(account.key))), 201);
    await expectStatus(await api("/v1/senders", jsonInit("POST", body, apiKey(account.key))), 409);
    const unknownLocation = await expectStatus(
      await api(
        "/v1/senders",
        jsonInit("POST", senderBody({ location: { id: "nope" } }), apiKey(account.key)),
      ),
      400,
    );
    expect(unknownLocation.details).toContain("location.id");
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM senders WHERE account_id = ?")
      .bind(account.accountId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
  });

  it("never shows or changes another account's sender", async () => {
    const a = await createAccount();
    const b = await createAccount();
    const sender = await expectStatus(
      await api("/v1/senders", jsonInit("POST", senderBody(), apiKey(a.key))),
      201,
    );
    await expectStatus(await api(`/v1/senders/${sender.id}`, { headers: apiKey(b.key) }), 404);
    await expectStatus(
      await api(`/v1/senders/${sender.id}`, jsonInit("PUT", { throughputMps: 1 }, apiKey(b.key))),
      404,
    );
    await expectStatus(
      await api(`/v1/senders/${sender.id}`, { method: "DELETE", headers: apiKey(b.key) }),
      404,
    );
    expect(await expectStatus(await api("/v1/senders", { headers: apiKey(b.key) }), 200)).toEqual(
      [],
    );
    const still = await expectStatus(
      await api(`/v1/senders/${sender.id}`, { headers: apiKey(a.key) }),
      200,
    );
    expect(still.throughputMps).toBe(80);
  });
});
