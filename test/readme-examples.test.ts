/// <reference types="vite/client" />
/**
 * Issue 16, item 15: every JSON request example in the README runs against
 * the API and is accepted, so the docs cannot drift from it again. Examples
 * are the `curl … -d '<json>'` commands of its sh blocks, the inline
 * `METHOD /path {json}` spans, and the inline `field: {json}` spans (a field
 * of a create body, checked with /broadcasts/validate). The demo values
 * (key, admin token, sender) and the <placeholders> become this test's own.
 */
import { describe, expect, it } from "vitest";
import { TEST_BINDINGS } from "./bindings";
import { mobileNumber } from "./domain/phones";
import { createBroadcast, helloBody, setup, waitForStatus } from "./engine";
import { api, bearer, call, expectStatus, jsonInit } from "./helpers";

const readme = Object.values(
  import.meta.glob("../README.md", { query: "?raw", import: "default", eager: true }),
)[0] as string;

interface Example {
  source: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The commands of a shell snippet: quotes kept together, `\`-newlines joined, comments dropped. */
function shellCommands(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | null = null;
  const endWord = () => {
    if (word !== null) words.push(word);
    word = null;
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i] as string;
    if (ch === "'") {
      const close = script.indexOf("'", i + 1);
      word = (word ?? "") + script.slice(i + 1, close);
      i = close;
    } else if (ch === "\\" && script[i + 1] === "\n") i++;
    else if (ch === "\n") {
      endWord();
      if (words.length) commands.push(words);
      words = [];
    } else if (ch === "#" && word === null) i = script.indexOf("\n", i) - 1;
    else if (ch === " " || ch === "\t") endWord();
    else word = (word ?? "") + ch;
  }
  endWord();
  if (words.length) commands.push(words);
  return commands;
}

function curlExamples(text: string): Example[] {
  const out: Example[] = [];
  for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const words of shellCommands(block[1] ?? "")) {
      if (words[0] !== "curl" || !words.includes("-d")) continue;
      const example: Example = {
        source: words.join(" "),
        method: "GET",
        path: "",
        headers: {},
        body: "",
      };
      for (let i = 1; i < words.length; i++) {
        const w = words[i] as string;
        const next = words[i + 1] ?? "";
        if (w === "-X") example.method = next;
        else if (w === "-H") {
          const [name, ...value] = next.split(":");
          example.headers[(name ?? "").trim().toLowerCase()] = value.join(":").trim();
        } else if (w === "-d") example.body = next;
        else {
          if (w.startsWith("localhost:")) example.path = w.replace(/^localhost:\d+/, "");
          continue;
        }
        i++;
      }
      out.push(example);
    }
  }
  return out;
}

/** Inline spans: `METHOD /path {json}` and `field: {json}` (line breaks inside a span are spaces). */
function inlineExamples(text: string) {
  const prose = text.replace(/```[\s\S]*?```/g, "");
  const requests: Example[] = [];
  const fields: { source: string; field: string; json: string }[] = [];
  for (const m of prose.matchAll(/`([^`]+)`/g)) {
    const span = (m[1] ?? "").replace(/\s+/g, " ").trim();
    const request = /^(GET|POST|PUT|DELETE|PATCH) (\/\S+) (\{.*\})$/.exec(span);
    if (request) {
      requests.push({
        source: span,
        method: request[1] as string,
        path: request[2] as string,
        headers: {},
        body: request[3] as string,
      });
    }
    const field = /^([a-z_]+): (\{.*\})$/.exec(span);
    if (field) fields.push({ source: span, field: field[1] as string, json: field[2] as string });
  }
  return { requests, fields };
}

describe("the README's JSON examples", () => {
  it("item 15: every JSON request example in the README is valid JSON and accepted by the API", async () => {
    const s = await setup();
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
    const source = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [mobileNumber(Math.floor(Math.random() * 50_000), "0")]),
    );
    await waitForStatus(s, source.uuid, "completed");
    const own = (text: string) =>
      text
        .replaceAll("chorus-demo-key", s.account.key)
        .replaceAll("chorus-dev-admin", TEST_BINDINGS.ADMIN_TOKEN)
        .replaceAll("447576209857", s.sender.phoneNumber)
        .replaceAll("<sender id>", s.sender.id)
        .replaceAll("<broadcast uuid>", source.uuid)
        .replaceAll("/v1/senders/{id}", `/v1/senders/${s.sender.id}`);

    const curls = curlExamples(readme);
    const { requests, fields } = inlineExamples(readme);
    const runs: Example[] = [
      ...curls,
      ...requests.map((r) => ({ ...r, headers: { "x-api-key": s.account.key } })),
    ];
    // The extractor found the README's examples (a broken one would hide them all).
    expect(curls.length, "curl examples").toBeGreaterThanOrEqual(2);
    expect(requests.length, "inline request examples").toBeGreaterThanOrEqual(4);
    expect(fields.length, "inline field examples").toBeGreaterThanOrEqual(1);

    for (const example of runs) {
      const body = own(example.body);
      expect(() => JSON.parse(body), `not JSON: ${example.source}`).not.toThrow();
      const headers: Record<string, string> = { "content-type": "application/json" };
      for (const [name, value] of Object.entries(example.headers)) headers[name] = own(value);
      const res = await api(own(example.path), { method: example.method, headers, body });
      const text = await res.text();
      expect(res.status < 300, `${res.status} ${text} for: ${example.source}`).toBe(true);
    }
    for (const f of fields) {
      const json = own(f.json);
      expect(() => JSON.parse(json), `not JSON: ${f.source}`).not.toThrow();
      const body = {
        ...helloBody(s.sender.phoneNumber, [mobileNumber(7, "0")]),
        [f.field]: JSON.parse(json),
      };
      await expectStatus(
        await api("/broadcasts/validate", jsonInit("POST", body, bearer(s.account.key))),
        200,
      );
    }
  });
});
