/**
 * Distinct, valid UK mobile numbers for tests and benchmarks.
 *
 * UK mobiles are 44 7XX XXXXXXX. These three-digit ranges after the 44 are
 * MOBILE for every following digit in libphonenumber-js's metadata (its GB
 * mobile pattern: 7[1-3]\d\d, 75[13-9]\d, 77[1-7]\d, 78[014-9]\d, 79[024-9]\d,
 * then six digits). Pagers (76…) and personal numbers (70…) are left out.
 * phone.test.ts checks that the numbers validate.
 */
const RANGES: readonly string[] = [
  ..."0123456789".split("").map((d) => `71${d}`),
  ..."0123456789".split("").map((d) => `72${d}`),
  ..."0123456789".split("").map((d) => `73${d}`),
  ..."13456789".split("").map((d) => `75${d}`),
  ..."1234567".split("").map((d) => `77${d}`),
  ..."01456789".split("").map((d) => `78${d}`),
  ..."02456789".split("").map((d) => `79${d}`),
];

/** Digits after the range: a UK mobile has 10 national digits, "7XX" + 7. */
const FREE_DIGITS = 7;

/**
 * The `seq`-th UK mobile number, as E.164 digits without '+'. With a `suffix`
 * (e.g. "1111", for a sandbox rule keyed on the last digits), every number
 * ends in it; distinct `seq` values give distinct numbers for the same suffix.
 * Capacity: 61 × 10^(7 − suffix length) numbers per suffix (61,000 for 4 digits).
 */
export function mobileNumber(seq: number, suffix = ""): string {
  if (!/^\d{0,7}$/.test(suffix))
    throw new Error(`suffix must be at most 7 digits, got '${suffix}'`);
  const free = FREE_DIGITS - suffix.length;
  const perRange = 10 ** free;
  const range = RANGES[Math.floor(seq / perRange)];
  if (!Number.isInteger(seq) || seq < 0 || range === undefined) {
    throw new Error(
      `seq ${seq} is out of range (0..${RANGES.length * perRange - 1} for a ${suffix.length}-digit suffix)`,
    );
  }
  const middle = free > 0 ? String(seq % perRange).padStart(free, "0") : "";
  return `44${range}${middle}${suffix}`;
}

/** Numbers checked by hand against libphonenumber-js (max metadata), for readable tests. */
export const KNOWN_NUMBERS = {
  /** The seed documents' recipients. */
  ukMobile: "447592850122",
  zaMobile: "27827134468",
  /** London landline (020 7183 8750). */
  ukLandline: "442071838750",
  ukTollFree: "448001111111",
  ukVoip: "445612345678",
  ukPager: "447640123456",
  ukPersonal: "447012345678",
  /** US numbers are FIXED_LINE_OR_MOBILE: the metadata cannot tell them apart. */
  usNumber: "14155552671",
} as const;
