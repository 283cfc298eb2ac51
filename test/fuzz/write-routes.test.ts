/**
 * Invariant 6, fuzzed: every write route in /openapi.json (so a route added
 * later is fuzzed too) gets generated bodies, query strings, path ids and
 * headers, shaped by its own schema and deliberately wrong. It must never
 * answer 5xx; every 4xx is the error envelope; and a 4xx writes nothing (the
 * account's D1 rows and its broadcasts' Durable Objects are compared before
 * and after). Every answer, 2xx or 4xx, must be one the route declares, with
 * a body that parses against the declared schema (test/contract.ts). Replay a failure with FUZZ_SEED=<seed printed>; go deeper with
 * FUZZ_RUNS=<runs per route>.
 */
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { broadcastStub } from "../../src/durable/stubs";
import { TEST_BINDINGS } from "../bindings";
import { answerOf, expectContract } from "../contract";
import {
  fillPath,
  openApiRoutes,
  type PopulatedAccount,
  populatedAccount,
  type Route,
} from "../fixtures";
import { api } from "../helpers";
import { type Fuzzed, requestArb } from "./arbitraries";

const SEED = Number(env.FUZZ_SEED) || 20261123;
const RUNS = Number(env.FUZZ_RUNS) || 12;

/** Tables scoped by account, with the column that moves when a row is changed. */
const TABLES: [table: string, changed: string | null][] = [
  ["api_keys", "revoked_at"],
  ["locations", "updated_at"],
  ["senders", "updated_at"],
  ["templates", "status"],
  ["broadcasts", "name"],
  ["contacts", "updated_at"],
  ["segments", "updated_at"],
  ["segment_members", null],
  ["classes", "updated_at"],
  ["enrolments", "status"],
  ["suppressions", null],
  ["webhook_endpoints", "updated_at"],
  ["callback_deliveries", "status"],
];

/** What a 4xx must not change: the account's rows and its broadcasts' own state. */
async function snapshot(p: PopulatedAccount): Promise<string> {
  const columns = TABLES.map(
    ([t, c]) =>
      `(SELECT COUNT(*) || '/' || IFNULL(${c ? `group_concat(${c}, ',')` : "''"}, '') FROM ${t} WHERE account_id = ?1) AS ${t}`,
  ).join(", ");
  const rows = await env.DB.prepare(
    `SELECT ${columns}, (SELECT opt_out_keywords || send_window || window_timezone FROM accounts WHERE id = ?1) AS account`,
  )
    .bind(p.s.account.accountId)
    .first();
  const broadcasts = await Promise.all(
    [p.ids["/broadcasts/"]?.uuid, p.ids["/v1/broadcasts/"]?.id].map(async (id) => {
      const summary = id ? await broadcastStub(env, p.s.account.accountId, id).summary() : null;
      if (!summary) return null;
      const { updatedAt: _, ...rest } = summary;
      return rest;
    }),
  );
  return JSON.stringify({ rows, broadcasts });
}

function credentials(path: string, p: PopulatedAccount): Record<string, string> {
  if (path.startsWith("/admin/")) return { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };
  if (path.startsWith("/broadcasts")) return { authorization: `Bearer ${p.s.account.key}` };
  if (path.startsWith("/v1/")) return { "x-api-key": p.s.account.key };
  return {};
}

async function call(route: Route, p: PopulatedAccount, f: Fuzzed) {
  const path = route.path.includes("{")
    ? f.pathId === null
      ? fillPath(route.path, p.ids)
      : route.path.replace(/\{\w+\}/g, encodeURIComponent(f.pathId))
    : route.path;
  const headers: Record<string, string> = { ...credentials(route.path, p), ...f.headers };
  const res = await api(`${path}${f.query}`, {
    method: route.method,
    headers,
    body: f.body ?? undefined,
  });
  return { ...(await answerOf(res)), path };
}

describe("fuzzing every write route", async () => {
  const { doc, routes } = await openApiRoutes();
  const writes = routes.filter((r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.method));

  it("covers the write routes of both surfaces, admin and webhooks", () => {
    expect(writes.length).toBeGreaterThan(30);
    for (const prefix of ["/broadcasts", "/v1/", "/admin/", "/webhooks/"])
      expect(
        writes.some((r) => r.path.startsWith(prefix)),
        prefix,
      ).toBe(true);
  });

  for (const route of writes) {
    it(`${route.method} ${route.path}: no 5xx, the envelope on 4xx, nothing written on 4xx`, async () => {
      const p = await populatedAccount();
      await fc.assert(
        fc.asyncProperty(requestArb(route, doc), async (f) => {
          const before = await snapshot(p);
          const answer = await call(route, p, f);
          const { status, text, path } = answer;
          const where = `${route.method} ${path}${f.query} → ${status} ${text.slice(0, 300)}`;
          expect(status, where).toBeLessThan(500);
          expectContract(route.method, route.path, answer, `${path}${f.query}`);
          if (status < 400) return;
          const body = JSON.parse(text);
          expect(typeof body.message, where).toBe("string");
          expect(typeof body.details, where).toBe("string");
          expect(typeof body.code, where).toBe("string");
          expect(await snapshot(p), `${where}\nwrote something`).toBe(before);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    }, 60_000);
  }
});
