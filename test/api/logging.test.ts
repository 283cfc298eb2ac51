/// <reference types="vite/client" />
/**
 * Logs never carry an API key, an access token, a secret or a full phone
 * number: every line goes through src/log.ts, which masks them.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { errorFields, log, redact, redactText } from "../../src/log";

afterEach(() => vi.restoreAllMocks());

describe("log masking", () => {
  it("keeps the last 4 digits of phone numbers and phone-number ids", () => {
    expect(redactText("Recipient +447592850122 is not on WhatsApp")).toBe(
      "Recipient ***0122 is not on WhatsApp",
    );
    expect(redactText("to 27827134468, from 100000000000001")).toBe("to ***4468, from ***0001");
  });

  it("leaves timestamps, counts, codes and wamids readable", () => {
    const text =
      "2026-11-23T03:53:58.000Z batch 1234 failed with 131026 (wamid.HBgLNDQ3NTkyODUwMTIy)";
    expect(redactText(text)).toBe(text);
  });

  it("removes API keys, bearer credentials and Meta access tokens from free text", () => {
    const out = redactText(
      "auth Bearer abc.def-123 key chorus_Zm9vYmFyYmF6cXV4MTIzNDU2 token EAAGm0PX4ZCpsBAKZB1234567890abcdef",
    );
    expect(out).toBe("auth Bearer [redacted] key chorus_[redacted] token [redacted-token]");
  });

  it("replaces the values of secret-named fields, however deep", () => {
    expect(
      redact({
        accessToken: "sandbox-demo-token",
        nested: { "x-api-key": "anything", authorization: "Basic Zm9v", webhookSecret: "s" },
        list: [{ password: "p" }],
        count: 3,
      }),
    ).toEqual({
      accessToken: "[redacted]",
      nested: {
        "x-api-key": "[redacted]",
        authorization: "[redacted]",
        webhookSecret: "[redacted]",
      },
      list: [{ password: "[redacted]" }],
      count: 3,
    });
  });

  it("writes one masked JSON line per call, errors included", () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
    const err = new Error("(#131030) Recipient phone number 447592850122 not in allowed list");
    log("error", "send failed", {
      to: "447592850122",
      accessToken: "EAAsecret",
      ...errorFields(err),
    });
    expect(lines).toHaveLength(1);
    const line = lines[0] ?? "";
    expect(line).not.toContain("447592850122");
    expect(line).not.toContain("EAAsecret");
    expect(JSON.parse(line)).toMatchObject({
      level: "error",
      msg: "send failed",
      to: "***0122",
      accessToken: "[redacted]",
      error: "Error: (#131030) Recipient phone number ***0122 not in allowed list",
    });
  });

  it("is the only writer of logs in src/ (a new console call would skip the masking)", () => {
    const sources = import.meta.glob("../../src/**/*.ts", {
      query: "?raw",
      import: "default",
      eager: true,
    }) as Record<string, string>;
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    const offenders = Object.entries(sources)
      .filter(([path, text]) => !path.endsWith("/src/log.ts") && /\bconsole\.\w+\(/.test(text))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });
});
