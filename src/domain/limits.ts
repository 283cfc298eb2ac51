/**
 * What WhatsApp refuses in a template parameter, checked before sending so
 * that a bad value rejects one recipient at create instead of failing later.
 *
 * Sources (see ../shared/REFERENCE.md, "Limits"): body ≤ 1,024 characters after
 * filling (else 132005); header text ≤ 60; body parameters must not be empty.
 * Meta's error 132018 ("Param text cannot have new-line/tab characters or more
 * than 4 consecutive spaces") is applied to every text we put in a parameter.
 * Two limits are ours, since Meta documents none: a filled button URL ≤ 2,000
 * characters (the longest URL every client handles), and a coupon code ≤ 20
 * characters (the copy-code limit since December 2025, REFERENCE.md "More
 * template components"; 15 before).
 */

export const LIMITS = {
  bodyText: 1024,
  headerText: 60,
  buttonUrl: 2000,
  couponCode: 20,
} as const;

const LINE_BREAK_OR_TAB = /[\r\n\t]/;
const FIVE_SPACES = / {5}/;

/** The 132018 rule: why WhatsApp would refuse this text as a parameter, or null. */
export function textParameterProblem(label: string, value: string): string | null {
  if (LINE_BREAK_OR_TAB.test(value)) {
    return `${label} contains a line break or tab, which WhatsApp does not allow in a parameter`;
  }
  if (FIVE_SPACES.test(value)) {
    return `${label} has more than 4 consecutive spaces, which WhatsApp does not allow in a parameter`;
  }
  return null;
}

/** True for an absolute http(s) URL, the only links Meta can fetch media from. */
export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export interface LocationValue {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

export function isLocationValue(value: unknown): value is LocationValue {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.latitude === "number" &&
    Number.isFinite(v.latitude) &&
    v.latitude >= -90 &&
    v.latitude <= 90 &&
    typeof v.longitude === "number" &&
    Number.isFinite(v.longitude) &&
    v.longitude >= -180 &&
    v.longitude <= 180 &&
    (v.name === undefined || v.name === null || typeof v.name === "string") &&
    (v.address === undefined || v.address === null || typeof v.address === "string")
  );
}

/** Unicode characters (code points), which is what a person, and Meta, counts. */
export function characterCount(value: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) surrogatePairs++;
  }
  return value.length - surrogatePairs;
}
