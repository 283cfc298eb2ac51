/**
 * The Broadcasts API's `parameters`: checked once against the template
 * (`planParameters`, a 400 for the whole broadcast when they do not fit), then
 * applied to each recipient's own values (`renderRecipient`, which rejects just
 * that recipient, with every reason at once).
 *
 * Names in `body_order` map to the template's body variables by position:
 * `body_order[0]` fills `{{1}}`. For a NAMED template whose variable names are
 * exactly the names in `body_order`, they map by name instead, in any order.
 */
import {
  type BodyValue,
  bodyText,
  type CloudComponent,
  carouselComponents,
  type FilledSection,
  type FilledValue,
  type FlowAction,
  type HeaderType,
  type HeaderValue,
  headerTypeOf,
  type PrebuiltHeader,
  renderSection,
  type SectionSlots,
  sectionSlots,
} from "./components";
import {
  type CatalogAction,
  catalogProblems,
  type MultiProductAction,
  multiProductProblems,
} from "./products";
import {
  aHeader,
  type ParameterFormat,
  requiredButtons,
  type TemplateBodyShape,
  type TemplateButtonShape,
  type TemplateHeaderShape,
  type TemplateShape,
} from "./template";

export type { BodyValue, CloudComponent, HeaderType, HeaderValue, MediaValue } from "./components";
export type { LocationValue } from "./limits";

export interface HeaderParameter {
  type: HeaderType;
  value: HeaderValue;
}

export interface CardParameters {
  header?: HeaderParameter;
  body_order?: string[];
  button_order?: string[];
}

export interface BroadcastParameters {
  header?: HeaderParameter;
  /** When the template's limited-time offer expires, Unix milliseconds. */
  limited_time_offer?: { expiration_time_ms: number };
  /** The flow button's action: a flow token and the first screen's data, the same for every recipient. */
  flow?: FlowAction;
  /** The catalog button's thumbnail, the same for every recipient. */
  catalog?: CatalogAction;
  /** The multi-product button's sections of products, the same for every recipient. */
  multi_product?: MultiProductAction;
  body_order?: string[];
  button_order?: string[];
  cards?: CardParameters[];
}

export interface RecipientCardParameters {
  header?: { value: HeaderValue };
  body?: Record<string, BodyValue>;
  button?: Record<string, string>;
}

export interface RecipientParameters {
  header?: { value: HeaderValue };
  body?: Record<string, BodyValue>;
  button?: Record<string, string>;
  cards?: RecipientCardParameters[];
}

/** One section (the message, or one carousel card) with the broadcast's names and defaults applied. */
export interface SectionPlan {
  slots: SectionSlots;
  /** Prefix of this section's recipient errors: "" or "cards[1]: ". */
  at: string;
  /** The broadcast-wide header, built once; null when each recipient must give one. */
  header: PrebuiltHeader | null;
  /** What the header is, for messages ("an IMAGE header"). */
  headerFormat: string | null;
  bodyNames: string[];
  buttonNames: string[];
  bodyLabels: string[];
  buttonLabels: string[];
  /**
   * Buttons that need a value when `button_order` was left out, described
   * ("url button at index 0"). Each recipient is then rejected for them, with
   * the fix in the message, rather than the whole broadcast: the contract makes
   * only a `body_order` mismatch a 400, and the seed's validate example omits
   * `button_order`. A `button_order` of the wrong length is still a 400.
   */
  unnamedButtons: string[];
  /** Where the names belong, for those messages: "parameters.button_order". */
  buttonOrderField: string;
  /** The limited-time offer's expiration, the same for every recipient. */
  offer?: FilledValue<number>;
  /** The flow button's action, the same for every recipient. */
  flow?: FlowAction;
  /** The catalog button's action, the same for every recipient. */
  catalog?: CatalogAction;
  /** The multi-product button's action, the same for every recipient. */
  multiProduct?: FilledValue<MultiProductAction>;
}

export interface ParameterPlan {
  parameterFormat: ParameterFormat;
  main: SectionPlan;
  /** One per template card for a carousel, else null. */
  cards: SectionPlan[] | null;
}

export type PlanResult = { ok: true; plan: ParameterPlan } | { ok: false; errors: string[] };
export type RenderResult =
  | { ok: true; components: CloudComponent[] }
  | { ok: false; errors: string[] };

// ---- planning -----------------------------------------------------------------------

interface TemplatePart {
  header: TemplateHeaderShape | null;
  body: TemplateBodyShape | null;
  buttons: TemplateButtonShape[];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Checks a list of names: none empty, none repeated. */
function checkNames(names: readonly unknown[], field: string, errors: string[]): string[] {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (typeof name !== "string" || name.trim() === "") {
      errors.push(`${field}[${i}]: a name must not be empty`);
      return;
    }
    if (seen.has(name)) errors.push(`${field}: '${name}' is listed more than once`);
    seen.add(name);
  });
  return names.map((name) => (typeof name === "string" ? name : ""));
}

function bodyNamesFor(order: string[], variables: string[], format: ParameterFormat): string[] {
  if (format !== "NAMED") return order;
  const byName = new Set(order);
  // Same names as the template's variables: map by name, whatever the order.
  return variables.every((v) => byName.has(v)) ? variables : order;
}

function describeButton(b: TemplateButtonShape): string {
  return `${b.parameter?.subType ?? b.type.toLowerCase()} button at index ${b.index}`;
}

function describeButtons(buttons: TemplateButtonShape[]): string {
  return buttons.map(describeButton).join(", ");
}

function planSection(
  part: TemplatePart,
  given: CardParameters,
  format: ParameterFormat,
  where: { field: string; at: string; card: boolean },
  errors: string[],
): SectionPlan {
  const { field, at, card } = where;
  const slots = sectionSlots(part, format);
  const whose = card ? "the template's cards have" : "the template has";

  // Body: one name per variable.
  const variables = part.body?.variables ?? [];
  const bodyOrder = checkNames(given.body_order ?? [], `${field}.body_order`, errors);
  if (bodyOrder.length !== variables.length) {
    errors.push(
      `${field}.body_order: ${whose} ${plural(variables.length, "body variable", "body variables")}, got ${bodyOrder.length}`,
    );
  }
  const bodyNames = bodyNamesFor(bodyOrder, variables, format);

  // Buttons: one name per button that needs a value.
  const needed = requiredButtons(part.buttons);
  const buttonNames = checkNames(given.button_order ?? [], `${field}.button_order`, errors);
  const unnamedButtons = given.button_order === undefined ? needed.map(describeButton) : [];
  if (given.button_order !== undefined && buttonNames.length !== needed.length) {
    const which = needed.length > 0 ? ` (${describeButtons(needed)})` : "";
    errors.push(
      `${field}.button_order: ${whose} ${plural(needed.length, "button that takes a value", "buttons that take a value")}${which}, got ${buttonNames.length}`,
    );
  }

  // Header: a broadcast-wide value is optional, but must fit the template's header.
  const headerType = headerTypeOf(part.header);
  const headerFormat = part.header?.format ?? null;
  let header: PrebuiltHeader | null = null;
  if (given.header !== undefined) {
    if (!headerType || !slots.header) {
      errors.push(
        headerFormat === "TEXT"
          ? `${field}.header: the template's header is fixed text and takes no value`
          : headerFormat
            ? `${field}.header: the template's ${headerFormat} header takes no value`
            : `${field}.header: the template has no header`,
      );
    } else if (given.header.type !== headerType) {
      errors.push(
        card
          ? `${field}.header.type: the template's cards have ${headerFormat} headers, got ${given.header.type}`
          : `${field}.header.type: the template has ${aHeader(headerFormat)}, got ${given.header.type}`,
      );
    } else {
      header = prebuildHeader(slots, given.header.value, `${field}.header.value`, errors);
    }
  }

  return {
    slots,
    at,
    header,
    headerFormat,
    bodyNames,
    buttonNames,
    bodyLabels: bodyNames.map((name) => `Body parameter '${name}'`),
    buttonLabels: buttonNames.map((name) => `Button parameter '${name}'`),
    unnamedButtons,
    buttonOrderField: `${field}.button_order`,
  };
}

/** Checks the broadcast's header value with the same rules as a recipient's, and builds it once. */
function prebuildHeader(
  slots: SectionSlots,
  value: HeaderValue,
  label: string,
  errors: string[],
): PrebuiltHeader | null {
  if (typeof value === "string" && value.trim() === "") {
    errors.push(`${label}: must not be empty`);
    return null;
  }
  const before = errors.length;
  const headerOnly: SectionSlots = { header: slots.header, body: null, buttons: [], flow: null };
  const filled: FilledSection = { header: { label, value }, body: [], buttons: [], flow: null };
  const [component] = renderSection(headerOnly, filled, errors);
  if (errors.length > before || component?.type !== "header") return null;
  const [parameter] = component.parameters;
  return parameter ? { parameter } : null;
}

/** Only what Meta takes: `flow_token` (non-empty when given) and `flow_action_data` (an object). */
function flowAction(given: FlowAction, errors: string[]): FlowAction {
  const action: FlowAction = {};
  if (given.flow_token !== undefined) {
    if (given.flow_token.trim() === "")
      errors.push("parameters.flow.flow_token: must not be empty");
    action.flow_token = given.flow_token;
  }
  if (given.flow_action_data !== undefined) action.flow_action_data = given.flow_action_data;
  return action;
}

const OFFER_FIELD = "parameters.limited_time_offer.expiration_time_ms";

/** The limited-time offer's expiration: given exactly when the template's offer expires, checked once. */
function planOffer(
  main: SectionPlan,
  p: BroadcastParameters,
  errors: string[],
): FilledValue<number> | null {
  const given = p.limited_time_offer?.expiration_time_ms;
  if (!main.slots.offerExpires) {
    if (p.limited_time_offer !== undefined)
      errors.push(
        "parameters.limited_time_offer: the template has no limited-time offer with an expiration",
      );
    return null;
  }
  const offer: FilledValue<number> = { label: OFFER_FIELD, value: given };
  const slots: SectionSlots = {
    header: null,
    body: null,
    buttons: [],
    flow: null,
    offerExpires: true,
  };
  renderSection(slots, { header: null, body: [], buttons: [], flow: null, offer }, errors);
  return offer;
}

const MPM_FIELD = "parameters.multi_product";

/** The catalog and multi-product buttons' actions: given only where the template has the button. */
function planCommerce(main: SectionPlan, p: BroadcastParameters, errors: string[]) {
  if (p.catalog !== undefined) {
    if (!main.slots.catalog) errors.push("parameters.catalog: the template has no CATALOG button");
    else {
      errors.push(
        ...catalogProblems(p.catalog, "parameters.catalog.thumbnail_product_retailer_id"),
      );
      main.catalog = p.catalog;
    }
  }
  if (!main.slots.multiProduct) {
    if (p.multi_product !== undefined)
      errors.push(`${MPM_FIELD}: the template has no multi-product (MPM) button`);
    return;
  }
  if (p.multi_product === undefined) {
    errors.push(
      `${MPM_FIELD}: the template has a multi-product (MPM) button; give its thumbnail_product_retailer_id and sections`,
    );
    return;
  }
  const problems = multiProductProblems(p.multi_product, {
    thumbnail: `${MPM_FIELD}.thumbnail_product_retailer_id`,
    sections: `${MPM_FIELD}.sections`,
    title: (i) => `${MPM_FIELD}.sections[${i}].title`,
    items: (i) => `${MPM_FIELD}.sections[${i}].product_items`,
    item: (i, j) => `${MPM_FIELD}.sections[${i}].product_items[${j}].product_retailer_id`,
  });
  errors.push(...problems);
  main.multiProduct = { label: MPM_FIELD, value: p.multi_product };
}

/**
 * Checks the broadcast's `parameters` against the template. Every problem is
 * listed, each naming its field, e.g.
 * `parameters.body_order: the template has 3 body variables, got 2`.
 */
export function planParameters(
  template: TemplateShape,
  params: BroadcastParameters | undefined,
): PlanResult {
  const errors: string[] = [];
  const p = params ?? {};
  const format = template.parameterFormat;

  if (template.cards === null) {
    if (p.cards !== undefined) errors.push("parameters.cards: the template is not a carousel");
    const main = planSection(
      template,
      p,
      format,
      { field: "parameters", at: "", card: false },
      errors,
    );
    const offer = planOffer(main, p, errors);
    if (offer) main.offer = offer;
    planCommerce(main, p, errors);
    if (p.flow !== undefined) {
      if (!main.slots.flow) errors.push("parameters.flow: the template has no flow button");
      else main.flow = flowAction(p.flow, errors);
    }
    return errors.length > 0
      ? { ok: false, errors }
      : { ok: true, plan: { parameterFormat: format, main, cards: null } };
  }

  // Carousel: a top-level body, then everything else per card.
  if (p.header !== undefined) {
    errors.push(
      "parameters.header: not supported on carousel templates; give each card's header in parameters.cards[]",
    );
  }
  if (p.button_order !== undefined) {
    errors.push(
      "parameters.button_order: not supported on carousel templates; give each card's button_order in parameters.cards[]",
    );
  }
  for (const field of ["catalog", "multi_product"] as const) {
    if (p[field] !== undefined)
      errors.push(`parameters.${field}: the template is a carousel, which has no such button`);
  }
  const top: TemplatePart = { header: null, body: template.body, buttons: [] };
  const main = planSection(
    top,
    { body_order: p.body_order },
    format,
    { field: "parameters", at: "", card: false },
    errors,
  );

  const expected = template.cards.length;
  const given = p.cards ?? [];
  if (given.length !== expected) {
    errors.push(
      `parameters.cards: the template has ${plural(expected, "card", "cards")}, got ${given.length}`,
    );
  }
  const cards = template.cards.map((card, i) =>
    planSection(
      card,
      given[i] ?? {},
      format,
      { field: `parameters.cards[${i}]`, at: `cards[${i}]: `, card: true },
      i < given.length ? errors : [],
    ),
  );
  return errors.length > 0
    ? { ok: false, errors }
    : { ok: true, plan: { parameterFormat: format, main, cards } };
}

// ---- one recipient ------------------------------------------------------------------

interface SectionInput {
  header?: { value: HeaderValue };
  body?: Record<string, BodyValue>;
  button?: Record<string, string>;
}

const hasOwn = (o: object, key: string) => Object.hasOwn(o, key);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A currency or date_time object with the fields Meta needs (their values are checked when rendering). */
function isTypedBodyValue(v: unknown): v is Exclude<BodyValue, string> {
  if (!isObject(v) || Object.keys(v).length !== 1) return false;
  if (isObject(v.currency))
    return (
      typeof v.currency.fallback_value === "string" &&
      typeof v.currency.code === "string" &&
      typeof v.currency.amount_1000 === "number"
    );
  return isObject(v.date_time) && typeof v.date_time.fallback_value === "string";
}

function resolveValues<T extends BodyValue>(
  names: string[],
  labels: string[],
  given: Record<string, T> | undefined,
  what: "body" | "button",
  at: string,
  errors: string[],
): FilledValue<T>[] {
  const values: FilledValue<T>[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] ?? "";
    const label = labels[i] ?? name;
    const value = given && hasOwn(given, name) ? given[name] : undefined;
    if (value === undefined || value === null) {
      errors.push(`${at}Missing ${what} parameter '${name}'`);
      values[i] = { label, value: undefined };
    } else if (typeof value !== "string" && (what === "button" || !isTypedBodyValue(value))) {
      errors.push(
        what === "body"
          ? `${at}${label} must be a string, {currency: {fallback_value, code, amount_1000}} or {date_time: {fallback_value}}`
          : `${at}${label} must be a string`,
      );
      values[i] = { label, value: undefined };
    } else if (bodyText(value).trim() === "") {
      errors.push(`${at}Empty ${what} parameter '${name}'`);
      values[i] = { label, value: undefined };
    } else {
      values[i] = { label, value };
    }
  }
  if (given) {
    for (const key of Object.keys(given)) {
      if (!names.includes(key)) errors.push(`${at}Unknown ${what} parameter '${key}'`);
    }
  }
  return values;
}

function resolveHeader(
  section: SectionPlan,
  input: SectionInput,
  errors: string[],
): FilledSection["header"] {
  const { slots, at } = section;
  if (input.header !== undefined) {
    if (!slots.header) {
      errors.push(
        `${at}Header override not allowed: the template has no media, location or text-variable header`,
      );
      return null;
    }
    const value = input.header?.value;
    if (value === undefined || value === null) {
      errors.push(`${at}Missing header value`);
      return null;
    }
    if (typeof value === "string" && value.trim() === "") {
      errors.push(`${at}Empty header value`);
      return null;
    }
    return { label: "Header value", value };
  }
  if (!slots.header) return null;
  if (section.header) return section.header;
  errors.push(
    `${at}Missing header value: the template has ${aHeader(section.headerFormat)} and the broadcast gives none`,
  );
  return null;
}

function renderSectionFor(
  section: SectionPlan,
  input: SectionInput,
  errors: string[],
): CloudComponent[] {
  const { at } = section;
  for (const button of section.unnamedButtons) {
    errors.push(`${at}Missing value for the ${button}: name it in ${section.buttonOrderField}`);
  }
  const filled: FilledSection = {
    header: resolveHeader(section, input, errors),
    body: resolveValues(section.bodyNames, section.bodyLabels, input.body, "body", at, errors),
    buttons: resolveValues(
      section.buttonNames,
      section.buttonLabels,
      input.button,
      "button",
      at,
      errors,
    ),
    flow: section.flow ?? null,
    ...(section.offer ? { offer: section.offer } : {}),
    ...(section.catalog ? { catalog: section.catalog } : {}),
    ...(section.multiProduct ? { multiProduct: section.multiProduct } : {}),
  };
  return renderSection(section.slots, filled, errors, at);
}

/** Whether a card can be sent without any value from the recipient. */
function cardIsComplete(card: SectionPlan): boolean {
  return (
    card.bodyNames.length === 0 &&
    card.buttonNames.length === 0 &&
    card.unnamedButtons.length === 0 &&
    (!card.slots.header || card.header !== null)
  );
}

/**
 * Fills the plan with one recipient's values and builds the Cloud API
 * `components`. Returns every problem with this recipient, not just the first.
 */
export function renderRecipient(
  plan: ParameterPlan,
  recipient: RecipientParameters | undefined,
): RenderResult {
  const errors: string[] = [];
  const r = recipient ?? {};

  if (plan.cards === null) {
    if (r.cards !== undefined) errors.push("Unexpected cards: the template is not a carousel");
    const components = renderSectionFor(plan.main, r, errors);
    return errors.length > 0 ? { ok: false, errors } : { ok: true, components };
  }

  const body = renderSectionFor(plan.main, r, errors);
  const given = r.cards ?? [];
  const expected = plan.cards.length;
  if (r.cards === undefined && plan.cards.every(cardIsComplete)) {
    // Nothing per recipient: every card comes from the broadcast.
  } else if (given.length !== expected) {
    errors.push(
      `cards: the template has ${plural(expected, "card", "cards")}, got ${given.length}`,
    );
  }
  const cards = plan.cards.map((card, i) => {
    // With a wrong count, only the cards given are checked: the missing ones are one error above.
    if (r.cards !== undefined && i >= given.length) return [];
    return renderSectionFor(card, given[i] ?? {}, errors);
  });
  return errors.length > 0
    ? { ok: false, errors }
    : { ok: true, components: carouselComponents(body, cards) };
}
