/**
 * Invariant 4, swept: every route in /openapi.json that takes a resource in
 * its path is called with account B's key against account A's resource, and
 * must answer 404 and change nothing. A new route without an entry below
 * fails this test, so it cannot forget its scope. Every answer, A's and B's,
 * must also be one its route declares, with a body that parses against the
 * declared schema (test/contract.ts); A then makes the same writes itself, so
 * that answers of success are held to the contract too.
 */
import { describe, expect, it } from "vitest";
import { answerOf, expectContract } from "./contract";
import { fillPath, openApiRoutes, populatedAccount } from "./fixtures";
import { api, apiKey, bearer, createAccount, jsonInit } from "./helpers";

/** Valid bodies for the write routes, so that B's call reaches the scope check (a 400 would prove nothing). */
function bodies(a: { contactId: string }) {
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
    "PUT /v1/webhook-endpoints/{id}": { events: ["recipient.status"] },
  } as Record<string, unknown>;
}

describe("isolation sweep over /openapi.json", () => {
  it("answers 404 to account B on every route that names account A's resource", async () => {
    const { s: setupA, contactId, ids } = await populatedAccount();
    const a = setupA.account;
    const key = apiKey(a.key);

    // What A sees before: every GET that names one of A's resources.
    const { routes } = await openApiRoutes();
    const scoped = routes.filter((r) => r.path.includes("{") && !r.path.startsWith("/admin/"));
    expect(scoped.length).toBeGreaterThan(30);
    const fill = (path: string) => fillPath(path, ids);
    const snapshot = async () => {
      const out: Record<string, string> = {};
      for (const r of scoped.filter((r) => r.method === "GET")) {
        const answer = await answerOf(await api(fill(r.path), { headers: key }));
        const text = answer.text;
        expect(answer.status, `${r.path} for A: ${text}`).toBe(200);
        expectContract(r.method, r.path, answer, "account A");
        out[r.path] = text.replace(/"(updatedAt|updated_at|lastUsedAt)":"[^"]*"/g, "");
      }
      return out;
    };
    const before = await snapshot();

    const b = await createAccount();
    const writeBodies = bodies({ contactId });
    const requestFor = (r: { method: string; path: string }, key: string) => {
      const route = `${r.method} ${r.path}`;
      const needsBody =
        r.method === "PUT" || (r.method === "POST" && route in writeBodies) || route in writeBodies;
      const headers = r.path.startsWith("/broadcasts/") ? bearer(key) : apiKey(key);
      if (needsBody && !(route in writeBodies))
        throw new Error(`No valid body for ${route}: add one to this sweep`);
      return needsBody
        ? jsonInit(r.method, writeBodies[route] ?? {}, headers)
        : { method: r.method, headers };
    };
    for (const r of scoped) {
      const route = `${r.method} ${r.path}`;
      const answer = await answerOf(await api(fill(r.path), requestFor(r, b.key)));
      expect(answer.status, `${route} as account B answered ${answer.status}: ${answer.text}`).toBe(
        404,
      );
      expectContract(r.method, r.path, answer, "account B");
    }

    expect(await snapshot()).toEqual(before);

    // The same writes as A, so that answers of success are checked too: a
    // cancel after pause and resume, deletes last and members before their
    // resources (the longer path first).
    const rank = (r: { method: string; path: string }) =>
      r.method === "DELETE" ? 2e3 - r.path.length : r.path.endsWith("/cancel") ? 1e3 : 0;
    const writes = scoped.filter((r) => r.method !== "GET").sort((x, y) => rank(x) - rank(y));
    for (const r of writes) {
      const answer = await answerOf(await api(fill(r.path), requestFor(r, a.key)));
      expect(answer.status, `${r.method} ${r.path} as A: ${answer.text}`).toBeLessThan(500);
      expectContract(r.method, r.path, answer, "account A");
    }
  }, 60_000);
});
