/**
 * The one place that turns filled-in values into the Cloud API `components`
 * array of a template message. Both API surfaces resolve their values their
 * own way (by name per recipient, or by placeholders per contact) and then
 * come here, so what is sent, and what is refused, is the same for both.
 */
import {
  characterCount,
  isHttpUrl,
  isLocationValue,
  LIMITS,
  type LocationValue,
  textParameterProblem,
} from "./limits";
import {
  type CatalogAction,
  isProductValue,
  type MultiProductAction,
  type ProductValue,
  productProblems,
} from "./products";
import {
  type ButtonSubType,
  isMediaFormat,
  type ParameterFormat,
  requiredButtons,
  type TemplateBodyShape,
  type TemplateButtonShape,
  type TemplateHeaderShape,
  variableOccurrences,
  withoutVariables,
} from "./template";

// ---- Cloud API shapes ---------------------------------------------------------------

/** A media header as Meta takes it: a public link or an uploaded media id; a document's filename. */
export type CloudMedia = ({ link: string } | { id: string }) & { filename?: string };

export type CloudParameter =
  | { type: "text"; text: string; parameter_name?: string }
  | { type: "currency"; currency: CloudCurrency; parameter_name?: string }
  | { type: "date_time"; date_time: { fallback_value: string }; parameter_name?: string }
  | { type: "image"; image: CloudMedia }
  | { type: "video"; video: CloudMedia }
  | { type: "document"; document: CloudMedia }
  | { type: "location"; location: LocationValue }
  | { type: "coupon_code"; coupon_code: string }
  | { type: "payload"; payload: string }
  | { type: "limited_time_offer"; limited_time_offer: { expiration_time_ms: number } }
  | { type: "product"; product: ProductValue }
  | { type: "action"; action: FlowAction | CatalogAction | MultiProductAction };

/** A localized amount: `amount_1000` is the amount × 1000; the fallback is what the text shows. */
export interface CloudCurrency {
  fallback_value: string;
  code: string;
  amount_1000: number;
}

export interface FlowAction {
  flow_token?: string;
  flow_action_data?: Record<string, unknown>;
}

export interface CloudCard {
  card_index: number;
  components: CloudComponent[];
}

export type CloudComponent =
  | { type: "header"; parameters: CloudParameter[] }
  | { type: "body"; parameters: CloudParameter[] }
  | { type: "limited_time_offer"; parameters: CloudParameter[] }
  | { type: "button"; sub_type: ButtonSubType; index: string; parameters: CloudParameter[] }
  | { type: "carousel"; cards: CloudCard[] };

// ---- what a template section takes --------------------------------------------------

export type HeaderType = "image" | "video" | "document" | "text" | "location" | "product";

/** A text with variables (body, or header text), prepared so that its filled length costs no string work. */
export interface TextSlot {
  /** For NAMED templates, each position's variable name (sent as `parameter_name`). */
  parameterNames: (string | undefined)[];
  /** How often each position's variable appears in the text. */
  occurrences: number[];
  fixedLength: number;
  fixedCharacters: number;
}

export interface HeaderSlot {
  type: HeaderType;
  /** TEXT headers with a variable. */
  text: TextSlot | null;
}

export interface ButtonSlot {
  index: number;
  subType: ButtonSubType;
  /** The template's URL, for URL buttons: the suffix replaces its variable. */
  url: string | null;
}

/** The values one section (the message, or one carousel card) can take, in send order. */
export interface SectionSlots {
  /** Null when the header takes no value (no header, or fixed text). */
  header: HeaderSlot | null;
  /** Null when the body has no variables. */
  body: TextSlot | null;
  /** Buttons that must be given a value (dynamic URL, copy code, OTP), in template order. */
  buttons: ButtonSlot[];
  /** The first FLOW button, which may carry a flow token and data. */
  flow: ButtonSlot | null;
  /**
   * The quick-reply buttons' indexes: each is sent with a payload naming the
   * broadcast and recipient (withQuickReplyPayloads). Absent in v1 plans kept
   * before them.
   */
  quickReplies?: number[];
  /** The template's limited-time offer has an expiration, which each message gives. */
  offerExpires?: boolean;
  /** The CATALOG button, which may carry a thumbnail (absent: none, or a plan kept before them). */
  catalog?: ButtonSlot | null;
  /** The multi-product (MPM) button, which every message must give its sections. */
  multiProduct?: ButtonSlot | null;
}

function textSlot(text: string, variables: string[], format: ParameterFormat): TextSlot {
  const counts = variableOccurrences(text);
  const fixed = withoutVariables(text);
  return {
    parameterNames: variables.map((name) => (format === "NAMED" ? name : undefined)),
    occurrences: variables.map((name) => counts.get(name) ?? 1),
    fixedLength: fixed.length,
    fixedCharacters: characterCount(fixed),
  };
}

function headerSlot(
  header: TemplateHeaderShape | null,
  format: ParameterFormat,
): HeaderSlot | null {
  if (!header?.format) return null;
  if (header.format === "TEXT") {
    if (header.variables.length === 0) return null;
    return { type: "text", text: textSlot(header.text ?? "", header.variables, format) };
  }
  return { type: header.format.toLowerCase() as HeaderType, text: null };
}

function buttonSlot(b: TemplateButtonShape): ButtonSlot {
  return { index: b.index, subType: b.parameter?.subType ?? "url", url: b.url };
}

export function sectionSlots(
  part: {
    header: TemplateHeaderShape | null;
    body: TemplateBodyShape | null;
    buttons: TemplateButtonShape[];
    limitedTimeOffer?: { hasExpiration: boolean } | null;
  },
  format: ParameterFormat,
): SectionSlots {
  const flow = part.buttons.find((b) => b.parameter?.subType === "flow");
  const catalog = part.buttons.find((b) => b.parameter?.subType === "CATALOG");
  const multiProduct = part.buttons.find((b) => b.parameter?.subType === "mpm");
  return {
    header: headerSlot(part.header, format),
    body:
      part.body && part.body.variables.length > 0
        ? textSlot(part.body.text, part.body.variables, format)
        : null,
    buttons: requiredButtons(part.buttons).map(buttonSlot),
    flow: flow ? buttonSlot(flow) : null,
    offerExpires: part.limitedTimeOffer?.hasExpiration === true,
    catalog: catalog ? buttonSlot(catalog) : null,
    multiProduct: multiProduct ? buttonSlot(multiProduct) : null,
    quickReplies: part.buttons
      .filter((b) => b.parameter?.subType === "quick_reply")
      .map((b) => b.index),
  };
}

export function headerTypeOf(header: TemplateHeaderShape | null): HeaderType | null {
  if (!header?.format) return null;
  if (isMediaFormat(header.format) || header.format === "LOCATION" || header.format === "PRODUCT") {
    return header.format.toLowerCase() as HeaderType;
  }
  return header.variables.length > 0 ? "text" : null;
}

// ---- filled values ------------------------------------------------------------------

/**
 * A value for one slot. `value` is undefined when the resolver has already
 * reported it missing or empty: the other values are still checked, so that a
 * recipient hears about every problem at once.
 */
export interface FilledValue<T = string> {
  /** Names the value in error messages, e.g. "Body parameter 'Name'" or "bodyTextParameters[0]". */
  label: string;
  value: T | undefined;
}

/** A header parameter built once for the whole broadcast (its value was checked when planning). */
export interface PrebuiltHeader {
  parameter: CloudParameter;
}

/**
 * A media header given as an object: `{link}` or `{id}` (an uploaded media
 * id), and a document's `filename`. A plain string is a link.
 */
export interface MediaValue {
  link?: string;
  id?: string;
  filename?: string;
}

/** What a header slot takes: text or a link, a location, a media object, or a catalog product. */
export type HeaderValue = string | LocationValue | MediaValue | ProductValue;

const isMediaValue = (v: unknown): v is MediaValue =>
  typeof v === "object" &&
  v !== null &&
  !Array.isArray(v) &&
  Object.keys(v).every((k) => k === "link" || k === "id" || k === "filename") &&
  Object.values(v).every((x) => typeof x === "string");

/**
 * What a body variable takes: text, or Meta's `currency` (`fallback_value`,
 * `code`, `amount_1000`) or `date_time` (`fallback_value`) object, whose
 * fallback is the text the message shows.
 */
export type BodyValue =
  | string
  | { currency: { fallback_value: string; code: string; amount_1000: number } }
  | { date_time: { fallback_value: string } };

/** The text a body value puts in the message: itself, or a currency's or date's fallback. */
export function bodyText(value: BodyValue): string {
  if (typeof value === "string") return value;
  if ("currency" in value) return value.currency.fallback_value;
  return value.date_time.fallback_value;
}

export interface FilledSection {
  header: FilledValue<HeaderValue> | PrebuiltHeader | null;
  body: FilledValue<BodyValue>[];
  buttons: FilledValue[];
  flow: FlowAction | null;
  /** When the limited-time offer expires (Unix milliseconds), where the template has one. */
  offer?: FilledValue<number>;
  /** The catalog button's action (its thumbnail), when one was given. */
  catalog?: CatalogAction | null;
  /** The multi-product button's action; its shape was checked when planning (products.ts). */
  multiProduct?: FilledValue<MultiProductAction>;
}

function filledLength(
  slot: TextSlot,
  values: FilledValue[],
  limit: number,
): { length: number; characters: number } | null {
  let length = slot.fixedLength;
  for (let i = 0; i < values.length; i++) {
    const value = values[i]?.value;
    if (value === undefined) return null;
    length += value.length * (slot.occurrences[i] ?? 1);
  }
  if (length <= limit) return { length, characters: length };
  // Only long texts pay for counting characters rather than UTF-16 units.
  let characters = slot.fixedCharacters;
  for (let i = 0; i < values.length; i++) {
    characters += characterCount(values[i]?.value ?? "") * (slot.occurrences[i] ?? 1);
  }
  return { length, characters };
}

function checkText(
  slot: TextSlot,
  values: FilledValue[],
  what: string,
  limit: number,
  errors: string[],
  at: string,
) {
  for (const v of values) {
    if (v.value === undefined) continue;
    const problem = textParameterProblem(v.label, v.value);
    if (problem) errors.push(at + problem);
  }
  const filled = filledLength(slot, values, limit);
  if (filled && filled.characters > limit) {
    errors.push(
      `${at}${what} is ${filled.characters} characters once filled; WhatsApp allows at most ${limit}`,
    );
  }
}

function headerParameter(
  slot: HeaderSlot,
  filled: FilledValue<HeaderValue>,
  errors: string[],
  at: string,
): CloudParameter | null {
  const { label, value } = filled;
  if (value === undefined) return null;
  if (slot.type === "product") {
    if (!isProductValue(value)) {
      errors.push(`${at}${label} must be a product: {product_retailer_id, catalog_id}`);
      return null;
    }
    const problems = productProblems(value, {
      retailerId: `${at}${label}.product_retailer_id`,
      catalogId: `${at}${label}.catalog_id`,
    });
    if (problems.length > 0) {
      errors.push(...problems);
      return null;
    }
    const { product_retailer_id, catalog_id } = value;
    return { type: "product", product: { product_retailer_id, catalog_id } };
  }
  if (slot.type === "location") {
    if (!isLocationValue(value)) {
      errors.push(
        `${at}${label} must be a location with a latitude (-90..90) and a longitude (-180..180)`,
      );
      return null;
    }
    const location: LocationValue = { latitude: value.latitude, longitude: value.longitude };
    if (typeof value.name === "string") location.name = value.name;
    if (typeof value.address === "string") location.address = value.address;
    return { type: "location", location };
  }
  if (typeof value !== "string") {
    if (slot.type !== "text" && isMediaValue(value))
      return mediaParameter(slot.type, value, label, errors, at);
    const what = slot.type === "text" ? "text" : "a URL";
    errors.push(
      isLocationValue(value)
        ? `${at}${label} must be ${what}, not a location`
        : `${at}${label} must be ${slot.type === "text" ? "text" : "a URL, or {link} or {id} with a document's filename"}`,
    );
    return null;
  }
  switch (slot.type) {
    case "text": {
      const text = slot.text;
      if (text) checkText(text, [{ label, value }], "Header text", LIMITS.headerText, errors, at);
      const name = text?.parameterNames[0];
      return name
        ? { type: "text", parameter_name: name, text: value }
        : { type: "text", text: value };
    }
    case "image":
    case "video":
    case "document":
      if (!isHttpUrl(value)) {
        errors.push(`${at}${label} must be an http(s) URL`);
        return null;
      }
      if (slot.type === "image") return { type: "image", image: { link: value } };
      if (slot.type === "video") return { type: "video", video: { link: value } };
      return { type: "document", document: { link: value } };
  }
}

/** `{link}` or `{id}` (exactly one), and a filename only for a document, as Meta takes them. */
function mediaParameter(
  type: "image" | "video" | "document",
  value: MediaValue,
  label: string,
  errors: string[],
  at: string,
): CloudParameter | null {
  const before = errors.length;
  const link = value.link?.trim() ?? "";
  const id = value.id?.trim() ?? "";
  if (link && id) errors.push(`${at}${label}: give a link or an id, not both`);
  else if (!link && !id) errors.push(`${at}${label}: a link or an id is required`);
  if (link && !isHttpUrl(link)) errors.push(`${at}${label}.link must be an http(s) URL`);
  // Unconfirmed what Meta does with a filename on an image or a video: Chorus refuses it.
  if (value.filename !== undefined && type !== "document")
    errors.push(`${at}${label}.filename: only a document header has a filename`);
  if (value.filename !== undefined && value.filename.trim() === "")
    errors.push(`${at}${label}.filename must not be empty`);
  if (errors.length > before) return null;
  const media: CloudMedia = {
    ...(link ? { link } : { id }),
    ...(value.filename !== undefined ? { filename: value.filename } : {}),
  };
  if (type === "image") return { type: "image", image: media };
  if (type === "video") return { type: "video", video: media };
  return { type: "document", document: media };
}

function buttonParameter(
  slot: ButtonSlot,
  filled: FilledValue,
  errors: string[],
  at: string,
): CloudParameter | null {
  const { label, value } = filled;
  if (value === undefined) return null;
  const problem = textParameterProblem(label, value);
  if (problem) errors.push(at + problem);
  if (slot.subType === "copy_code") {
    const n = characterCount(value);
    if (n > LIMITS.couponCode) {
      errors.push(
        `${at}${label} is ${n} characters; WhatsApp allows at most ${LIMITS.couponCode} in a coupon code`,
      );
    }
    return { type: "coupon_code", coupon_code: value };
  }
  const urlLength = (slot.url ? withoutVariables(slot.url).length : 0) + value.length;
  if (urlLength > LIMITS.buttonUrl) {
    errors.push(
      `${at}${label} makes the button URL ${urlLength} characters long (the limit is ${LIMITS.buttonUrl})`,
    );
  }
  return { type: "text", text: value };
}

const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Before this, a time in milliseconds is in 2001: such a value is seconds given by mistake. */
const EARLIEST_MS = 1_000_000_000_000;

/**
 * `expiration_time_ms`: Unix milliseconds, as Meta's reference page says (its
 * own example and pywa differ; REFERENCE.md). A value in seconds is refused
 * rather than sent as a date in 1970.
 */
function offerParameter(
  filled: FilledValue<number> | undefined,
  errors: string[],
  at: string,
): CloudParameter | null {
  if (!filled || filled.value === undefined) {
    errors.push(
      `${at}${filled?.label ?? "expiration_time_ms"}: the template's limited-time offer expires; give when (Unix milliseconds)`,
    );
    return null;
  }
  const { label, value } = filled;
  if (!Number.isSafeInteger(value) || value < EARLIEST_MS) {
    errors.push(
      `${at}${label} must be Unix milliseconds (an integer from ${EARLIEST_MS}), got ${value}`,
    );
    return null;
  }
  return { type: "limited_time_offer", limited_time_offer: { expiration_time_ms: value } };
}

/** A body value as Meta takes it; a currency's code and amount checked as Meta checks them. */
function bodyParameter(
  filled: FilledValue<BodyValue>,
  errors: string[],
  at: string,
): CloudParameter {
  const { label, value } = filled;
  if (value === undefined || typeof value === "string") return { type: "text", text: value ?? "" };
  if ("date_time" in value)
    return { type: "date_time", date_time: { fallback_value: value.date_time.fallback_value } };
  const { fallback_value, code, amount_1000 } = value.currency;
  if (!CURRENCY_CODE.test(code))
    errors.push(
      `${at}${label}.currency.code must be an ISO 4217 code (3 capital letters), got '${code}'`,
    );
  if (!Number.isSafeInteger(amount_1000))
    errors.push(`${at}${label}.currency.amount_1000 must be an integer (the amount × 1000)`);
  return { type: "currency", currency: { fallback_value, code, amount_1000 } };
}

/**
 * Checks the filled values of one section and builds its components: header,
 * body, then one component per button that carries a value. Problems go to
 * `errors`, each prefixed with `at` (e.g. "cards[1]: "); the components are
 * only meaningful when no error was added.
 */
export function renderSection(
  slots: SectionSlots,
  filled: FilledSection,
  errors: string[],
  at = "",
): CloudComponent[] {
  const components: CloudComponent[] = [];
  if (slots.header && filled.header) {
    const parameter =
      "parameter" in filled.header
        ? filled.header.parameter
        : headerParameter(slots.header, filled.header, errors, at);
    if (parameter) components.push({ type: "header", parameters: [parameter] });
  }
  if (slots.body) {
    const texts = filled.body.map((v) => ({
      label: v.label,
      value: v.value === undefined ? undefined : bodyText(v.value),
    }));
    checkText(slots.body, texts, "Body text", LIMITS.bodyText, errors, at);
    const names = slots.body.parameterNames;
    const parameters: CloudParameter[] = filled.body.map((v, i) => {
      const name = names[i];
      const parameter = bodyParameter(v, errors, at);
      return name ? { ...parameter, parameter_name: name } : parameter;
    });
    components.push({ type: "body", parameters });
  }
  if (slots.offerExpires) {
    const parameter = offerParameter(filled.offer, errors, at);
    if (parameter) components.push({ type: "limited_time_offer", parameters: [parameter] });
  }
  const buttons: { index: number; component: CloudComponent }[] = [];
  slots.buttons.forEach((slot, i) => {
    const value = filled.buttons[i];
    const parameter = value ? buttonParameter(slot, value, errors, at) : null;
    if (!parameter) return;
    buttons.push({
      index: slot.index,
      component: {
        type: "button",
        sub_type: slot.subType,
        index: String(slot.index),
        parameters: [parameter],
      },
    });
  });
  if (slots.flow && filled.flow) {
    buttons.push({
      index: slots.flow.index,
      component: {
        type: "button",
        sub_type: "flow",
        index: String(slots.flow.index),
        parameters: [{ type: "action", action: filled.flow }],
      },
    });
  }
  if (slots.catalog && filled.catalog?.thumbnail_product_retailer_id !== undefined) {
    // Without a thumbnail the button is left out (Meta shows the catalog's first item); that
    // Meta accepts a CATALOG template without its button component is unconfirmed.
    buttons.push({
      index: slots.catalog.index,
      component: {
        type: "button",
        sub_type: "CATALOG",
        index: String(slots.catalog.index),
        parameters: [{ type: "action", action: filled.catalog }],
      },
    });
  }
  if (slots.multiProduct) {
    const action = filled.multiProduct?.value;
    if (action === undefined) {
      errors.push(
        `${at}${filled.multiProduct?.label ?? "multi_product"}: the template's multi-product button needs a thumbnail_product_retailer_id and sections of products`,
      );
    } else {
      buttons.push({
        index: slots.multiProduct.index,
        component: {
          type: "button",
          sub_type: "mpm",
          index: String(slots.multiProduct.index),
          parameters: [{ type: "action", action }],
        },
      });
    }
  }
  for (const index of slots.quickReplies ?? []) {
    buttons.push({
      index,
      component: {
        type: "button",
        sub_type: "quick_reply",
        index: String(index),
        // Set per message when it is sent (withQuickReplyPayloads): the recipient is known then.
        parameters: [{ type: "payload", payload: "" }],
      },
    });
  }
  // Meta reads buttons by `index`; listing them in template order keeps payloads easy to read.
  buttons.sort((a, b) => a.index - b.index);
  for (const b of buttons) components.push(b.component);
  return components;
}

/** A carousel message: the top-level body (when it has variables), then the cards. */
export function carouselComponents(
  body: CloudComponent[],
  cards: CloudComponent[][],
): CloudComponent[] {
  return [
    ...body,
    {
      type: "carousel",
      cards: cards.map((components, card_index) => ({ card_index, components })),
    },
  ];
}

/**
 * The components with every quick-reply button's payload set to `payload`
 * (the broadcast and recipient, see whatsapp/messages.ts): Meta echoes it as
 * the tap's `button.payload`, so a tap is placed even without `context`.
 */
export function withQuickReplyPayloads(components: unknown[], payload: string): unknown[] {
  return components.map((c) => {
    if (typeof c !== "object" || c === null) return c;
    const component = c as CloudComponent;
    if (component.type === "carousel") {
      return {
        ...component,
        cards: component.cards.map((card) => ({
          ...card,
          components: withQuickReplyPayloads(card.components, payload),
        })),
      };
    }
    if (component.type !== "button" || component.sub_type !== "quick_reply") return c;
    return { ...component, parameters: [{ type: "payload", payload }] };
  });
}
