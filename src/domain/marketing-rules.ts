/**
 * Who may get a marketing template, before anything is sent (REFERENCE.md,
 * "Meta, 2025–2026"): Meta delivers no marketing template to US +1 numbers
 * since 2025-04-01 (it answers 131049), and a person who stopped marketing
 * from this business (a `user_preferences` stop, or a 131050) gets none
 * either. Utility and authentication templates are untouched by both. Pure.
 */
import { isBusinessUserId } from "./business-user-id";
import { classifyPhone } from "./phone";

export const US_MARKETING_BLOCKED =
  "131049: Meta does not deliver marketing templates to US +1 numbers (since 2025-04-01)";
export const MARKETING_OPTED_OUT =
  "131050: this person stopped marketing messages from this business";

/** Meta's template category; only MARKETING is limited here. */
export function isMarketing(category: string | null | undefined): boolean {
  return (category ?? "").toUpperCase() === "MARKETING";
}

/**
 * A +1 number of a US area code (libphonenumber-js's region US). Canada and
 * the other +1 countries are not covered by Meta's block. Whether US
 * territories with their own region (PR, GU, VI…) are blocked is
 * unconfirmed: they are not treated as US here.
 */
export function isUsNumber(digits: string): boolean {
  // A `US.` user id is taken for a US person: whether Meta's block reaches
  // people addressed by user id is unconfirmed, so the safer reading is kept.
  if (isBusinessUserId(digits)) return digits.startsWith("US.");
  return digits.startsWith("1") && classifyPhone(digits).region === "US";
}

export interface MarketingRules {
  /** The account setting `blockUsMarketing` (on by default, until Meta lifts the block). */
  blockUs: boolean;
  /** Phones (E.164 digits) and business-scoped user ids with a marketing-only opt-out in force. */
  optedOut: ReadonlySet<string>;
}

/** Why `digits` may not get a template of `category`, or null when it may. */
export function marketingBlock(
  digits: string,
  category: string | null | undefined,
  rules: MarketingRules,
): string | null {
  if (!isMarketing(category)) return null;
  if (rules.optedOut.has(digits)) return MARKETING_OPTED_OUT;
  if (rules.blockUs && isUsNumber(digits)) return US_MARKETING_BLOCKED;
  return null;
}

/**
 * A v1 audience as it is loaded when sending starts: each person a marketing
 * template may not go to becomes a rejected row with the reason (visible in
 * the logs), the rest load as they are.
 */
export function rejectBlocked<
  R extends { identifier: string; components: string | null; rejected: string[] | null },
>(rows: R[], category: string | null | undefined, rules: MarketingRules): R[] {
  if (!isMarketing(category)) return rows;
  return rows.map((row) => {
    if (row.rejected) return row;
    const reason = marketingBlock(row.identifier, category, rules);
    return reason ? { ...row, components: null, rejected: [reason] } : row;
  });
}
