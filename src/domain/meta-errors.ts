/**
 * What each of Meta's error codes means for a broadcast: the one table
 * (REFERENCE.md, "Errors" and "More error codes"). Meta says to branch on the
 * code, not the title; the HTTP status only tells an unknown 5xx apart. Pure.
 *
 * Five actions:
 * - `retry`: transient, try this recipient again soon with backoff;
 * - `reschedule`: not now for this recipient only, try it again at a set delay;
 * - `fail`: final for this recipient;
 * - `pause_broadcast`: about this broadcast's template, not the recipient;
 * - `pause_sender`: about the number or the account: every live broadcast of the sender pauses;
 * - `send_via_cloud_api`: the Marketing Messages API refused the message as
 *   not marketing (nothing was accepted): send it once through `/messages` instead.
 */

export type ErrorAction =
  | "retry"
  | "reschedule"
  | "fail"
  | "pause_broadcast"
  | "pause_sender"
  | "send_via_cloud_api";

export interface ErrorRule {
  action: ErrorAction;
  /** Why, in the business's words (shown with Meta's title nowhere; for docs and logs). */
  why: string;
  /** `reschedule`: how long this recipient waits before the next try. */
  delayMs?: number;
  /** `retry`: the number went over its throughput: slow the sender down too. */
  throughput?: boolean;
  /** `reschedule`: tries of the recipient in all after which it fails instead. */
  maxTries?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** No answer at all (a timeout or a network failure). */
export const TIMEOUT_CODE = 0;
export const PAIR_RATE_CODE = 131056;
export const SPAM_LIMIT_CODE = 131048;
/** Per-user marketing limit, and marketing to US +1 numbers (blocked since 2025-04-01). */
export const MARKETING_LIMIT_CODE = 131049;
/** The person stopped marketing from this business. */
export const MARKETING_OPT_OUT_CODE = 131050;
export const TEMPLATE_PAUSED_CODE = 132015;
export const BSUID_UNSUPPORTED_CODE = 131062;
/** The Cloud API no longer takes this business's marketing templates: the Marketing Messages API must. */
export const MARKETING_API_REQUIRED_CODE = 131063;

const retry = (why: string, throughput = false): ErrorRule =>
  throughput ? { action: "retry", why, throughput } : { action: "retry", why };
const reschedule = (why: string, delayMs: number): ErrorRule => ({
  action: "reschedule",
  why,
  delayMs,
});
const fail = (why: string): ErrorRule => ({ action: "fail", why });
const pauseBroadcast = (why: string): ErrorRule => ({ action: "pause_broadcast", why });
const pauseSender = (why: string): ErrorRule => ({ action: "pause_sender", why });

/** Every code REFERENCE.md names, and a few Chorus has met besides (133004, 10, 200). */
export const META_ERRORS: Readonly<Record<number, ErrorRule>> = {
  // Throughput and API rate limits: back off, and slow the number down.
  130429: retry("The number's throughput was exceeded", true),
  80007: retry("The WABA's API rate limit was hit", true),
  4: retry("The app's API rate limit was hit", true),
  // Transient.
  [TIMEOUT_CODE]: retry("No answer from WhatsApp"),
  1: retry("Unknown error at Meta"),
  2: retry("Meta's service is temporarily unavailable"),
  131000: retry("Something went wrong at Meta"),
  131016: retry("Meta's service is unavailable"),
  131057: retry("The account is in maintenance (throughput upgrade, about a minute)"),
  133004: retry("Meta's server is temporarily unavailable"),
  // This recipient only, later.
  [PAIR_RATE_CODE]: reschedule("Too many messages to this person from this number lately", 6_000),
  // Meta: a retry sooner than 24 h only fails again (the broadcast's marketing_limit_retry decides).
  [MARKETING_LIMIT_CODE]: reschedule("This person's marketing limit is reached", DAY),
  132069: reschedule("The flow's hourly limit (10 messages) is reached", HOUR),
  // Final for this recipient.
  131026: fail("Not deliverable to this person (not on WhatsApp, old app, terms not accepted)"),
  131047: fail("Outside the 24 h customer service window"),
  [MARKETING_OPT_OUT_CODE]: fail("This person stopped marketing messages from this business"),
  131051: fail("Unsupported message type"),
  100: fail("Invalid parameter"),
  131008: fail("A required parameter is missing"),
  131009: fail("A parameter value is not valid"),
  132000: fail("The number of parameters does not match the template"),
  132005: fail("The filled-in text is too long"),
  132007: fail("The content breaks WhatsApp's format policy"),
  132012: fail("A parameter's format does not match the template"),
  132018: fail("A parameter contains line breaks, tabs or too many spaces"),
  132068: fail("The flow is blocked"),
  135000: fail("Generic user error"),
  130472: fail("The person's number is part of a Meta experiment"),
  130497: fail("The business may not message people in this country"),
  [BSUID_UNSUPPORTED_CODE]: fail("This message cannot be sent to a business-scoped user id"),
  // About the broadcast: its template or its media.
  132001: pauseBroadcast("The template does not exist in that language or is not approved"),
  [TEMPLATE_PAUSED_CODE]: pauseBroadcast("The template is paused by Meta"),
  132016: pauseBroadcast("The template is disabled by Meta"),
  // Meta: "no retry until the URL is fixed"; the media is the broadcast's, so it pauses.
  131053: pauseBroadcast("The media could not be fetched"),
  // About the number or the account: every broadcast of the sender stops.
  [SPAM_LIMIT_CODE]: pauseSender("The number is spam-limited (too many blocks or reports)"),
  131031: pauseSender("The account is locked"),
  368: pauseSender("Temporarily blocked for policy violations"),
  190: pauseSender("The access token expired or is invalid"),
  133010: pauseSender("The phone number is not registered"),
  131042: pauseSender("Payment issue on the business account"),
  131064: pauseSender("Messaging limit reached after template-classification violations"),
  10: pauseSender("The app lacks the permission"),
  200: pauseSender("The app lacks the permission"),
  // Meta: marketing is disabled on the Cloud API for this business, "use the Marketing Messages
  // API". Nothing marketing of this number goes until its sender says marketingApi:
  // "marketing_messages", so its broadcasts pause (with the reason) instead of failing everyone.
  [MARKETING_API_REQUIRED_CODE]: pauseSender(
    "Marketing is disabled on the Cloud API for this business: set the sender's marketingApi to marketing_messages, then resume",
  ),
};

/** Ten minutes: Meta's wait for a template or an ad still syncing to the Marketing Messages API. */
export const MARKETING_SYNC_DELAY_MS = 10 * MINUTE;

/**
 * The answers of `POST /{phone-number-id}/marketing_messages` (REFERENCE.md,
 * "Marketing Messages API") that mean something else there than on
 * `/messages`; every other code means what META_ERRORS says.
 */
export const MARKETING_MESSAGES_ERRORS: Readonly<Record<number, ErrorRule>> = {
  // Only marketing templates go through this API: nothing was accepted, so one send through
  // /messages is no double send.
  131055: {
    action: "send_via_cloud_api",
    why: "Not a marketing template: the Marketing Messages API refused it",
  },
  134100: {
    action: "send_via_cloud_api",
    why: "Not a marketing template: the Marketing Messages API refused it",
  },
  // The template is still syncing to the API: Meta says to try again in 10 minutes.
  134101: {
    action: "reschedule",
    why: "The template is still syncing to the Marketing Messages API",
    delayMs: MARKETING_SYNC_DELAY_MS,
    maxTries: 3,
  },
  // Here 131009 is also "ad sync incomplete": Meta says wait 10 minutes and retry once.
  131009: {
    action: "reschedule",
    why: "A parameter is not valid, or the ad sync is incomplete",
    delayMs: MARKETING_SYNC_DELAY_MS,
    maxTries: 2,
  },
  // "Template unavailable" comes as an HTTP 500: transient.
  134102: retry("The template is unavailable to the Marketing Messages API for now"),
};

/** The rule for an answer of the Marketing Messages API (`/marketing_messages`). */
export function marketingMessagesErrorRule(code: number, httpStatus: number): ErrorRule {
  return MARKETING_MESSAGES_ERRORS[code] ?? errorRule(code, httpStatus);
}

/**
 * The rule for `code` at `httpStatus`. An unknown code is transient on a 5xx
 * or a 429, else final for the recipient (never retried blindly).
 */
export function errorRule(code: number, httpStatus: number): ErrorRule {
  const known = META_ERRORS[code];
  if (known) return known;
  if (httpStatus === 429) return retry("Rate limited", true);
  if (httpStatus >= 500) return retry("WhatsApp answered with a server error");
  return fail("WhatsApp refused the message");
}
