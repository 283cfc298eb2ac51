/**
 * The contract check itself (test/contract.ts), on answers made up to break
 * it one way each: it must name the breach, and pass a real answer.
 */
import { describe, expect, it } from "vitest";
import { answerOf, contractBreach } from "./contract";
import { api } from "./helpers";

const json = new Headers({ "content-type": "application/json" });
const answer = (status: number, body: unknown, headers = json) => ({
  status,
  headers,
  text: typeof body === "string" ? body : JSON.stringify(body),
});

describe("the contract check", () => {
  it("passes a real answer", async () => {
    expect(contractBreach("GET", "/health", await answerOf(await api("/health")))).toBeNull();
    const missing = await answerOf(await api("/v1/contacts/nope"));
    expect(contractBreach("GET", "/v1/contacts/{id}", missing)).toBeNull();
  });

  it("names an undeclared status, body, field, content type or route", () => {
    expect(contractBreach("GET", "/health", answer(418, { ok: true }))).toMatch(
      /status 418 is not declared/,
    );
    expect(contractBreach("GET", "/health", answer(200, { ok: "yes" }))).toMatch(
      /does not match its schema: ok/,
    );
    expect(contractBreach("GET", "/health", answer(200, { ok: true, extra: 1 }))).toMatch(
      /keys its schema does not declare: extra/,
    );
    const error = { message: "m", details: "d", code: "TEAPOT" };
    expect(contractBreach("GET", "/v1/contacts/{id}", answer(404, error))).toMatch(/code/);
    const text = new Headers({ "content-type": "text/html" });
    expect(contractBreach("GET", "/health", answer(200, "<p>ok</p>", text))).toMatch(
      /content type 'text\/html' is not declared/,
    );
    expect(contractBreach("GET", "/nowhere", answer(200, {}))).toMatch(/not in the OpenAPI/);
  });
});
