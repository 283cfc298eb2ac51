/**
 * Contact placeholders in v1 parameter values: `Hi {{contact.firstName}}!`.
 * A value is compiled once per broadcast (unknown fields are a 400 at create)
 * and rendered per contact when sending starts.
 *
 * Known fields: `contact.name`, `contact.firstName`, `contact.lastName`,
 * `contact.phone` (case-insensitive), and `contact.customFields.<key>` (key as
 * stored). `{{contact.<key>}}` is deliberately NOT read as a custom field: a
 * typo such as `{{contact.frstName}}` must be a clear error, not a blank.
 */

export interface ContactFields {
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string;
  customFields: Record<string, string>;
}

type BuiltInField = "name" | "firstName" | "lastName" | "phone";

/** A compiled value: literal text and contact fields, in order. Plain data, so it can be stored. */
export type TemplatePart = string | { field: BuiltInField } | { customField: string };

export interface CompiledValue {
  /** The v1 field it came from, e.g. "bodyTextParameters[0]". */
  label: string;
  parts: TemplatePart[];
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

const BUILT_IN: Record<string, BuiltInField> = {
  name: "name",
  firstname: "firstName",
  lastname: "lastName",
  phone: "phone",
};

const KNOWN =
  "{{contact.firstName}}, {{contact.lastName}}, {{contact.name}}, {{contact.phone}} or {{contact.customFields.<key>}}";

/** Compiles a value; problems (unknown fields, malformed placeholders) go to `errors`. */
export function compileValue(label: string, value: string, errors: string[]): CompiledValue {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const match of value.matchAll(PLACEHOLDER)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(value.slice(last, at));
    last = at + match[0].length;
    const inner = match[1] ?? "";
    const path = /^contact\.(.+)$/i.exec(inner);
    if (!path) {
      errors.push(`${label}: unknown placeholder '${match[0]}'; use ${KNOWN}`);
      continue;
    }
    const rest = path[1] ?? "";
    const builtIn = BUILT_IN[rest.toLowerCase()];
    if (builtIn) {
      parts.push({ field: builtIn });
      continue;
    }
    const custom = /^customFields\.(.+)$/i.exec(rest);
    if (custom?.[1]) {
      parts.push({ customField: custom[1] });
      continue;
    }
    errors.push(`${label}: unknown contact field '${rest}'`);
  }
  if (last < value.length) parts.push(value.slice(last));
  return { label, parts };
}

export function isLiteral(value: CompiledValue): boolean {
  return value.parts.every((part) => typeof part === "string");
}

function fieldValue(part: Exclude<TemplatePart, string>, contact: ContactFields): string {
  if ("field" in part) return contact[part.field] ?? "";
  const fields = contact.customFields;
  const value: unknown = Object.hasOwn(fields, part.customField)
    ? fields[part.customField]
    : undefined;
  return typeof value === "string"
    ? value
    : value === undefined || value === null
      ? ""
      : String(value);
}

/** The value for one contact; a field the contact lacks renders as nothing. */
export function renderValue(value: CompiledValue, contact: ContactFields): string {
  let out = "";
  for (const part of value.parts)
    out += typeof part === "string" ? part : fieldValue(part, contact);
  return out;
}
