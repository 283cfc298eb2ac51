import { describe, expect, it } from "vitest";
import { api, expectStatus } from "../helpers";

describe("system routes", () => {
  it("/health answers ok", async () => {
    expect(await expectStatus(await api("/health"), 200)).toEqual({ ok: true });
  });

  it("/openapi.json lists every route", async () => {
    const doc = await expectStatus(await api("/openapi.json"), 200);
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const expected of [
      "GET /health",
      "POST /admin/accounts",
      "POST /admin/accounts/{id}/keys",
      "GET /admin/accounts/{id}/keys",
      "DELETE /admin/accounts/{id}/keys/{keyId}",
      "GET /v1/senders",
      "POST /v1/senders",
      "GET /v1/senders/{id}",
      "PUT /v1/senders/{id}",
      "DELETE /v1/senders/{id}",
      "GET /v1/templates",
      "GET /v1/templates/{id}",
      "POST /v1/templates/sync",
    ]) {
      expect(routes).toContain(expected);
    }
  });

  it("/docs serves the reference page with its bundle from our own assets", async () => {
    const res = await api("/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('src="/assets/scalar.js"');
    expect(html).toContain("/openapi.json");
    expect(html).not.toMatch(/https?:\/\/cdn\./);
  });
});
