/**
 * Turning the composed broadcast into API calls: the request body, the
 * validate calls (at most 20,000 recipients each, the API's limit), each
 * warning put back beside its row, and the create split into parts that fit
 * the API's limits (50,000 recipients and 64 MB per POST /broadcasts, see
 * src/api/body-limits.ts): a bigger list becomes several broadcasts, named
 * "… (1/3)". Each part's idempotency key is this page's session and a hash of
 * the part's body: a Send retried after a lost answer finds the broadcast it
 * made, while an edited broadcast is a new one.
 */

import { api, post } from "../api";
import { type Estimate, mergeEstimates } from "../cost";
import type { RecipientBody } from "./slots";

export const VALIDATE_MAX = 20_000;
export const CREATE_MAX = 50_000;
/** 64 MB is the API's limit; the margin covers the broadcast's own fields. */
export const CREATE_MAX_BYTES = 64 * 1024 * 1024 - 64 * 1024;

export interface Warning {
  identifier: string;
  errors: string[];
}

export type BroadcastFields = Record<string, unknown>;

/**
 * The API lists warnings by identifier, in row order. A number given twice is
 * rejected as a duplicate on its later row, so "duplicate" warnings go to the
 * later rows of that number and the others to its rows in order.
 */
export function warningsByRow(
  identifiers: readonly string[],
  warnings: readonly Warning[],
  offset = 0,
): Map<number, string[]> {
  const rowsOf = new Map<string, number[]>();
  identifiers.forEach((id, i) => {
    const rows = rowsOf.get(id) ?? [];
    rows.push(i + offset);
    rowsOf.set(id, rows);
  });
  const byRow = new Map<number, string[]>();
  for (const w of warnings) {
    const rows = rowsOf.get(w.identifier) ?? [];
    const duplicate = w.errors.some((e) => /duplicate/i.test(e));
    const row = rows.find((r, i) => !byRow.has(r) && (!duplicate || i > 0)) ?? rows[0];
    if (row !== undefined) byRow.set(row, [...(byRow.get(row) ?? []), ...w.errors]);
  }
  return byRow;
}

export interface ValidateResult {
  warnings: Map<number, string[]>;
  /** What sending would cost at most, over every chunk (null: no rate card in force). */
  estimate: Estimate | null;
}

export async function validateAll(
  fields: BroadcastFields,
  recipients: RecipientBody[],
): Promise<ValidateResult> {
  const result: ValidateResult = { warnings: new Map(), estimate: null };
  const estimates: Estimate[] = [];
  for (let offset = 0; offset < recipients.length; offset += VALIDATE_MAX) {
    const chunk = recipients.slice(offset, offset + VALIDATE_MAX);
    const answer = await api<{ warnings: { recipients: Warning[] }; estimate: Estimate | null }>(
      "/broadcasts/validate",
      post({ ...fields, recipients: chunk }),
    );
    const found = warningsByRow(
      chunk.map((r) => r.identifier),
      answer.warnings.recipients,
      offset,
    );
    for (const [row, errors] of found) result.warnings.set(row, errors);
    if (answer.estimate) estimates.push(answer.estimate);
  }
  result.estimate = mergeEstimates(estimates);
  return result;
}

/** Consecutive slices of the recipients, each within the create limits. */
export function splitForCreate(
  fields: BroadcastFields,
  recipients: RecipientBody[],
  maxBytes = CREATE_MAX_BYTES,
): RecipientBody[][] {
  const encoder = new TextEncoder();
  const base = encoder.encode(JSON.stringify({ ...fields, recipients: [] })).length;
  const parts: RecipientBody[][] = [];
  let part: RecipientBody[] = [];
  let bytes = base;
  for (const r of recipients) {
    const size = encoder.encode(JSON.stringify(r)).length + 1;
    if (part.length > 0 && (part.length >= CREATE_MAX || bytes + size > maxBytes)) {
      parts.push(part);
      part = [];
      bytes = base;
    }
    part.push(r);
    bytes += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

export interface Created {
  uuid: string;
  name: string;
  recipients: number;
  rejected_recipients: number;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function createAll(
  fields: BroadcastFields & { name: string },
  parts: RecipientBody[][],
  session: string,
): Promise<Created[]> {
  const created: Created[] = [];
  for (const [i, recipients] of parts.entries()) {
    const name = parts.length > 1 ? `${fields.name} (${i + 1}/${parts.length})` : fields.name;
    const body = { ...fields, name, recipients };
    const key = `${session}-${(await sha256(JSON.stringify(body))).slice(0, 32)}`;
    const answer = await api<Omit<Created, "name">>(
      "/broadcasts",
      post({ ...body, client_unique_identifier: key }),
    );
    created.push({ ...answer, name });
  }
  return created;
}
