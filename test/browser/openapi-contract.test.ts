/**
 * The published contract, checked from a client's side against the local
 * stack (`wrangler dev`, as `npm run dev` runs it; no browser needed): the
 * live /openapi.json passes Redocly's recommended ruleset with no error and
 * no warning (redocly.yaml says which rules are off, and why); the committed
 * docs/openapi.json and the typed client's docs/client/schema.d.ts are what
 * that live document generates (so a change to the spec cannot reach users
 * unseen); and docs/client/example.ts, compiled by `npm run typecheck`,
 * creates a broadcast and sees it complete.
 */
import { readFileSync } from "node:fs";
import { lintFromString, loadConfig } from "@redocly/openapi-core";
import type { OpenAPI3 } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { broadcastAndWait } from "../../docs/client/example";
import { clientFiles } from "../../scripts/client-schema";
import { API, KEY, startStack, stopStack } from "./stack";

const DEMO_SENDER = "447576209857";

describe("the published contract", () => {
  let text = "";
  let spec: OpenAPI3;

  beforeAll(async () => {
    await startStack();
    const res = await fetch(`${API}/openapi.json`);
    expect(res.status).toBe(200);
    text = await res.text();
    spec = JSON.parse(text);
  });
  afterAll(stopStack);

  it("passes Redocly's recommended ruleset with 0 errors and 0 warnings", async () => {
    const config = await loadConfig({ configPath: "redocly.yaml" });
    const problems = await lintFromString({ source: text, absoluteRef: "openapi.json", config });
    const listed = problems.map(
      (p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ""}: ${p.message}`,
    );
    expect(listed).toEqual([]);
  });

  it("names every operation and declares a 4xx on every one but the liveness probe", () => {
    const operations = Object.entries(spec.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item as Record<string, any>).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThan(70);
    const ids = operations.map((o) => o.op.operationId);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    // redocly.yaml switches operation-4xx-response off for GET /health alone.
    const without4xx = operations
      .filter((o) => !Object.keys(o.op.responses ?? {}).some((s) => s.startsWith("4")))
      .map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(without4xx).toEqual(["GET /health"]);
  });

  it("is what docs/openapi.json and docs/client/schema.d.ts hold (npm run client:generate)", async () => {
    for (const [path, generated] of Object.entries(await clientFiles(spec))) {
      expect(
        readFileSync(path, "utf8") === generated,
        `${path} differs from the live spec: run npm run client:generate and commit it`,
      ).toBe(true);
    }
  });

  it("runs docs/client/example.ts: a broadcast created through the typed client completes", async () => {
    const details = await broadcastAndWait({
      baseUrl: API,
      apiKey: KEY,
      from: DEMO_SENDER,
      to: ["447592850122", "447592850123"],
      pollEveryMs: 250,
      timeoutMs: 60_000,
    });
    // Completed: every recipient handed to WhatsApp (Meta's statuses follow by webhook).
    expect(details).toMatchObject({
      status: "completed",
      recipients: 2,
      submitted: 2,
      rejected: 0,
      failed: 0,
    });
  });
});
