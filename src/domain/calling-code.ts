/**
 * The calling code a number (E.164 digits, no '+') starts with, from
 * libphonenumber-js's metadata. Calling codes are prefix-free (ITU E.164), so
 * the first of one to three leading digits that is one is the number's own:
 * no parsing, fast enough for a 50,000-recipient estimate.
 */
import { getCountries, getCountryCallingCode } from "libphonenumber-js/max";
import { isBusinessUserId, userIdCallingCode } from "./business-user-id";

const CALLING_CODES = new Set<string>(getCountries().map((c) => getCountryCallingCode(c)));

/**
 * "44" for 447700900123; "" when no country uses the number's leading digits.
 * A business-scoped user id has the calling code of its prefix's country
 * ("1" for `US.…`): its market for cost (unconfirmed that Meta prices it so).
 */
export function callingCodeOf(digits: string): string {
  if (isBusinessUserId(digits)) return userIdCallingCode(digits);
  for (let length = 1; length <= 3 && length <= digits.length; length++) {
    const prefix = digits.slice(0, length);
    if (CALLING_CODES.has(prefix)) return prefix;
  }
  return "";
}
