import { describe, expect, it } from "vitest";
import { adminHeaders, api, apiKey, createAccount, expectStatus, jsonInit } from "../helpers";

describe("error envelope", () => {
  it("malformed JSON is a 400 naming the problem", async () => {
    const body = await expectStatus(
      await api("/admin/accounts", jsonInit("POST", "{not json", adminHeaders)),
      400,
    );
    expect(body.code).toBe("BAD_REQUEST");
    expect(body.message).toMatch(/json/i);
  });

  it("a missing body or wrong content type is a 400, not a 500", async () => {
    const account = await createAccount();
    const missing = await expectStatus(
      await api("/v1/senders", { method: "POST", headers: apiKey(account.key) }),
      400,
    );
    expect(missing.code).toBe("BAD_REQUEST");
    const text = await expectStatus(
      await api("/v1/senders", {
        method: "POST",
        headers: { ...apiKey(account.key), "content-type": "text/plain" },
        body: "hi",
      }),
      400,
    );
    expect(text.code).toBe("BAD_REQUEST");
  });

  it("a wrong type names the field", async () => {
    const body = await expectStatus(
      await api("/admin/accounts", jsonInit("POST", { name: 42 }, adminHeaders)),
      400,
    );
    expect(body.details).toContain("name");
  });

  it("a missing field names the field", async () => {
    const account = await createAccount();
    const body = await expectStatus(
      await api(
        "/v1/senders",
        jsonInit("POST", { phoneNumber: "447000000001" }, apiKey(account.key)),
      ),
      400,
    );
    expect(body.details).toContain("phoneNumberId");
    expect(body.details).toContain("accessToken");
  });

  it("an unknown route is a 404 envelope", async () => {
    const body = await expectStatus(await api("/nope"), 404);
    expect(body).toEqual({
      message: "Resource not found",
      details: "No route for GET /nope",
      code: "NOT_FOUND",
    });
  });

  it("every response carries a request id and secure headers", async () => {
    const res = await api("/health");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("strict-transport-security")).toBeTruthy();
  });
});
