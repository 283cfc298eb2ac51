import examples from "libphonenumber-js/examples.mobile.json";
import metadata from "libphonenumber-js/max/metadata";
import { describe, expect, it } from "vitest";
import { classifyPhone, classifyWithLibrary, normalizePhone } from "../../src/domain/phone";
import { KNOWN_NUMBERS, mobileNumber } from "./phones";

describe("normalizePhone", () => {
  it("accepts the seed's recipients", () => {
    expect(normalizePhone("447592850122")).toEqual({
      ok: true,
      digits: "447592850122",
      region: "GB",
    });
    expect(normalizePhone("27827134468")).toEqual({
      ok: true,
      digits: "27827134468",
      region: "ZA",
    });
  });

  it("tolerates a leading +, spaces, dashes, dots and parentheses", () => {
    for (const input of [
      "+447592850122",
      "+44 7592 850122",
      "+44 7592-850122",
      "44.7592.850122",
      " 447592850122 ",
    ]) {
      expect(normalizePhone(input)).toEqual({ ok: true, digits: "447592850122", region: "GB" });
    }
    expect(normalizePhone("+1 (415) 555-2671")).toEqual({
      ok: true,
      digits: "14155552671",
      region: "US",
    });
  });

  it("drops a national trunk 0 written after the country code, as libphonenumber does", () => {
    expect(normalizePhone("+44 (0)7592 850122")).toEqual({
      ok: true,
      digits: "447592850122",
      region: "GB",
    });
  });

  it("accepts numbers that may be mobile (FIXED_LINE_OR_MOBILE)", () => {
    expect(normalizePhone(KNOWN_NUMBERS.usNumber)).toEqual({
      ok: true,
      digits: "14155552671",
      region: "US",
    });
  });

  it("rejects numbers that are not mobile, saying what they are", () => {
    expect(normalizePhone(KNOWN_NUMBERS.ukLandline)).toEqual({
      ok: false,
      error: "Phone number is a fixed-line number, not a mobile number",
    });
    expect(normalizePhone(KNOWN_NUMBERS.ukTollFree)).toEqual({
      ok: false,
      error: "Phone number is a toll-free number, not a mobile number",
    });
    expect(normalizePhone("449090000000")).toEqual({
      ok: false,
      error: "Phone number is a premium-rate number, not a mobile number",
    });
    expect(normalizePhone(KNOWN_NUMBERS.ukVoip)).toEqual({
      ok: false,
      error: "Phone number is a VoIP number, not a mobile number",
    });
    expect(normalizePhone(KNOWN_NUMBERS.ukPager)).toEqual({
      ok: false,
      error: "Phone number is a pager number, not a mobile number",
    });
    expect(normalizePhone(KNOWN_NUMBERS.ukPersonal)).toEqual({
      ok: false,
      error: "Phone number is a personal (call-forwarding) number, not a mobile number",
    });
  });

  it("rejects what is not a phone number", () => {
    expect(normalizePhone("")).toEqual({ ok: false, error: "Phone number is empty" });
    expect(normalizePhone("   ")).toEqual({ ok: false, error: "Phone number is empty" });
    const chars =
      "Phone number may contain only digits (with the country code), an optional leading +, spaces, dashes, dots and parentheses";
    expect(normalizePhone("alex@example.com")).toEqual({ ok: false, error: chars });
    expect(normalizePhone("+44+7592850122")).toEqual({ ok: false, error: chars });
    expect(normalizePhone("()")).toEqual({ ok: false, error: "Phone number has no digits" });
    expect(normalizePhone("07592850122")).toEqual({
      ok: false,
      error: "Phone number must start with the country code (e.g. 44 for the UK), not 0",
    });
    expect(normalizePhone("4475928501")).toEqual({ ok: false, error: "Not a valid phone number" });
    expect(normalizePhone("999123456789")).toEqual({
      ok: false,
      error: "Not a valid phone number",
    });
    expect(normalizePhone("2712345")).toEqual({
      ok: false,
      error: "Not a valid phone number for ZA",
    });
  });
});

describe("classifyPhone: the fast path agrees with libphonenumber-js", () => {
  // Deterministic pseudo-random digits, so that a failure can be replayed.
  let seed = 20240615;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const digit = () => String(Math.floor(random() * 10));

  const callingCodes = [
    ...Object.keys(metadata.country_calling_codes),
    ...Object.keys((metadata as { nonGeographic?: Record<string, unknown> }).nonGeographic ?? {}),
  ];
  const countries = metadata.countries as Record<string, unknown[]>;

  function sample(): string[] {
    const numbers: string[] = [];
    // Every country's example mobile, with its last digits or one inner digit changed, and with a trunk 0.
    for (const [country, national] of Object.entries(examples as Record<string, string>)) {
      const callingCode = String(countries[country]?.[0] ?? "");
      numbers.push(callingCode + national, `${callingCode}0${national}`);
      for (let k = 0; k < 6; k++) {
        const tail = national.split("");
        for (let j = 1; j <= 1 + Math.floor(random() * 5) && j <= tail.length; j++)
          tail[tail.length - j] = digit();
        numbers.push(callingCode + tail.join(""));
        const inner = national.split("");
        inner[Math.floor(random() * inner.length)] = digit();
        numbers.push(callingCode + inner.join(""));
      }
    }
    // Random digits after every calling code.
    for (let i = 0; i < 15_000; i++) {
      const callingCode = callingCodes[Math.floor(random() * callingCodes.length)] ?? "1";
      let rest = "";
      for (let j = 4 + Math.floor(random() * 11); j > 0; j--) rest += digit();
      numbers.push(callingCode + rest);
    }
    return numbers;
  }

  it("gives the same validity, type, E.164 digits and region", () => {
    const numbers = sample();
    const disagreements: string[] = [];
    let valid = 0;
    for (const n of numbers) {
      const fast = classifyPhone(n);
      const library = classifyWithLibrary(n);
      if (fast.valid) valid++;
      const same =
        fast.valid === library.valid &&
        fast.type === library.type &&
        (!fast.valid || (fast.digits === library.digits && fast.region === library.region));
      if (!same) disagreements.push(`${n}: ${JSON.stringify(fast)} vs ${JSON.stringify(library)}`);
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
    // The sample must hold plenty of valid numbers for the comparison to mean something.
    expect(valid).toBeGreaterThan(1500);
  });
});

describe("mobileNumber (test helper)", () => {
  it("makes 10,000 distinct valid mobiles, with or without a chosen suffix", () => {
    const suffixes = ["", "1111", "2222", "3333", "4444", "5555", "6666"];
    for (const suffix of suffixes) {
      const seen = new Set<string>();
      for (let seq = 0; seq < 10_000; seq++) {
        const n = mobileNumber(seq, suffix);
        expect(n.endsWith(suffix)).toBe(true);
        const phone = classifyPhone(n);
        if (!phone.valid || phone.type !== "MOBILE")
          throw new Error(`${n} is not a valid mobile: ${JSON.stringify(phone)}`);
        seen.add(n);
      }
      expect(seen.size).toBe(10_000);
    }
  });

  it("covers every range it uses, up to its capacity", () => {
    for (const seq of [0, 999, 1000, 30_000, 45_678, 60_999]) {
      const n = mobileNumber(seq, "1234");
      expect(classifyWithLibrary(n)).toMatchObject({ valid: true, type: "MOBILE" });
    }
    expect(() => mobileNumber(61_000, "1234")).toThrow(/out of range/);
    expect(() => mobileNumber(0, "12a")).toThrow(/suffix/);
  });

  it("knows its numbers", () => {
    expect(classifyWithLibrary(KNOWN_NUMBERS.ukMobile)).toMatchObject({
      valid: true,
      type: "MOBILE",
    });
    expect(classifyWithLibrary(KNOWN_NUMBERS.zaMobile)).toMatchObject({
      valid: true,
      type: "MOBILE",
    });
  });
});
