/**
 * Validates a broadcast's inline recipients: each one is accepted with its
 * rendered components, or rejected with every reason that applies, so that a
 * client can fix them all in one go.
 */

import { isBusinessUserId, looksLikeBusinessUserId, USER_ID_SHAPE } from "./business-user-id";
import type { CloudComponent } from "./components";
import { type ParameterPlan, type RecipientParameters, renderRecipient } from "./parameters";
import { normalizePhone } from "./phone";

export interface RecipientInput {
  identifier: string;
  /** A string or a number; anything else is this recipient's error. */
  client_reference?: unknown;
  parameters?: RecipientParameters;
}

export interface AcceptedRecipient {
  /** Position in the request's `recipients`. */
  index: number;
  /** E.164 digits without '+', or a business-scoped user id (`US.1349…`) as given. */
  identifier: string;
  clientReference: string | null;
  components: CloudComponent[];
}

export interface RejectedRecipient {
  index: number;
  /** As the client gave it, so that it can find the recipient again. */
  identifier: string;
  clientReference: string | null;
  errors: string[];
}

export const DUPLICATE = "Duplicate recipient in this broadcast";
export const OPTED_OUT = "Recipient has opted out";
export const BAD_REFERENCE = "client_reference: must be a string or a number";
const MAX_REFERENCE = 255;

/**
 * A client's reference as stored: a string as given, a number as its decimal
 * string (never exponent notation), null when absent (JSON null included).
 */
export function clientReferenceOf(
  value: unknown,
): { ok: true; value: string | null } | { ok: false; error: string } {
  if (value === undefined || value === null) return { ok: true, value: null };
  let text: string | null = null;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" && Number.isFinite(value))
    text = Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (text === null) return { ok: false, error: BAD_REFERENCE };
  if (text.length > MAX_REFERENCE)
    return { ok: false, error: `client_reference: at most ${MAX_REFERENCE} characters` };
  return { ok: true, value: text };
}

/** The suppression list as E.164 digits, whichever way its numbers were stored. */
function digitsOnly(suppressed: ReadonlySet<string>): ReadonlySet<string> {
  let plain = true;
  for (const phone of suppressed) {
    if (phone.startsWith("+")) {
      plain = false;
      break;
    }
  }
  if (plain) return suppressed;
  const digits = new Set<string>();
  for (const phone of suppressed) digits.add(phone.startsWith("+") ? phone.slice(1) : phone);
  return digits;
}

/**
 * A recipient's address: a phone number (E.164 digits), or a business-scoped
 * user id, kept as given (Meta's ids are case-sensitive). A user id and a
 * phone of the same person are two addresses: Chorus cannot tell they meet.
 */
export function addressOf(
  identifier: string,
): { ok: true; digits: string } | { ok: false; error: string } {
  if (typeof identifier === "string" && looksLikeBusinessUserId(identifier)) {
    return isBusinessUserId(identifier)
      ? { ok: true, digits: identifier }
      : { ok: false, error: `identifier: ${USER_ID_SHAPE}` };
  }
  return normalizePhone(identifier);
}

/**
 * A number counts as taken once a recipient with it is accepted: a later
 * repeat is then a duplicate, while a repeat of a rejected recipient gets its
 * chance, so the person receives the message exactly once either way.
 * Suppressed numbers may be stored with or without '+'.
 */
export function validateRecipients(
  plan: ParameterPlan,
  recipients: readonly RecipientInput[],
  options: {
    suppressed: ReadonlySet<string>;
    /** Why this template may not go to this number (marketing rules), or null. */
    blocked?: (digits: string) => string | null;
  },
): { accepted: AcceptedRecipient[]; rejected: RejectedRecipient[] } {
  const accepted: AcceptedRecipient[] = [];
  const rejected: RejectedRecipient[] = [];
  const taken = new Set<string>();
  const optedOut = digitsOnly(options.suppressed);

  for (let index = 0; index < recipients.length; index++) {
    const r = recipients[index];
    if (!r) continue;
    const identifier = typeof r.identifier === "string" ? r.identifier : String(r.identifier ?? "");
    const reference = clientReferenceOf(r.client_reference);
    const clientReference = reference.ok ? reference.value : null;
    const errors: string[] = reference.ok ? [] : [reference.error];

    const phone = addressOf(identifier);
    if (!phone.ok) errors.push(phone.error);
    else {
      if (taken.has(phone.digits)) errors.push(DUPLICATE);
      if (optedOut.has(phone.digits)) errors.push(OPTED_OUT);
      const blocked = options.blocked?.(phone.digits);
      if (blocked) errors.push(blocked);
    }

    const rendered = renderRecipient(plan, r.parameters);
    if (!rendered.ok) errors.push(...rendered.errors);

    if (errors.length > 0 || !phone.ok || !rendered.ok) {
      rejected.push({ index, identifier, clientReference, errors });
      continue;
    }
    taken.add(phone.digits);
    accepted.push({
      index,
      identifier: phone.digits,
      clientReference,
      components: rendered.components,
    });
  }
  return { accepted, rejected };
}
