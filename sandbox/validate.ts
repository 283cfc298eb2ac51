/**
 * Pure checks of a send request, as Meta makes them: the message envelope,
 * then a template message's `components` against the template. Written
 * independently of Chorus's own rendering code, so that a bug there shows up
 * here as Meta's error instead of a silent agreement.
 *
 * Codes: a parameter count that differs from the template is 132000; a
 * parameter of the wrong kind (video for an image header, a wrong button
 * sub_type, a carousel that differs in cards) is 132012; an empty or missing
 * value is 131008; a malformed value 131009; a text parameter with a line
 * break, a tab or five spaces 132018; filled text over the limit 132005.
 */
import { ERRORS, type MetaError } from "./errors";
import type { SandboxTemplate } from "./templates";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const lower = (v: unknown): string => str(v).toLowerCase();

export const LIMITS = {
  body: 1024,
  headerText: 60,
  text: 4096,
  callbackData: 512,
  // Copy-code coupons: 20 characters since December 2025 (15 before).
  couponCode: 20,
  // A multi-product message: at most 30 products across its sections, a section title of at
  // most 24 characters (Meta's MPM reference); at most 10 sections is the interactive
  // multi-product message's limit, unconfirmed for templates.
  mpmSections: 10,
  mpmProducts: 30,
  mpmSectionTitle: 24,
} as const;

export interface TemplateRequest {
  name: string;
  language: string;
  components: unknown[];
}

export interface ParsedMessage {
  /** `to` as sent ("" when the message went to a `recipient` user id). */
  to: string;
  /** Its digits: the recipient's wa_id; for a user-id recipient, the user id (the sandbox's key for a person). */
  digits: string;
  /** W16: the business-scoped user id of `recipient`, when the message has no `to`. */
  userId: string | null;
  type: "template" | "text";
  callback: string | null;
  template: TemplateRequest | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: MetaError };
const fail = (error: MetaError): { ok: false; error: MetaError } => ({ ok: false, error });

/** The envelope of `POST /{version}/{phone-number-id}/messages`. */
export function parseMessage(payload: unknown): Parsed<ParsedMessage> {
  if (!isObj(payload))
    return fail(ERRORS.invalidParameter("The request body must be a JSON object"));
  if (payload.messaging_product !== "whatsapp") {
    return fail(
      ERRORS.invalidParameter(
        payload.messaging_product === undefined
          ? "The parameter messaging_product is required."
          : "messaging_product must be 'whatsapp'",
      ),
    );
  }
  if (payload.recipient_type !== undefined && payload.recipient_type !== "individual")
    return fail(ERRORS.invalidParameter("recipient_type must be 'individual'"));
  const callback = payload.biz_opaque_callback_data;
  if (payload.to === undefined || payload.to === null || payload.to === "") {
    // W16: a business-scoped user id in `recipient` instead of `to` (if both, `to` wins).
    if (payload.recipient === undefined || payload.recipient === null || payload.recipient === "")
      return fail(ERRORS.invalidParameter("The parameter to is required."));
    const userId = typeof payload.recipient === "string" ? payload.recipient : "";
    if (!BUSINESS_USER_ID.test(userId)) {
      return fail(
        ERRORS.invalidParameter(
          `recipient: '${String(payload.recipient)}' is not a business-scoped user id`,
        ),
      );
    }
    return parseRest(payload, { to: "", digits: userId, userId }, callback);
  }
  const to = typeof payload.to === "string" ? payload.to : "";
  // Meta tolerates formatting characters in `to`; the digits are what count.
  const digits = to.replace(/[\s\-().]/g, "").replace(/^\+/, "");
  if (!/^\d{5,15}$/.test(digits))
    return fail(ERRORS.invalidParameter(`to: '${String(payload.to)}' is not a phone number`));
  return parseRest(payload, { to, digits, userId: null }, callback);
}

/** `CC.` and 1 to 128 letters or digits (REFERENCE.md, "Business-scoped user ids"). */
export const BUSINESS_USER_ID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;

function parseRest(
  payload: Record<string, unknown>,
  who: { to: string; digits: string; userId: string | null },
  callback: unknown,
): Parsed<ParsedMessage> {
  if (callback !== undefined && typeof callback !== "string")
    return fail(ERRORS.invalidParameter("biz_opaque_callback_data must be a string"));
  if (typeof callback === "string" && callback.length > LIMITS.callbackData) {
    return fail(
      ERRORS.invalidParameter(`biz_opaque_callback_data is over ${LIMITS.callbackData} characters`),
    );
  }
  const base = { ...who, callback: callback || null };
  const type = payload.type ?? "text";
  if (type === "text") {
    const body = isObj(payload.text) ? payload.text.body : undefined;
    if (typeof body !== "string" || body === "")
      return fail(ERRORS.missingParameter("text.body is required"));
    if ([...body].length > LIMITS.text)
      return fail(ERRORS.invalidParameter(`text.body is over ${LIMITS.text} characters`));
    return { ok: true, value: { ...base, type: "text", template: null } };
  }
  if (type !== "template") {
    return fail(ERRORS.invalidParameter(`type '${String(type)}' is not supported by the sandbox`));
  }
  const t = payload.template;
  if (!isObj(t)) return fail(ERRORS.missingParameter("The parameter template is required."));
  const name = str(t.name);
  const language = isObj(t.language) ? str(t.language.code) : "";
  if (!name) return fail(ERRORS.missingParameter("The parameter template['name'] is required."));
  if (!language)
    return fail(ERRORS.missingParameter("The parameter template['language']['code'] is required."));
  if (t.components !== undefined && !Array.isArray(t.components))
    return fail(ERRORS.invalidParameter("template.components must be an array"));
  return {
    ok: true,
    value: {
      ...base,
      type: "template",
      template: { name, language, components: list(t.components) },
    },
  };
}

/** Whether a template found (or not) by name and language can be sent. */
export function templateRefusal(
  template: SandboxTemplate | undefined,
  name: string,
  language: string,
): MetaError | null {
  if (!template) return ERRORS.templateMissing(name, language, "");
  switch (template.status) {
    case "APPROVED":
      return null;
    case "PAUSED":
      return ERRORS.templatePaused(name);
    case "DISABLED":
      return ERRORS.templateDisabled(name);
    default:
      return ERRORS.templateMissing(name, language, `status ${template.status}`);
  }
}

// ---- template components ----------------------------------------------------------

/** The parts of a template, or of one carousel card. */
interface TemplateSection {
  header: Obj | undefined;
  body: Obj | undefined;
  buttons: Obj[];
}

/** The components of a message, or of one carousel card. */
interface MessageSection {
  header: Obj | undefined;
  body: Obj | undefined;
  limited_time_offer?: Obj;
  buttons: Obj[];
  carousel: Obj | undefined;
}

interface Context {
  /** Prefix of every detail: "" for the message, "card 1: " in a carousel. */
  where: string;
  named: boolean;
  inCard: boolean;
}

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** The distinct variables of a text, in order of first appearance: `{{1}}`, `{{first_name}}`. */
export function variables(text: string): string[] {
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1] ?? ""))];
}

/** Unicode characters, which is what Meta counts. */
const characters = (s: string): number => [...s].length;

function templateSection(components: unknown[]): TemplateSection {
  const of = (type: string) =>
    components.filter(isObj).find((c) => str(c.type).toUpperCase() === type);
  return {
    header: of("HEADER"),
    body: of("BODY"),
    buttons: list(of("BUTTONS")?.buttons).filter(isObj),
  };
}

function messageSection(components: unknown[], ctx: Context): Parsed<MessageSection> {
  const section: MessageSection = {
    header: undefined,
    body: undefined,
    buttons: [],
    carousel: undefined,
  };
  for (const c of components) {
    if (!isObj(c))
      return fail(ERRORS.invalidParameter(`${ctx.where}each component must be an object`));
    const type = lower(c.type);
    if (type === "button") section.buttons.push(c);
    else if (
      type === "header" ||
      type === "body" ||
      (type === "limited_time_offer" && !ctx.inCard) ||
      (type === "carousel" && !ctx.inCard)
    ) {
      if (section[type])
        return fail(ERRORS.invalidParameter(`${ctx.where}more than one ${type} component`));
      section[type] = c;
    } else {
      return fail(ERRORS.invalidParameter(`${ctx.where}unknown component type '${str(c.type)}'`));
    }
  }
  return { ok: true, value: section };
}

/** Checks `components` of a template message against the template; null when Meta would accept them. */
export function validateTemplateMessage(
  template: SandboxTemplate,
  components: unknown[],
): MetaError | null {
  const ctx: Context = { where: "", named: template.parameter_format === "NAMED", inCard: false };
  const parsed = messageSection(components, ctx);
  if (!parsed.ok) return parsed.error;
  const t = templateSection(template.components);
  return (
    checkSection(t, parsed.value, ctx) ??
    checkOffer(template.components, parsed.value.limited_time_offer) ??
    checkCarousel(
      template.components.find((c) => str(c.type).toUpperCase() === "CAROUSEL"),
      parsed.value.carousel,
      ctx.named,
    )
  );
}

/**
 * A LIMITED_TIME_OFFER with `has_expiration` needs its component, with
 * `expiration_time_ms` a whole number of Unix milliseconds (Meta's reference
 * page; its own example and pywa differ, REFERENCE.md). Which codes Meta
 * answers is unconfirmed: 131008 missing, 131009 not milliseconds, 132012 an
 * offer the template does not have.
 */
function checkOffer(components: unknown[], given: Obj | undefined): MetaError | null {
  const t = components
    .filter(isObj)
    .find((c) => str(c.type).toUpperCase() === "LIMITED_TIME_OFFER");
  const expires = isObj(t?.limited_time_offer) && t.limited_time_offer.has_expiration === true;
  if (!expires) {
    return given
      ? ERRORS.paramFormat(
          "limited_time_offer: the template has no limited-time offer that expires",
        )
      : null;
  }
  const [p] = params(given);
  const offer = isObj(p) && p.type === "limited_time_offer" ? p.limited_time_offer : undefined;
  const ms = isObj(offer) ? offer.expiration_time_ms : undefined;
  if (ms === undefined)
    return ERRORS.missingParameter("limited_time_offer: expiration_time_ms is required");
  if (typeof ms !== "number" || !Number.isSafeInteger(ms) || ms < 1_000_000_000_000)
    return ERRORS.invalidValue("limited_time_offer: expiration_time_ms must be Unix milliseconds");
  return null;
}

function checkSection(t: TemplateSection, m: MessageSection, ctx: Context): MetaError | null {
  return (
    checkHeader(t.header, m.header, ctx) ??
    checkBody(t.body, m.body, ctx) ??
    checkButtons(t.buttons, m.buttons, ctx)
  );
}

function params(component: Obj | undefined): unknown[] {
  return list(component?.parameters);
}

// ---- header -------------------------------------------------------------------------

function checkHeader(t: Obj | undefined, header: Obj | undefined, ctx: Context): MetaError | null {
  const { where } = ctx;
  const given = params(header);
  // In a carousel card, Meta reports any header that differs from the card's as a format error.
  const count = (d: string) => (ctx.inCard ? ERRORS.paramFormat(d) : ERRORS.paramCount(d));
  if (!t) {
    return header
      ? count(`${where}header: the template has no header, received a header component`)
      : null;
  }
  const format = str(t.format).toUpperCase();
  if (format === "TEXT") {
    const expected = variables(str(t.text)).length;
    if (given.length !== expected) {
      return count(
        `${where}header: expected ${expected} text parameter(s), received ${given.length}`,
      );
    }
    for (const p of given) {
      if (!isObj(p) || p.type !== "text")
        return ERRORS.paramFormat(`${where}header: expected a text parameter`);
      const problem = textProblem(p.text, `${where}header`);
      if (problem) return problem;
    }
    const filled = fill(str(t.text), given, ctx.named);
    if (characters(filled) > LIMITS.headerText) {
      return ERRORS.tooLong(
        `${where}header: the filled header is ${characters(filled)} characters; the limit is ${LIMITS.headerText}`,
      );
    }
    return null;
  }
  if (given.length !== 1) {
    return count(
      `${where}header: expected 1 ${format.toLowerCase()} parameter, received ${given.length}`,
    );
  }
  const p = given[0];
  const kind = format.toLowerCase();
  if (!isObj(p) || p.type !== kind) {
    return ERRORS.paramFormat(
      `${where}header: the template's header is ${format}, received a ${isObj(p) ? str(p.type) || "untyped" : "malformed"} parameter`,
    );
  }
  if (format === "LOCATION") return locationProblem(p.location, where);
  if (format === "PRODUCT") return productProblem(p.product, where);
  // IMAGE, VIDEO, DOCUMENT
  const media = p[kind];
  if (!isObj(media) || (!str(media.link) && !str(media.id)))
    return ERRORS.missingParameter(`${where}header.${kind}: a link or an id is required`);
  if (str(media.link) && !isHttpUrl(str(media.link)))
    return ERRORS.invalidValue(`${where}header.${kind}.link must be an http(s) URL`);
  return null;
}

/**
 * P3: a single-product header names one catalog item by `product_retailer_id`
 * and its `catalog_id` (REFERENCE.md). Unconfirmed which code Meta answers a
 * missing one with: 131008, as for other missing values.
 */
function productProblem(product: unknown, where: string): MetaError | null {
  if (!isObj(product) || !nonEmpty(product.product_retailer_id) || !nonEmpty(product.catalog_id))
    return ERRORS.missingParameter(
      `${where}header.product: product_retailer_id and catalog_id are required`,
    );
  return null;
}

const nonEmpty = (v: unknown): boolean => typeof v === "string" && v.trim() !== "";

function locationProblem(location: unknown, where: string): MetaError | null {
  if (
    !isObj(location) ||
    typeof location.latitude !== "number" ||
    typeof location.longitude !== "number"
  )
    return ERRORS.missingParameter(`${where}header.location: latitude and longitude are required`);
  const { latitude, longitude } = location;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180)
    return ERRORS.invalidValue(`${where}header.location: latitude or longitude out of range`);
  return null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
  } catch {
    return false;
  }
}

// ---- body ---------------------------------------------------------------------------

/** The value a body parameter puts in the text: its text, or a currency/date's fallback. */
function parameterValue(p: Obj): string {
  if (p.type === "text") return str(p.text);
  const inner = p[str(p.type)];
  return isObj(inner) ? str(inner.fallback_value) : "";
}

function textProblem(text: unknown, where: string): MetaError | null {
  if (typeof text !== "string" || text.trim() === "")
    return ERRORS.missingParameter(`${where}: text parameters cannot be empty`);
  // Meta refuses these in parameters (132018), however the template is written.
  if (/[\r\n\t]/.test(text) || / {5}/.test(text)) {
    return ERRORS.paramInvalid(
      `${where}: Param text cannot have new-line/tab characters or more than 4 consecutive spaces`,
    );
  }
  return null;
}

/**
 * A currency needs an ISO 4217 `code` and an integer `amount_1000` (the amount
 * × 1000) beside its fallback; a date_time only its fallback. Meta's exact
 * codes for these are unconfirmed: 131008 for a missing field, 131009 for a
 * wrong one, as for the other parameters.
 */
function typedProblem(p: Obj, where: string): MetaError | null {
  if (p.type !== "currency") return null;
  const c = p.currency;
  if (!isObj(c))
    return ERRORS.missingParameter(`${where}body: currency parameters need a currency object`);
  if (c.code === undefined || c.amount_1000 === undefined)
    return ERRORS.missingParameter(
      `${where}body: currency needs fallback_value, code and amount_1000`,
    );
  if (typeof c.code !== "string" || !/^[A-Z]{3}$/.test(c.code))
    return ERRORS.invalidValue(`${where}body: currency.code must be an ISO 4217 code`);
  if (typeof c.amount_1000 !== "number" || !Number.isSafeInteger(c.amount_1000))
    return ERRORS.invalidValue(`${where}body: currency.amount_1000 must be an integer`);
  return null;
}

function checkBody(t: Obj | undefined, body: Obj | undefined, ctx: Context): MetaError | null {
  const { where } = ctx;
  const text = str(t?.text);
  const vars = variables(text);
  const given = params(body);
  if (given.length !== vars.length) {
    return ERRORS.paramCount(
      `${where}body: expected ${vars.length} parameter(s), received ${given.length}`,
    );
  }
  for (const p of given) {
    if (!isObj(p) || !["text", "currency", "date_time"].includes(str(p.type)))
      return ERRORS.paramFormat(
        `${where}body: parameters must be of type text, currency or date_time`,
      );
    const problem = textProblem(parameterValue(p), `${where}body`) ?? typedProblem(p, where);
    if (problem) return problem;
  }
  if (ctx.named) {
    const names = given.map((p) => (isObj(p) ? str(p.parameter_name) : ""));
    const missing = vars.filter((v) => !names.includes(v));
    if (missing.length > 0) {
      return ERRORS.paramCount(
        `${where}body: named parameter(s) ${missing.join(", ")} missing (each needs parameter_name)`,
      );
    }
  }
  const filled = fill(text, given, ctx.named);
  if (characters(filled) > LIMITS.body) {
    return ERRORS.tooLong(
      `${where}body: the filled body is ${characters(filled)} characters; the limit is ${LIMITS.body}`,
    );
  }
  return null;
}

/** The text with its variables replaced: `{{n}}` by the n-th parameter, `{{name}}` by the parameter of that name. */
function fill(text: string, given: unknown[], named: boolean): string {
  const objs = given.filter(isObj);
  return text.replace(VARIABLE, (_, name: string) => {
    const p = named ? objs.find((o) => str(o.parameter_name) === name) : objs[Number(name) - 1];
    return p ? parameterValue(p) : "";
  });
}

// ---- buttons ------------------------------------------------------------------------

/** The `sub_type` a message uses for each kind of template button (OTP buttons take a url one). */
const SUB_TYPES: Record<string, string> = {
  URL: "url",
  OTP: "url",
  QUICK_REPLY: "quick_reply",
  COPY_CODE: "copy_code",
  FLOW: "flow",
  PHONE_NUMBER: "voice_call",
  // Meta's examples write CATALOG's in capitals, mpm's in lower case: compared case-blind.
  CATALOG: "catalog",
  MPM: "mpm",
  SPM: "spm",
};

/** Buttons that cannot be sent without a value. */
function needsParameter(b: Obj): boolean {
  const type = str(b.type).toUpperCase();
  return (
    (type === "URL" && variables(str(b.url)).length > 0) ||
    type === "COPY_CODE" ||
    type === "OTP" ||
    type === "MPM"
  );
}

function checkButtons(tButtons: Obj[], buttons: Obj[], ctx: Context): MetaError | null {
  const { where } = ctx;
  const seen = new Set<number>();
  for (const b of buttons) {
    // `index` is the zero-based position among the template's buttons, sent as "0" or 0.
    const index = typeof b.index === "string" && b.index.trim() !== "" ? Number(b.index) : b.index;
    const tb = typeof index === "number" && Number.isInteger(index) ? tButtons[index] : undefined;
    if (typeof index !== "number" || !tb) {
      return ERRORS.paramCount(
        `${where}button index ${JSON.stringify(b.index ?? null)}: the template has ${tButtons.length} button(s)`,
      );
    }
    if (seen.has(index)) return ERRORS.paramCount(`${where}button ${index}: given more than once`);
    seen.add(index);
    const type = str(tb.type).toUpperCase();
    const expected = SUB_TYPES[type] ?? type.toLowerCase();
    if (lower(b.sub_type) !== expected) {
      return ERRORS.paramFormat(
        `${where}button ${index}: sub_type '${str(b.sub_type)}' does not match the template's ${type} button`,
      );
    }
    const problem = checkButton(type, tb, params(b), `${where}button ${index}`);
    if (problem) return problem;
  }
  for (const [index, tb] of tButtons.entries()) {
    if (needsParameter(tb) && !seen.has(index)) {
      return ERRORS.paramCount(
        `${where}button ${index}: the template's ${str(tb.type)} button needs a parameter`,
      );
    }
  }
  return null;
}

function checkButton(type: string, tb: Obj, given: unknown[], where: string): MetaError | null {
  const p = given[0];
  switch (type) {
    case "URL":
    case "OTP": {
      const expected = type === "OTP" ? 1 : variables(str(tb.url)).length;
      if (given.length !== expected)
        return ERRORS.paramCount(
          `${where}: expected ${expected} parameter(s), received ${given.length}`,
        );
      if (expected === 0) return null;
      if (!isObj(p) || p.type !== "text")
        return ERRORS.paramFormat(`${where}: expected a text parameter`);
      if (str(p.text).trim() === "")
        return ERRORS.missingParameter(`${where}: the URL suffix cannot be empty`);
      return null;
    }
    case "COPY_CODE": {
      if (given.length !== 1)
        return ERRORS.paramCount(
          `${where}: expected 1 coupon_code parameter, received ${given.length}`,
        );
      if (!isObj(p) || p.type !== "coupon_code")
        return ERRORS.paramFormat(`${where}: expected a coupon_code parameter`);
      const code = str(p.coupon_code);
      if (code.trim() === "")
        return ERRORS.missingParameter(`${where}: coupon_code cannot be empty`);
      if (characters(code) > LIMITS.couponCode)
        return ERRORS.invalidValue(`${where}: coupon_code is over ${LIMITS.couponCode} characters`);
      return null;
    }
    case "QUICK_REPLY":
    case "FLOW": {
      // Optional: a payload for a quick reply, a flow token and data for a flow.
      const kind = type === "FLOW" ? "action" : "payload";
      if (given.length > 1)
        return ERRORS.paramCount(
          `${where}: expected at most 1 ${kind} parameter, received ${given.length}`,
        );
      if (given.length === 1 && (!isObj(p) || p.type !== kind))
        return ERRORS.paramFormat(`${where}: expected a ${kind} parameter`);
      // A flow's action: a token string and an object of data, each optional (REFERENCE.md).
      // Unconfirmed which code Meta answers a malformed one with: 132012, as for other kinds.
      if (given.length === 1 && kind === "action" && isObj(p)) {
        const a = p.action;
        if (
          !isObj(a) ||
          (a.flow_token !== undefined && typeof a.flow_token !== "string") ||
          (a.flow_action_data !== undefined && !isObj(a.flow_action_data))
        )
          return ERRORS.paramFormat(
            `${where}: action needs a string flow_token and an object flow_action_data`,
          );
      }
      // Unconfirmed that Meta refuses an empty payload; the sandbox does, so that one is never sent unset.
      if (given.length === 1 && kind === "payload" && isObj(p) && str(p.payload).trim() === "")
        return ERRORS.missingParameter(`${where}: payload cannot be empty`);
      return null;
    }
    case "CATALOG":
      return catalogProblem(given, where);
    case "MPM":
      return multiProductProblem(given, where);
    default:
      return given.length > 0
        ? ERRORS.paramCount(`${where}: a ${type} button takes no parameters`)
        : null;
  }
}

/**
 * P1: a catalog button takes at most one `action` parameter, whose
 * `thumbnail_product_retailer_id` is optional (Meta uses the catalog's first
 * item) but not empty. Codes unconfirmed: those of the other parameters.
 */
function catalogProblem(given: unknown[], where: string): MetaError | null {
  if (given.length > 1)
    return ERRORS.paramCount(
      `${where}: expected at most 1 action parameter, received ${given.length}`,
    );
  const [p] = given;
  if (given.length === 0) return null;
  if (!isObj(p) || p.type !== "action" || !isObj(p.action))
    return ERRORS.paramFormat(`${where}: expected an action parameter`);
  const thumbnail = p.action.thumbnail_product_retailer_id;
  if (thumbnail !== undefined && !nonEmpty(thumbnail))
    return ERRORS.missingParameter(`${where}: thumbnail_product_retailer_id cannot be empty`);
  return null;
}

/**
 * P2: a multi-product button takes one `action` with a
 * `thumbnail_product_retailer_id` and `sections` of `{title, product_items:
 * [{product_retailer_id}]}`: 1–10 sections, a title of 1–24 characters, at
 * least one item in each, at most 30 in all. Codes unconfirmed: 131008 for a
 * missing value, 131009 for one over a limit, as for other parameters.
 */
function multiProductProblem(given: unknown[], where: string): MetaError | null {
  if (given.length !== 1)
    return ERRORS.paramCount(`${where}: expected 1 action parameter, received ${given.length}`);
  const [p] = given;
  if (!isObj(p) || p.type !== "action" || !isObj(p.action))
    return ERRORS.paramFormat(`${where}: expected an action parameter`);
  const { thumbnail_product_retailer_id: thumbnail, sections } = p.action;
  if (!nonEmpty(thumbnail))
    return ERRORS.missingParameter(`${where}: thumbnail_product_retailer_id is required`);
  if (!Array.isArray(sections) || sections.length === 0)
    return ERRORS.missingParameter(`${where}: sections are required`);
  if (sections.length > LIMITS.mpmSections)
    return ERRORS.invalidValue(`${where}: at most ${LIMITS.mpmSections} sections`);
  let products = 0;
  for (const [i, section] of sections.entries()) {
    const at = `${where}: sections[${i}]`;
    if (!isObj(section) || !nonEmpty(section.title))
      return ERRORS.missingParameter(`${at}.title is required`);
    if (characters(str(section.title)) > LIMITS.mpmSectionTitle)
      return ERRORS.invalidValue(`${at}.title is over ${LIMITS.mpmSectionTitle} characters`);
    const items = section.product_items;
    if (!Array.isArray(items) || items.length === 0)
      return ERRORS.missingParameter(`${at}.product_items are required`);
    if (!items.every((item) => isObj(item) && nonEmpty(item.product_retailer_id)))
      return ERRORS.missingParameter(`${at}: each product item needs a product_retailer_id`);
    products += items.length;
  }
  if (products > LIMITS.mpmProducts)
    return ERRORS.invalidValue(
      `${where}: ${products} products; at most ${LIMITS.mpmProducts} across the sections`,
    );
  return null;
}

// ---- carousel -----------------------------------------------------------------------

function checkCarousel(
  t: Obj | undefined,
  carousel: Obj | undefined,
  named: boolean,
): MetaError | null {
  if (!t) {
    return carousel
      ? ERRORS.paramFormat("carousel: the template is not a carousel template")
      : null;
  }
  const tCards = list(t.cards).filter(isObj);
  const cards = list(carousel?.cards);
  // Meta answers a wrong card count with this (misleading) format error, not 132000.
  if (cards.length !== tCards.length) {
    return ERRORS.paramFormat(
      `carousel: the template has ${tCards.length} cards, received ${cards.length}`,
    );
  }
  const seen = new Set<number>();
  for (const card of cards) {
    if (!isObj(card)) return ERRORS.paramFormat("carousel: each card must be an object");
    const index = typeof card.card_index === "string" ? Number(card.card_index) : card.card_index;
    const tCard = typeof index === "number" && Number.isInteger(index) ? tCards[index] : undefined;
    if (typeof index !== "number" || !tCard || seen.has(index)) {
      return ERRORS.paramFormat(
        `carousel: card_index ${JSON.stringify(card.card_index ?? null)} is missing, repeated or out of range 0..${tCards.length - 1}`,
      );
    }
    seen.add(index);
    const ctx: Context = { where: `card ${index}: `, named, inCard: true };
    const parsed = messageSection(list(card.components), ctx);
    if (!parsed.ok) return parsed.error;
    const problem = checkSection(templateSection(list(tCard.components)), parsed.value, ctx);
    if (problem) return problem;
  }
  return null;
}
