/**
 * Recipient phone numbers: valid, able to receive WhatsApp (mobile-capable),
 * normalized to E.164 digits without '+'.
 *
 * Validity and type are libphonenumber-js's ("max" metadata). The library
 * builds a `new RegExp` from a metadata string on every check, which costs
 * ~23 µs per number: over a second for a 50,000-recipient broadcast. So the
 * common case, an international number with no national prefix to strip, is
 * decided here by the library's own algorithm (parse → country → getNumberType,
 * transcribed step by step below) over the same metadata, with each regular
 * expression compiled once. Anything else (a national prefix after the country
 * code, a non-geographic calling code) goes to the library itself. A test
 * checks that both agree on tens of thousands of numbers.
 */
import { Metadata } from "libphonenumber-js/core";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import maxMetadata from "libphonenumber-js/max/metadata";

export type PhoneType =
  | "MOBILE"
  | "FIXED_LINE_OR_MOBILE"
  | "FIXED_LINE"
  | "TOLL_FREE"
  | "PREMIUM_RATE"
  | "SHARED_COST"
  | "VOIP"
  | "PERSONAL_NUMBER"
  | "PAGER"
  | "UAN"
  | "VOICEMAIL";

export interface PhoneClassification {
  valid: boolean;
  type: PhoneType | undefined;
  /** E.164 digits without '+', as libphonenumber-js normalizes them. */
  digits: string;
  region: string | undefined;
}

export type NormalizedPhone =
  | { ok: true; digits: string; region: string | undefined }
  | { ok: false; error: string };

// ---- the library's metadata, as its runtime exposes it (its typings show only a part) ----

interface MetadataType {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}

interface NumberingPlan {
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(type: string): MetadataType | undefined;
}

interface MetadataReader {
  hasCallingCode(callingCode: string): boolean | undefined;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  selectNumberingPlan(countryOrCallingCode: string): MetadataReader;
  numberingPlan: NumberingPlan | undefined;
}

// The same "max" metadata that libphonenumber-js/max uses (one module, loaded once).
const metadata = new Metadata(maxMetadata) as unknown as MetadataReader;

// libphonenumber-js constants (MIN_LENGTH_FOR_NSN, MAX_LENGTH_FOR_NSN, MAX_LENGTH_COUNTRY_CODE).
const MIN_NATIONAL_LENGTH = 2;
const MAX_NATIONAL_LENGTH = 17;
const MAX_CALLING_CODE_LENGTH = 3;

const NON_FIXED_LINE_TYPES = [
  "MOBILE",
  "PREMIUM_RATE",
  "TOLL_FREE",
  "SHARED_COST",
  "VOIP",
  "PERSONAL_NUMBER",
  "PAGER",
  "UAN",
  "VOICEMAIL",
] as const satisfies readonly PhoneType[];

interface CompiledType {
  pattern: string;
  regex: RegExp;
  lengths: number[] | undefined;
}

interface CompiledPlan {
  country: string;
  nationalNumber: RegExp;
  nationalPrefix: RegExp | null;
  leadingDigits: RegExp | null;
  hasTypes: boolean;
  types: Map<string, CompiledType>;
}

/** `matchesEntirely()` of the library, compiled once. */
const entirely = (pattern: string) => new RegExp(`^(?:${pattern})$`);

const plans = new Map<string, CompiledPlan>();

function compiledPlan(country: string): CompiledPlan {
  const cached = plans.get(country);
  if (cached) return cached;
  const plan = metadata.selectNumberingPlan(country).numberingPlan;
  if (!plan) throw new Error(`libphonenumber-js has no numbering plan for ${country}`);
  const types = new Map<string, CompiledType>();
  for (const name of ["FIXED_LINE", ...NON_FIXED_LINE_TYPES]) {
    const type = plan.type(name);
    if (type) {
      const pattern = type.pattern();
      types.set(name, { pattern, regex: entirely(pattern), lengths: type.possibleLengths() });
    }
  }
  const prefix = plan.nationalPrefixForParsing();
  const leading = plan.leadingDigits();
  const compiled: CompiledPlan = {
    country,
    nationalNumber: entirely(plan.nationalNumberPattern()),
    // As in extractNationalNumberFromPossiblyIncompleteNumber().
    nationalPrefix: prefix ? new RegExp(`^(?:${prefix})`) : null,
    // As in getCountryByNationalNumber(): `nationalNumber.search(leadingDigits) === 0`.
    leadingDigits: leading ? new RegExp(leading) : null,
    hasTypes: plan.hasTypes(),
    types,
  };
  plans.set(country, compiled);
  return compiled;
}

/** isNumberTypeEqualTo() */
function isType(nationalNumber: string, plan: CompiledPlan, name: string): boolean {
  const type = plan.types.get(name);
  if (!type?.pattern) return false;
  if (type.lengths && !type.lengths.includes(nationalNumber.length)) return false;
  return type.regex.test(nationalNumber);
}

/** getNumberType() */
function numberType(nationalNumber: string, plan: CompiledPlan): PhoneType | undefined {
  if (!plan.nationalNumber.test(nationalNumber)) return undefined;
  if (isType(nationalNumber, plan, "FIXED_LINE")) {
    const mobile = plan.types.get("MOBILE");
    if (!mobile || mobile.pattern === "") return "FIXED_LINE_OR_MOBILE";
    return isType(nationalNumber, plan, "MOBILE") ? "FIXED_LINE_OR_MOBILE" : "FIXED_LINE";
  }
  for (const name of NON_FIXED_LINE_TYPES) {
    if (isType(nationalNumber, plan, name)) return name;
  }
  return undefined;
}

const INVALID = (digits: string): PhoneClassification => ({
  valid: false,
  type: undefined,
  digits,
  region: undefined,
});

/**
 * The library itself: `parsePhoneNumber('+' + digits)`, then `isValid()` and
 * `getType()`. The reference that the fast path is tested against.
 */
export function classifyWithLibrary(digits: string): PhoneClassification {
  const phone = parsePhoneNumberFromString(`+${digits}`);
  if (!phone) return INVALID(digits);
  return {
    valid: phone.isValid(),
    type: phone.getType() as PhoneType | undefined,
    digits: phone.number.slice(1),
    region: phone.country,
  };
}

/** Classifies international digits (no '+', no separators) exactly as the library would. */
export function classifyPhone(digits: string): PhoneClassification {
  // extractCountryCallingCode(): "+0…" is no international number.
  if (digits.length === 0 || digits[0] === "0") return INVALID(digits);
  let callingCode = "";
  for (let i = 1; i <= MAX_CALLING_CODE_LENGTH && i <= digits.length; i++) {
    const candidate = digits.slice(0, i);
    if (metadata.hasCallingCode(candidate)) {
      callingCode = candidate;
      break;
    }
  }
  if (!callingCode) return INVALID(digits);
  const rest = digits.slice(callingCode.length);
  if (rest.length === 0) return INVALID(digits);

  const countries = metadata.getCountryCodesForCallingCode(callingCode);
  // Non-geographic calling codes (+800, +881…): rare, left to the library.
  if (!countries || countries.length === 0) return classifyWithLibrary(digits);
  const main = compiledPlan(countries[0] ?? "");
  // A national prefix written after the country code ("+44 07…") may be stripped
  // by extractNationalNumber(), under conditions best left to the library.
  if (main.nationalPrefix?.test(rest)) return classifyWithLibrary(digits);

  const nationalNumber = rest;
  if (nationalNumber.length < MIN_NATIONAL_LENGTH || nationalNumber.length > MAX_NATIONAL_LENGTH) {
    return INVALID(digits);
  }

  // getCountryByCallingCode() / getCountryByNationalNumber()
  let country: string | undefined;
  if (countries.length === 1) country = countries[0];
  else {
    for (const candidate of countries) {
      const plan = compiledPlan(candidate);
      if (plan.leadingDigits) {
        if (nationalNumber.search(plan.leadingDigits) === 0) {
          country = candidate;
          break;
        }
      } else if (numberType(nationalNumber, plan) !== undefined) {
        country = candidate;
        break;
      }
    }
  }

  // isValidNumber() and getNumberType() on the country's plan, else the calling code's main one.
  const plan = country ? compiledPlan(country) : main;
  const type = numberType(nationalNumber, plan);
  const valid = plan.hasTypes ? type !== undefined : plan.nationalNumber.test(nationalNumber);
  return { valid, type, digits, region: country };
}

// ---- what a recipient's identifier may be --------------------------------------------

const DIGITS = /^\d+$/;
const FORMATTED = /^\+?[\d\s\-().]+$/;
const NON_DIGITS = /\D/g;

const NOT_MOBILE: Partial<Record<PhoneType, string>> = {
  FIXED_LINE: "a fixed-line number",
  TOLL_FREE: "a toll-free number",
  PREMIUM_RATE: "a premium-rate number",
  SHARED_COST: "a shared-cost number",
  VOIP: "a VoIP number",
  PERSONAL_NUMBER: "a personal (call-forwarding) number",
  PAGER: "a pager number",
  UAN: "a universal access number",
  VOICEMAIL: "a voicemail access number",
};

/**
 * Reads a recipient identifier: digits with the country code, an optional
 * leading '+', and spaces, dashes, dots or parentheses between them.
 * Accepts mobile numbers, numbers that may be mobile (FIXED_LINE_OR_MOBILE),
 * and valid numbers whose type the metadata does not tell.
 */
export function normalizePhone(identifier: string): NormalizedPhone {
  let digits = identifier;
  if (!DIGITS.test(digits)) {
    const trimmed = typeof identifier === "string" ? identifier.trim() : "";
    if (trimmed === "") return { ok: false, error: "Phone number is empty" };
    if (!FORMATTED.test(trimmed) || trimmed.lastIndexOf("+") > 0) {
      return {
        ok: false,
        error:
          "Phone number may contain only digits (with the country code), an optional leading +, spaces, dashes, dots and parentheses",
      };
    }
    digits = trimmed.replace(NON_DIGITS, "");
  }
  if (digits.length === 0) return { ok: false, error: "Phone number has no digits" };
  if (digits[0] === "0") {
    return {
      ok: false,
      error: "Phone number must start with the country code (e.g. 44 for the UK), not 0",
    };
  }
  const phone = classifyPhone(digits);
  if (!phone.valid) {
    return {
      ok: false,
      error: phone.region
        ? `Not a valid phone number for ${phone.region}`
        : "Not a valid phone number",
    };
  }
  const notMobile = phone.type ? NOT_MOBILE[phone.type] : undefined;
  if (notMobile) {
    return { ok: false, error: `Phone number is ${notMobile}, not a mobile number` };
  }
  return { ok: true, digits: phone.digits, region: phone.region };
}

/** A number's calling code and national number, for the v1 logs (`"44"`, `"7592850122"`). */
export function splitPhone(digits: string): { countryCode: string; national: string } {
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (!parsed) return { countryCode: "", national: digits };
  return { countryCode: parsed.countryCallingCode, national: parsed.nationalNumber };
}
