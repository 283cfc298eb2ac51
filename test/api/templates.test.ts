import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BUILT_IN_TEMPLATES } from "../../sandbox/templates";
import { api, apiKey, createAccount, createSender, expectStatus, jsonInit } from "../helpers";

describe("/v1/templates", () => {
  it("syncs a sender's templates from the Cloud API across pages, and lists them", async () => {
    const account = await createAccount();
    const { sender, number } = await createSender(account);
    // Enough templates for two pages of Meta's paging (Chorus asks for 100 a page).
    const extra = 100 - BUILT_IN_TEMPLATES.length + 5;
    for (let i = 0; i < extra; i++) {
      await env.WHATSAPP_API.fetch(
        "http://sandbox.test/__sandbox/templates",
        jsonInit("POST", {
          waba_id: number.wabaId,
          template: {
            name: `bulk_${String(i).padStart(3, "0")}`,
            language: "en",
            components: [{ type: "BODY", text: "Hi {{1}}" }],
          },
        }),
      );
    }
    const synced = await expectStatus(
      await api(
        "/v1/templates/sync",
        jsonInit("POST", { senderId: sender.id }, apiKey(account.key)),
      ),
      200,
    );
    expect(synced.synced).toBe(BUILT_IN_TEMPLATES.length + extra);
    expect(synced.synced).toBeGreaterThan(100);

    const list = await api("/v1/templates?limit=5&name=holiday_sale_template", {
      headers: apiKey(account.key),
    });
    expect(list.headers.get("x-total-count")).toBe("2");
    const rows = await expectStatus(list, 200);
    expect(rows.map((t: any) => t.language).sort()).toEqual(["en", "es"]);
    expect(rows[0]).toMatchObject({
      status: "APPROVED",
      category: "MARKETING",
      wabaId: number.wabaId,
    });
    expect(rows[0].components[0]).toMatchObject({ type: "HEADER", format: "IMAGE" });
    const one = await expectStatus(
      await api(`/v1/templates/${rows[0].id}`, { headers: apiKey(account.key) }),
      200,
    );
    expect(one.id).toBe(rows[0].id);

    // A second sync updates in place: no duplicates.
    await expectStatus(
      await api(
        "/v1/templates/sync",
        jsonInit("POST", { senderId: sender.id }, apiKey(account.key)),
      ),
      200,
    );
    const all = await api("/v1/templates?limit=1", { headers: apiKey(account.key) });
    expect(all.headers.get("x-total-count")).toBe(String(BUILT_IN_TEMPLATES.length + extra));
  });

  it("answers 502 when Meta refuses, 404 for another account's sender or template", async () => {
    const account = await createAccount();
    const other = await createAccount();
    const { sender } = await createSender(account);
    await expectStatus(
      await api(
        `/v1/senders/${sender.id}`,
        jsonInit("PUT", { accessToken: "revoked" }, apiKey(account.key)),
      ),
      200,
    );
    const refused = await expectStatus(
      await api(
        "/v1/templates/sync",
        jsonInit("POST", { senderId: sender.id }, apiKey(account.key)),
      ),
      502,
    );
    expect(refused.details).toMatch(/190/);
    await expectStatus(
      await api("/v1/templates/sync", jsonInit("POST", { senderId: sender.id }, apiKey(other.key))),
      404,
    );
    await expectStatus(await api("/v1/templates/nope", { headers: apiKey(account.key) }), 404);
  });
});
