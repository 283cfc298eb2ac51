/**
 * Meta's business-scoped user ids (BSUIDs, 2026; REFERENCE.md): `CC.` and up
 * to 128 letters or digits, e.g. `US.13491208655302741918`, one per person and
 * business portfolio. A person may be addressed by one (`recipient` instead of
 * `to`) and webhooks may name a person by one only, with no phone number.
 *
 * The prefix reads as an ISO 3166 country code (`US`, `GB`…): Chorus takes it
 * for the person's country where a rule needs one (cost market, sending
 * window, the US marketing block). That Meta's prefix is the person's
 * country is unconfirmed; it is the only hint a user id gives.
 */
import { type CountryCode, getCountryCallingCode, isSupportedCountry } from "libphonenumber-js/max";

const SHAPE = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;
/** What a client means as a user id rather than a phone: two letters and a dot first. */
const LOOKS_LIKE = /^[A-Za-z]{2}\./;

export const USER_ID_SHAPE =
  "a business-scoped user id is 'CC.' (two capital letters and a dot) and 1 to 128 letters or digits, e.g. US.13491208655302741918";

export function isBusinessUserId(value: string): boolean {
  return SHAPE.test(value);
}

/** True for what is meant as a user id, well-formed or not (a phone number never starts with letters). */
export function looksLikeBusinessUserId(value: string): boolean {
  return LOOKS_LIKE.test(value);
}

/** The country a user id's prefix names (`US`), or undefined for no known country. */
export function userIdCountry(userId: string): CountryCode | undefined {
  if (!isBusinessUserId(userId)) return undefined;
  const cc = userId.slice(0, 2);
  return isSupportedCountry(cc) ? (cc as CountryCode) : undefined;
}

/** The calling code of a user id's country ("1" for `US.…`), "" when it names none. */
export function userIdCallingCode(userId: string): string {
  const country = userIdCountry(userId);
  return country ? getCountryCallingCode(country) : "";
}
