/**
 * Invariant 4, swept: every route in /openapi.json that takes a resource in
 * its path is called with account B's key against account A's resource, and
 * must answer 404 and change nothing. A new route without an entry below
 * fails this test, so it cannot forget its scope.
 */
import { describe, expect, it } from "vitest";
import { mobileNumber } from "./domain/phones";
import { createBroadcast, helloBody, setup } from "./engine";
import { api, apiKey, bearer, createAccount, expectStatus, jsonInit } from "./helpers";

/** Valid bodies for the write routes, so that B's call reaches the scope check (a 400 would prove nothing). */
function bodies(a: { contactId: string; sender: string }) {
  const v1Broadcast = {
    name: "x",
    type: "client",
    template: { name: "hello_world", language: "en" },
  };
  return {
    "PUT /v1/senders/{id}": { throughputMps: 1 },
    "PUT /v1/locations/{id}": { name: "taken" },
    "PUT /v1/contacts/{id}": { firstName: "taken" },
    "PUT /v1/segments/{id}": { name: "taken" },
    "POST /v1/segments/{id}/contacts": { contactIds: [a.contactId] },
    "DELETE /v1/segments/{id}/contacts": { contactIds: [a.contactId] },
    "PUT /v1/classes/{id}": { name: "taken" },
    "POST /v1/classes/{id}/enrolments": { contactId: a.contactId, status: "BOOKED" },
    "PUT /v1/classes/{id}/enrolments/{contactId}": { status: "ATTENDED" },
    "PUT /v1/broadcasts/{id}": v1Broadcast,
  } as Record<string, unknown>;
}

describe("isolation sweep over /openapi.json", () => {
  it("answers 404 to account B on every route that names account A's resource", async () => {
    const s = await setup();
    const a = s.account;
    const key = apiKey(a.key);
    await expectStatus(
      await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key)),
      200,
    );
    const post = async (path: string, body: unknown) =>
      expectStatus<any>(await api(path, jsonInit("POST", body, key)), 201);
    const location = await post("/v1/locations", { name: "A" });
    const phone = mobileNumber(Math.floor(Math.random() * 1_000_000));
    const contact = await post("/v1/contacts", { phone, firstName: "Alice" });
    const segment = await post("/v1/segments", { name: "A" });
    await expectStatus(
      await api(
        `/v1/segments/${segment.id}/contacts`,
        jsonInit("POST", { contactIds: [contact.id] }, key),
      ),
      200,
    );
    const cls = await post("/v1/classes", { name: "A", startsAt: "2030-01-01T09:00:00Z" });
    await post(`/v1/classes/${cls.id}/enrolments`, { contactId: contact.id, status: "BOOKED" });
    const suppressed = mobileNumber(Math.floor(Math.random() * 1_000_000) + 1_000_000);
    await post("/v1/suppressions", { phone: suppressed, reason: "A" });
    const templates = await expectStatus<any[]>(
      await api("/v1/templates?limit=1", { headers: key }),
      200,
    );
    const v1 = await expectStatus<any>(
      await api(
        "/v1/broadcasts",
        jsonInit(
          "POST",
          {
            name: "A",
            type: "client",
            status: "draft",
            template: { name: "hello_world", language: "en" },
          },
          key,
        ),
      ),
      200,
    );
    const inline = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [mobileNumber(5)], {
        scheduled_for: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );

    /** A's resource for each path parameter, by route prefix. */
    const ids: Record<string, Record<string, string>> = {
      "/v1/senders/": { id: s.sender.id },
      "/v1/templates/": { id: templates[0].id },
      "/v1/locations/": { id: location.id },
      "/v1/contacts/": { id: contact.id },
      "/v1/segments/": { id: segment.id },
      "/v1/classes/": { id: cls.id, contactId: contact.id },
      "/v1/suppressions/": { phone: `+${suppressed}` },
      "/v1/broadcasts/": { id: v1.id },
      "/broadcasts/": { uuid: inline.uuid },
    };

    // What A sees before: every GET that names one of A's resources.
    const doc = await expectStatus<any>(await api("/openapi.json"), 200);
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })),
    );
    const scoped = routes.filter((r) => r.path.includes("{") && !r.path.startsWith("/admin/"));
    expect(scoped.length).toBeGreaterThan(30);
    const fill = (path: string) => {
      const prefix = Object.keys(ids).find((p) => path.startsWith(p));
      if (!prefix) throw new Error(`No resource of account A for ${path}: add one to this sweep`);
      return path.replace(/\{(\w+)\}/g, (_, name: string) => {
        const value = ids[prefix]?.[name];
        if (!value) throw new Error(`No value for {${name}} in ${path}: add one to this sweep`);
        return encodeURIComponent(value);
      });
    };
    const snapshot = async () => {
      const out: Record<string, string> = {};
      for (const r of scoped.filter((r) => r.method === "GET")) {
        const res = await api(fill(r.path), { headers: key });
        const text = await res.text();
        expect(res.status, `${r.path} for A: ${text}`).toBe(200);
        out[r.path] = text.replace(/"(updatedAt|updated_at|lastUsedAt)":"[^"]*"/g, "");
      }
      return out;
    };
    const before = await snapshot();

    const b = await createAccount();
    const writeBodies = bodies({ contactId: contact.id, sender: s.sender.id });
    for (const r of scoped) {
      const route = `${r.method} ${r.path}`;
      const needsBody =
        r.method === "PUT" || (r.method === "POST" && route in writeBodies) || route in writeBodies;
      const headers = r.path.startsWith("/broadcasts/") ? bearer(b.key) : apiKey(b.key);
      const init = needsBody
        ? jsonInit(r.method, writeBodies[route] ?? {}, headers)
        : { method: r.method, headers };
      if (needsBody && !(route in writeBodies))
        throw new Error(`No valid body for ${route}: add one to this sweep`);
      const res = await api(fill(r.path), init);
      const text = await res.text();
      expect(res.status, `${route} as account B answered ${res.status}: ${text}`).toBe(404);
    }

    expect(await snapshot()).toEqual(before);
  }, 60_000);
});
