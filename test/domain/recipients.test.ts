import { describe, expect, it } from "vitest";
import {
  type BroadcastParameters,
  type ParameterPlan,
  planParameters,
} from "../../src/domain/parameters";
import { type RecipientInput, validateRecipients } from "../../src/domain/recipients";
import { analyzeTemplate } from "../../src/domain/template";
import { KNOWN_NUMBERS, mobileNumber } from "./phones";
import { HOLIDAY_SALE } from "./templates";

const PARAMETERS: BroadcastParameters = {
  header: { type: "image", value: "https://www.example.com/image.jpg" },
  body_order: ["Name", "Time", "Place"],
  button_order: ["url_1", "url_2"],
};

function holidayPlan(): ParameterPlan {
  const result = planParameters(analyzeTemplate(HOLIDAY_SALE), PARAMETERS);
  if (!result.ok) throw new Error(result.errors.join("; "));
  return result.plan;
}

const values = (name: string) => ({
  body: { Name: name, Place: "City Centre", Time: "18h00" },
  button: { url_1: "a", url_2: "b" },
});

const none = { suppressed: new Set<string>() };

describe("validateRecipients", () => {
  it("accepts the seed's recipients with their rendered components", () => {
    const { accepted, rejected } = validateRecipients(
      holidayPlan(),
      [
        {
          identifier: "447592850122",
          client_reference: "541d2b80-7569-4774-8798-f89c3378bbfa",
          parameters: values("Alex"),
        },
        { identifier: "27827134468", parameters: values("Jordan") },
      ],
      none,
    );
    expect(rejected).toEqual([]);
    expect(accepted.map((a) => [a.index, a.identifier, a.clientReference])).toEqual([
      [0, "447592850122", "541d2b80-7569-4774-8798-f89c3378bbfa"],
      [1, "27827134468", null],
    ]);
    expect(accepted[0]?.components[1]).toEqual({
      type: "body",
      parameters: [
        { type: "text", text: "Alex" },
        { type: "text", text: "18h00" },
        { type: "text", text: "City Centre" },
      ],
    });
  });

  it("normalizes identifiers to E.164 digits, and keeps the given form on rejections", () => {
    const { accepted, rejected } = validateRecipients(
      holidayPlan(),
      [
        { identifier: "+44 7592 850122", parameters: values("A") },
        { identifier: "+44 20 7183 8750", parameters: values("B") },
      ],
      none,
    );
    expect(accepted.map((a) => a.identifier)).toEqual(["447592850122"]);
    expect(rejected).toEqual([
      {
        index: 1,
        identifier: "+44 20 7183 8750",
        clientReference: null,
        errors: ["Phone number is a fixed-line number, not a mobile number"],
      },
    ]);
  });

  it("rejects a repeat of an accepted number, after normalization", () => {
    const { accepted, rejected } = validateRecipients(
      holidayPlan(),
      [
        { identifier: "447592850122", parameters: values("A") },
        { identifier: "+44 (0)7592 850122", client_reference: "again", parameters: values("B") },
      ],
      none,
    );
    expect(accepted.map((a) => a.index)).toEqual([0]);
    expect(rejected).toEqual([
      {
        index: 1,
        identifier: "+44 (0)7592 850122",
        clientReference: "again",
        errors: ["Duplicate recipient in this broadcast"],
      },
    ]);
  });

  it("gives a number rejected for its values a second chance later in the list", () => {
    const { accepted, rejected } = validateRecipients(
      holidayPlan(),
      [
        { identifier: "447592850122", parameters: { body: { Name: "A" } } },
        { identifier: "447592850122", parameters: values("A") },
        { identifier: "447592850122", parameters: values("A") },
      ],
      none,
    );
    expect(accepted.map((a) => a.index)).toEqual([1]);
    expect(rejected.map((r) => [r.index, r.errors[0]])).toEqual([
      [0, "Missing body parameter 'Time'"],
      [2, "Duplicate recipient in this broadcast"],
    ]);
  });

  it("rejects opted-out numbers, stored with or without +", () => {
    const a = mobileNumber(1);
    const b = mobileNumber(2);
    const { accepted, rejected } = validateRecipients(
      holidayPlan(),
      [
        { identifier: a, parameters: values("A") },
        { identifier: `+${b}`, parameters: values("B") },
        { identifier: mobileNumber(3), parameters: values("C") },
      ],
      { suppressed: new Set([a, `+${b}`]) },
    );
    expect(accepted.map((r) => r.index)).toEqual([2]);
    expect(rejected.map((r) => r.errors)).toEqual([
      ["Recipient has opted out"],
      ["Recipient has opted out"],
    ]);
  });

  it("collects every reason for one recipient", () => {
    const plan = holidayPlan();
    const { rejected } = validateRecipients(
      plan,
      [
        { identifier: KNOWN_NUMBERS.ukMobile, parameters: values("A") },
        {
          identifier: KNOWN_NUMBERS.ukMobile,
          parameters: {
            header: { value: "nope" },
            body: { Name: "", Time: "x" },
            button: { url_1: "a" },
          },
        },
        { identifier: "12", parameters: values("A") },
      ],
      { suppressed: new Set([KNOWN_NUMBERS.ukMobile]) },
    );
    expect(rejected).toEqual([
      {
        index: 0,
        identifier: KNOWN_NUMBERS.ukMobile,
        clientReference: null,
        errors: ["Recipient has opted out"],
      },
      {
        index: 1,
        identifier: KNOWN_NUMBERS.ukMobile,
        clientReference: null,
        errors: [
          "Recipient has opted out",
          "Empty body parameter 'Name'",
          "Missing body parameter 'Place'",
          "Missing button parameter 'url_2'",
          "Header value must be an http(s) URL",
        ],
      },
      { index: 2, identifier: "12", clientReference: null, errors: ["Not a valid phone number"] },
    ]);
  });

  it("validates 50,000 recipients quickly", () => {
    const plan = holidayPlan();
    const recipients: RecipientInput[] = [];
    for (let i = 0; i < 50_000; i++) {
      recipients.push({
        identifier: mobileNumber(i),
        client_reference: `ref-${i}`,
        parameters: values(`N${i}`),
      });
    }
    const started = performance.now();
    const { accepted, rejected } = validateRecipients(plan, recipients, none);
    const elapsed = performance.now() - started;
    expect(rejected).toEqual([]);
    expect(accepted).toHaveLength(50_000);
    // Generous, to stay green on a busy CI machine; bench/domain-validate.ts measures it properly.
    expect(elapsed).toBeLessThan(2_000);
  });
});
