/**
 * Reads a Meta template's `components` and says what a send must fill in:
 * the header kind, the body variables, which buttons take a value, and the
 * carousel cards. Templates come from Meta (synced into D1), so the input is
 * treated as untrusted JSON: odd shapes are reported in `problems`, never thrown.
 */

/** PRODUCT: a single-product (SPM) template's header, which shows one catalog item. */
export type HeaderFormat = "TEXT" | "IMAGE" | "VIDEO" | "DOCUMENT" | "LOCATION" | "PRODUCT";
export type ParameterFormat = "POSITIONAL" | "NAMED";

/**
 * The `sub_type` of a Cloud API button component. A catalog button's is
 * upper-case, a multi-product one's lower-case: as Meta's examples write them
 * (REFERENCE.md "More template components").
 */
export type ButtonSubType = "url" | "copy_code" | "flow" | "quick_reply" | "CATALOG" | "mpm";

/** What a send can carry for one button, or null when the button is fixed. */
export interface ButtonParameterShape {
  subType: ButtonSubType;
  /** The Cloud API parameter type: `text` (URL suffix), `coupon_code`, `action` (flow), `payload`. */
  kind: "text" | "coupon_code" | "action" | "payload";
  /** Required values must be sent (Meta refuses the message otherwise); optional ones may be. */
  required: boolean;
}

export interface TemplateButtonShape {
  /** Zero-based position among the template's buttons: the Cloud API `index`. */
  index: number;
  /** Meta's button type as given, upper-cased: URL, QUICK_REPLY, COPY_CODE, FLOW, PHONE_NUMBER, OTP… */
  type: string;
  text: string | null;
  url: string | null;
  parameter: ButtonParameterShape | null;
}

export interface TemplateHeaderShape {
  /** Null when Meta's format is one this code does not know (reported in `problems`). */
  format: HeaderFormat | null;
  /** The header text, for TEXT headers. */
  text: string | null;
  /** Variable names of a TEXT header, in send order (Meta allows at most one). */
  variables: string[];
}

export interface TemplateBodyShape {
  text: string;
  /** Variable names in send order: "1", "2"… for positional templates, names for NAMED ones. */
  variables: string[];
}

export interface TemplateCardShape {
  index: number;
  header: TemplateHeaderShape | null;
  body: TemplateBodyShape | null;
  buttons: TemplateButtonShape[];
}

export interface TemplateShape {
  parameterFormat: ParameterFormat;
  header: TemplateHeaderShape | null;
  body: TemplateBodyShape | null;
  footer: string | null;
  buttons: TemplateButtonShape[];
  /** Cards of a carousel template, else null. */
  cards: TemplateCardShape[] | null;
  /** A LIMITED_TIME_OFFER component; with an expiration, each message must give it (absent: none). */
  limitedTimeOffer?: { hasExpiration: boolean } | null;
  /** Oddities noticed while reading the components; informative, never fatal here. */
  problems: string[];
}

const HEADER_FORMATS: readonly string[] = [
  "TEXT",
  "IMAGE",
  "VIDEO",
  "DOCUMENT",
  "LOCATION",
  "PRODUCT",
];

/** `{{1}}`, `{{ first_name }}`: Meta's variable syntax (names are lowercase letters, digits, underscores). */
const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function upper(value: unknown): string {
  return typeof value === "string" ? value.toUpperCase() : "";
}

/**
 * The distinct variables of a text, in the order a send lists them: numeric
 * ones by number (Meta fills `{{1}}, {{2}}…` in that order wherever they
 * appear), named ones by first appearance.
 */
export function variablesOf(text: string): string[] {
  const seen: string[] = [];
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1] ?? "";
    if (!seen.includes(name)) seen.push(name);
  }
  if (seen.every((name) => /^\d+$/.test(name))) seen.sort((a, b) => Number(a) - Number(b));
  return seen;
}

/** Each variable's number of appearances, so that a filled length can be computed without filling. */
export function variableOccurrences(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1] ?? "";
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** The text with every variable removed: its length is the fixed part of a filled text. */
export function withoutVariables(text: string): string {
  return text.replace(VARIABLE, "");
}

function checkPositional(where: string, variables: string[], problems: string[]) {
  if (!variables.every((name) => /^\d+$/.test(name))) return;
  if (variables.some((name, i) => Number(name) !== i + 1)) {
    problems.push(`${where}: variables are not numbered 1..${variables.length}`);
  }
}

function readHeader(c: Json, where: string, problems: string[]): TemplateHeaderShape {
  const raw = upper(c.format);
  const format = HEADER_FORMATS.includes(raw) ? (raw as HeaderFormat) : null;
  if (!format) problems.push(`${where}: unknown header format '${String(c.format ?? "")}'`);
  const text = format === "TEXT" ? (str(c.text) ?? "") : null;
  const variables = text ? variablesOf(text) : [];
  if (variables.length > 1)
    problems.push(`${where}: a header has at most one variable, found ${variables.length}`);
  checkPositional(where, variables, problems);
  return { format, text, variables };
}

function readBody(c: Json, where: string, problems: string[]): TemplateBodyShape {
  const text = str(c.text);
  if (text === null) problems.push(`${where}: body without text`);
  const variables = variablesOf(text ?? "");
  checkPositional(where, variables, problems);
  return { text: text ?? "", variables };
}

function buttonParameter(type: string, url: string | null): ButtonParameterShape | null {
  switch (type) {
    case "URL":
      // Only a dynamic URL (`https://x.com/{{1}}`) takes a value: its suffix.
      return url && variablesOf(url).length > 0
        ? { subType: "url", kind: "text", required: true }
        : null;
    case "COPY_CODE":
      return { subType: "copy_code", kind: "coupon_code", required: true };
    // Authentication templates: the one-time code goes in as a URL-button text parameter.
    case "OTP":
      return { subType: "url", kind: "text", required: true };
    case "FLOW":
      return { subType: "flow", kind: "action", required: false };
    case "QUICK_REPLY":
      return { subType: "quick_reply", kind: "payload", required: false };
    // Catalog: an optional thumbnail. Multi-product: Meta requires its sections, but they are
    // the broadcast's (parameters.multi_product), never a per-recipient button_order value, so
    // they are planned apart (components.ts) like the flow button's action.
    case "CATALOG":
      return { subType: "CATALOG", kind: "action", required: false };
    case "MPM":
      return { subType: "mpm", kind: "action", required: false };
    // SPM buttons take nothing: the product is the header's.
    default:
      return null;
  }
}

function readButtons(c: Json, where: string, problems: string[]): TemplateButtonShape[] {
  if (!Array.isArray(c.buttons)) {
    problems.push(`${where}: buttons is not a list`);
    return [];
  }
  return c.buttons.map((b: unknown, index) => {
    if (!isObject(b)) {
      problems.push(`${where}.buttons[${index}]: not an object`);
      return { index, type: "", text: null, url: null, parameter: null };
    }
    const type = upper(b.type);
    const url = str(b.url);
    return { index, type, text: str(b.text), url, parameter: buttonParameter(type, url) };
  });
}

interface Section {
  header: TemplateHeaderShape | null;
  body: TemplateBodyShape | null;
  footer: string | null;
  buttons: TemplateButtonShape[];
  carousel: unknown[] | null;
  limitedTimeOffer?: { hasExpiration: boolean };
}

function readSection(components: unknown, where: string, problems: string[]): Section {
  const section: Section = { header: null, body: null, footer: null, buttons: [], carousel: null };
  if (!Array.isArray(components)) {
    problems.push(`${where}: components is not a list`);
    return section;
  }
  components.forEach((c: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(c)) {
      problems.push(`${at}: not an object`);
      return;
    }
    switch (upper(c.type)) {
      case "HEADER":
        section.header = readHeader(c, at, problems);
        break;
      case "BODY":
        section.body = readBody(c, at, problems);
        break;
      case "FOOTER":
        section.footer = str(c.text);
        break;
      case "BUTTONS":
        section.buttons = readButtons(c, at, problems);
        break;
      case "LIMITED_TIME_OFFER": {
        const offer = isObject(c.limited_time_offer) ? c.limited_time_offer : {};
        section.limitedTimeOffer = { hasExpiration: offer.has_expiration === true };
        break;
      }
      case "CAROUSEL":
        if (Array.isArray(c.cards)) section.carousel = c.cards;
        else problems.push(`${at}: carousel without cards`);
        break;
      default:
        problems.push(`${at}: unknown component type '${String(c.type ?? "")}'`);
    }
  });
  return section;
}

/**
 * Describes a template. Accepts Meta's `components` array, or a whole template
 * object (`{parameter_format, components}`). The template is NAMED when
 * `parameterFormat` (or the object's `parameter_format`) says so, or when any
 * of its variables is not a number.
 */
export function analyzeTemplate(input: unknown, parameterFormat?: string | null): TemplateShape {
  const problems: string[] = [];
  let components = input;
  let declared = parameterFormat ?? null;
  if (isObject(input) && "components" in input) {
    components = input.components;
    declared ??= str(input.parameter_format);
  }
  const main = readSection(components, "components", problems);

  let cards: TemplateCardShape[] | null = null;
  if (main.carousel) {
    cards = main.carousel.map((card: unknown, index) => {
      const where = `cards[${index}].components`;
      const section = readSection(isObject(card) ? card.components : undefined, where, problems);
      return { index, header: section.header, body: section.body, buttons: section.buttons };
    });
  }

  const all = [main.header, main.body, ...(cards ?? []).flatMap((c) => [c.header, c.body])];
  const named = all.some((part) => part?.variables.some((name) => !/^\d+$/.test(name)));
  // Named variables win over a declared POSITIONAL: Meta approves named variables only in NAMED
  // templates, and a stored format may be a default rather than Meta's word.
  const format: ParameterFormat = upper(declared) === "NAMED" || named ? "NAMED" : "POSITIONAL";

  return {
    parameterFormat: format,
    header: main.header,
    body: main.body,
    footer: main.footer,
    buttons: main.buttons,
    cards,
    ...(main.limitedTimeOffer ? { limitedTimeOffer: main.limitedTimeOffer } : {}),
    problems,
  };
}

/** The buttons that must be given a value, in template order (what `button_order` names). */
export function requiredButtons(buttons: readonly TemplateButtonShape[]): TemplateButtonShape[] {
  return buttons.filter((b) => b.parameter?.required === true);
}

/** Header formats whose value is a media link. */
export function isMediaFormat(
  format: HeaderFormat | null,
): format is "IMAGE" | "VIDEO" | "DOCUMENT" {
  return format === "IMAGE" || format === "VIDEO" || format === "DOCUMENT";
}

/** "an IMAGE header", "a VIDEO header": for messages. */
export function aHeader(format: string | null): string {
  return `${/^[AEIOU]/.test(format ?? "") ? "an" : "a"} ${format} header`;
}
