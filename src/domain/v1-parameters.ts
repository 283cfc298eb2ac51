/**
 * The v1 API's broadcast-wide parameters (`headerMediaUrl`,
 * `headerTextParameters`, `bodyTextParameters`, `buttonUrlParameters`,
 * `locationParameters`, `flowParameters`, `currencyParameters`,
 * `dateTimeParameters`, `expirationTimeMs`, and the commerce ones:
 * `catalogThumbnailProductId`, `productSections`, `productRetailerId`,
 * `catalogId`), checked against the template at
 * create and rendered per contact when sending starts. Every value may hold
 * contact placeholders (see ./placeholders.ts). Rendering goes through the same
 * component builder as the Broadcasts API.
 *
 * `buttonUrlParameters` fills, in template order, every button that needs a
 * value: dynamic URL suffixes, and also copy-code (coupon) and OTP buttons,
 * which the v1 API has no other field for.
 *
 * The commerce fields are the same for every contact (no placeholders): a
 * catalog item is the business's, not the contact's.
 */
import {
  type BodyValue,
  type CloudComponent,
  type FilledSection,
  type FilledValue,
  type FlowAction,
  headerTypeOf,
  renderSection,
  type SectionSlots,
  sectionSlots,
} from "./components";
import { isHttpUrl, isLocationValue, type LocationValue, textParameterProblem } from "./limits";
import {
  type CompiledValue,
  type ContactFields,
  compileValue,
  isLiteral,
  renderValue,
} from "./placeholders";
import {
  type CatalogAction,
  catalogProblems,
  type MultiProductAction,
  multiProductProblems,
  type ProductValue,
  productProblems,
} from "./products";
import { aHeader, requiredButtons, type TemplateShape } from "./template";

export type { ContactFields } from "./placeholders";

export interface V1LocationParameters {
  latitude: number;
  longitude: number;
  address?: string | null;
  name?: string | null;
}

export interface V1FlowParameters {
  flowToken?: string | null;
  /** `flow_action_data`: a JSON object, or a string holding one. */
  flowData?: string | Record<string, unknown> | null;
}

/**
 * A body variable sent as Meta's `currency`: `bodyTextParameters[index]` is
 * its fallback (the text shown), with an ISO 4217 code and the amount × 1000.
 */
export interface V1CurrencyParameter {
  index: number;
  code: string;
  amount1000: number;
}

/** A body variable sent as Meta's `date_time`: `bodyTextParameters[index]` is its fallback. */
export interface V1DateTimeParameter {
  index: number;
}

export interface V1Parameters {
  headerMediaUrl?: string | null;
  /** An uploaded media id for the media header (instead of headerMediaUrl). */
  headerMediaId?: string | null;
  /** A document header's file name, as the recipient sees it. */
  headerDocumentFilename?: string | null;
  headerTextParameters?: string[] | null;
  bodyTextParameters?: string[] | null;
  buttonUrlParameters?: string[] | null;
  locationParameters?: V1LocationParameters | null;
  flowParameters?: V1FlowParameters | null;
  currencyParameters?: V1CurrencyParameter[] | null;
  /** When the template's limited-time offer expires: Unix milliseconds. */
  expirationTimeMs?: number | null;
  dateTimeParameters?: V1DateTimeParameter[] | null;
  /** The catalog or multi-product button's thumbnail: an item's retailer id. */
  catalogThumbnailProductId?: string | null;
  /** The multi-product button's sections of products. */
  productSections?: V1ProductSection[] | null;
  /** A single-product template's header: the item's retailer id and its catalog. */
  productRetailerId?: string | null;
  catalogId?: string | null;
}

/** One section of a multi-product message: a title and its items' retailer ids. */
export interface V1ProductSection {
  title: string;
  productRetailerIds: string[];
}

/** A body position sent as currency (its code and amount) or date_time; the text is its fallback. */
export interface V1TypedBody {
  index: number;
  currency: { code: string; amount_1000: number } | null;
}

/** Plain data (no functions, no classes), so that it can be kept with the broadcast. */
export interface V1Plan {
  slots: SectionSlots;
  header: CompiledValue | LocationValue | null;
  body: CompiledValue[];
  buttons: CompiledValue[];
  flow: { token: CompiledValue | null; data: Record<string, unknown> | null } | null;
  /** A media header by uploaded id, and a document's filename (absent in plans kept before them). */
  media?: { id: string | null; filename: string | null } | null;
  /** Body positions sent as currency or date_time (absent in plans kept before them). */
  typedBody?: V1TypedBody[];
  /** The limited-time offer's expiration, Unix milliseconds. */
  expirationTimeMs?: number;
  /** The catalog button's action, the multi-product button's, the product header's. */
  catalog?: CatalogAction;
  multiProduct?: MultiProductAction;
  product?: ProductValue;
}

export type V1PlanResult = { ok: true; plan: V1Plan } | { ok: false; errors: string[] };
export type V1RenderResult =
  | { ok: true; components: CloudComponent[] }
  | { ok: false; errors: string[] };

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const isBlank = (value: string | null | undefined): value is null | undefined | "" =>
  value === undefined || value === null || value.trim() === "";

function compileList(
  field: string,
  values: readonly string[] | null | undefined,
  expected: number,
  what: string,
  errors: string[],
): CompiledValue[] {
  const list = values ?? [];
  if (list.length !== expected) errors.push(`${field}: ${what}, got ${list.length}`);
  return list.map((value, i) => {
    const label = `${field}[${i}]`;
    if (typeof value !== "string") {
      errors.push(`${label}: must be a string`);
      return { label, parts: [] };
    }
    const compiled = compileValue(label, value, errors);
    // A literal is the same for every contact: its problems are the broadcast's, found now.
    if (isLiteral(compiled)) {
      if (value.trim() === "") errors.push(`${label}: must not be empty`);
      else {
        const problem = textParameterProblem(label, value);
        if (problem) errors.push(problem);
      }
    }
    return compiled;
  });
}

function parseFlowData(
  data: V1FlowParameters["flowData"],
  errors: string[],
): Record<string, unknown> | null {
  if (data === undefined || data === null || data === "") return null;
  let value: unknown = data;
  if (typeof data === "string") {
    try {
      value = JSON.parse(data);
    } catch {
      errors.push("flowParameters.flowData: must be a JSON object (the string is not valid JSON)");
      return null;
    }
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    errors.push("flowParameters.flowData: must be a JSON object");
    return null;
  }
  const record = value as Record<string, unknown>;
  forEachString(record, (s) => compileValue("flowParameters.flowData", s, errors));
  return record;
}

function forEachString(value: unknown, visit: (s: string) => void) {
  if (typeof value === "string") visit(value);
  else if (Array.isArray(value)) for (const item of value) forEachString(item, visit);
  else if (typeof value === "object" && value !== null)
    for (const item of Object.values(value)) forEachString(item, visit);
}

function mapStrings(value: unknown, map: (s: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, map)]));
  }
  return value;
}

const CURRENCY_CODE = /^[A-Z]{3}$/;

/** Which body positions go as currency or date_time: each a body variable, none twice. */
function planTypedBody(p: V1Parameters, bodyVariables: number, errors: string[]): V1TypedBody[] {
  const typed: V1TypedBody[] = [];
  const seen = new Set<number>();
  const at = (field: string, i: number, index: unknown): boolean => {
    if (
      typeof index !== "number" ||
      !Number.isInteger(index) ||
      index < 0 ||
      index >= bodyVariables
    ) {
      errors.push(
        `${field}[${i}].index: must be a position in bodyTextParameters (0..${bodyVariables - 1})`,
      );
      return false;
    }
    if (seen.has(index)) {
      errors.push(`${field}[${i}].index: bodyTextParameters[${index}] is already typed`);
      return false;
    }
    seen.add(index);
    return true;
  };
  (p.currencyParameters ?? []).forEach((c, i) => {
    const field = "currencyParameters";
    const ok = at(field, i, c.index);
    if (typeof c.code !== "string" || !CURRENCY_CODE.test(c.code))
      errors.push(
        `${field}[${i}].code: must be an ISO 4217 code (3 capital letters), got '${c.code}'`,
      );
    if (!Number.isSafeInteger(c.amount1000))
      errors.push(`${field}[${i}].amount1000: must be an integer (the amount × 1000)`);
    if (ok) typed.push({ index: c.index, currency: { code: c.code, amount_1000: c.amount1000 } });
  });
  (p.dateTimeParameters ?? []).forEach((d, i) => {
    if (at("dateTimeParameters", i, d.index)) typed.push({ index: d.index, currency: null });
  });
  return typed;
}

type Commerce = Pick<V1Plan, "catalog" | "multiProduct" | "product">;

/** The commerce fields: each given exactly where the template has its header or button. */
function planCommerce(
  slots: SectionSlots,
  headerType: string | null,
  p: V1Parameters,
  errors: string[],
): Commerce {
  const out: Commerce = {};
  const thumbnail = p.catalogThumbnailProductId ?? undefined;

  if (headerType === "product") {
    const product = {
      product_retailer_id: p.productRetailerId ?? "",
      catalog_id: p.catalogId ?? "",
    };
    const problems = productProblems(product, {
      retailerId: "productRetailerId",
      catalogId: "catalogId",
    });
    errors.push(...problems.map((e) => `${e} (the template has a PRODUCT header)`));
    if (problems.length === 0) out.product = product;
  } else {
    for (const field of ["productRetailerId", "catalogId"] as const)
      if (!isBlank(p[field])) errors.push(`${field}: the template has no PRODUCT header`);
  }

  if (slots.multiProduct) {
    if (!p.productSections) {
      errors.push(
        "productSections: the template has a multi-product (MPM) button; give its sections (and catalogThumbnailProductId)",
      );
    } else {
      const action: MultiProductAction = {
        thumbnail_product_retailer_id: thumbnail ?? "",
        sections: p.productSections.map((s) => ({
          title: s.title,
          product_items: s.productRetailerIds.map((id) => ({ product_retailer_id: id })),
        })),
      };
      const problems = multiProductProblems(action, {
        thumbnail: "catalogThumbnailProductId",
        sections: "productSections",
        title: (i) => `productSections[${i}].title`,
        items: (i) => `productSections[${i}].productRetailerIds`,
        item: (i, j) => `productSections[${i}].productRetailerIds[${j}]`,
      });
      errors.push(...problems);
      if (problems.length === 0) out.multiProduct = action;
    }
  } else if (p.productSections && p.productSections.length > 0) {
    // An empty list is what GET shows for a broadcast without sections: PUT takes it back.
    errors.push("productSections: the template has no multi-product (MPM) button");
  }

  if (slots.catalog && thumbnail !== undefined) {
    const action: CatalogAction = { thumbnail_product_retailer_id: thumbnail };
    const problems = catalogProblems(action, "catalogThumbnailProductId");
    errors.push(...problems);
    if (problems.length === 0) out.catalog = action;
  } else if (!slots.catalog && !slots.multiProduct && thumbnail !== undefined) {
    errors.push("catalogThumbnailProductId: the template has no CATALOG or multi-product button");
  }
  return out;
}

/**
 * Checks v1 parameters against the template: counts, the header's kind, known
 * contact fields. Errors name the v1 field, e.g.
 * `bodyTextParameters[0]: unknown contact field 'age'`.
 */
export function planV1Parameters(template: TemplateShape, p: V1Parameters): V1PlanResult {
  const errors: string[] = [];
  if (template.cards !== null) {
    return {
      ok: false,
      errors: [
        "template: carousel templates cannot be sent through the v1 API, which has no per-card parameters",
      ],
    };
  }
  const slots = sectionSlots(template, template.parameterFormat);
  const format = template.header?.format ?? null;
  const headerType = headerTypeOf(template.header);

  // Header: a media URL, a location, or the text header's variable.
  let header: V1Plan["header"] = null;
  const media = headerType === "image" || headerType === "video" || headerType === "document";
  let byId: V1Plan["media"] = null;
  if (media && !isBlank(p.headerMediaId)) {
    if (!isBlank(p.headerMediaUrl))
      errors.push("headerMediaId: give headerMediaUrl or headerMediaId, not both");
    byId = { id: p.headerMediaId.trim(), filename: null };
  }
  if (!isBlank(p.headerDocumentFilename) && headerType !== "document")
    errors.push(
      `headerDocumentFilename: only a DOCUMENT header has a filename${format ? ` (the template's header is ${format})` : ""}`,
    );
  if (!media && !isBlank(p.headerMediaId))
    errors.push(
      `headerMediaId: the template has no media header${format ? ` (its header is ${format})` : ""}`,
    );
  if (media) {
    if (byId) {
      // The uploaded media stands for every contact: nothing to render.
    } else if (isBlank(p.headerMediaUrl)) {
      errors.push(
        `headerMediaUrl: the template has ${aHeader(format)}; give the media's http(s) URL`,
      );
    } else {
      header = compileValue("headerMediaUrl", p.headerMediaUrl, errors);
      if (isLiteral(header) && !isHttpUrl(p.headerMediaUrl))
        errors.push("headerMediaUrl: must be an http(s) URL");
    }
  } else if (!isBlank(p.headerMediaUrl)) {
    errors.push(
      `headerMediaUrl: the template has no media header${format ? ` (its header is ${format})` : ""}`,
    );
  }

  if (headerType === "location") {
    if (!p.locationParameters) {
      errors.push(
        "locationParameters: the template has a LOCATION header; give its latitude and longitude",
      );
    } else if (!isLocationValue(p.locationParameters)) {
      errors.push(
        "locationParameters: latitude must be within -90..90 and longitude within -180..180",
      );
    } else {
      const { latitude, longitude, name, address } = p.locationParameters;
      const location: LocationValue = { latitude, longitude };
      if (typeof name === "string" && name !== "") location.name = name;
      if (typeof address === "string" && address !== "") location.address = address;
      header = location;
    }
  } else if (p.locationParameters) {
    errors.push("locationParameters: the template has no LOCATION header");
  }

  const headerVariables = template.header?.format === "TEXT" ? template.header.variables.length : 0;
  const headerText = compileList(
    "headerTextParameters",
    p.headerTextParameters,
    headerVariables,
    `the template's header has ${plural(headerVariables, "variable", "variables")}`,
    errors,
  );
  if (headerType === "text") header = headerText[0] ?? null;

  const bodyVariables = template.body?.variables.length ?? 0;
  const body = compileList(
    "bodyTextParameters",
    p.bodyTextParameters,
    bodyVariables,
    `the template has ${plural(bodyVariables, "body variable", "body variables")}`,
    errors,
  );

  const typedBody = planTypedBody(p, bodyVariables, errors);
  const hasOffer = p.expirationTimeMs !== undefined && p.expirationTimeMs !== null;
  if (hasOffer && !slots.offerExpires)
    errors.push("expirationTimeMs: the template has no limited-time offer with an expiration");
  if (slots.offerExpires) {
    // The same check as every message's, once for the broadcast (its value is the same for all).
    const only: SectionSlots = {
      header: null,
      body: null,
      buttons: [],
      flow: null,
      offerExpires: true,
    };
    const value = hasOffer ? (p.expirationTimeMs ?? undefined) : undefined;
    renderSection(
      only,
      {
        header: null,
        body: [],
        buttons: [],
        flow: null,
        offer: { label: "expirationTimeMs", value },
      },
      errors,
    );
  }

  const commerce = planCommerce(slots, headerType, p, errors);

  const needed = requiredButtons(template.buttons);
  const which = needed.map((b) => `${b.parameter?.subType} button at index ${b.index}`).join(", ");
  const buttons = compileList(
    "buttonUrlParameters",
    p.buttonUrlParameters,
    needed.length,
    `the template has ${plural(needed.length, "button that takes a value", "buttons that take a value")}${which ? ` (${which})` : ""}`,
    errors,
  );

  let flow: V1Plan["flow"] = null;
  if (p.flowParameters) {
    if (!slots.flow) errors.push("flowParameters: the template has no flow button");
    else {
      const token = isBlank(p.flowParameters.flowToken)
        ? null
        : compileValue("flowParameters.flowToken", p.flowParameters.flowToken, errors);
      const data = parseFlowData(p.flowParameters.flowData, errors);
      if (token || data) flow = { token, data };
    }
  }

  if (errors.length > 0) return { ok: false, errors };
  const filename =
    headerType === "document" && !isBlank(p.headerDocumentFilename)
      ? p.headerDocumentFilename
      : null;
  const mediaPlan = byId || filename ? { id: byId?.id ?? null, filename } : null;
  const plan: V1Plan = { slots, header, body, buttons, flow, media: mediaPlan };
  if (typedBody.length > 0) plan.typedBody = typedBody;
  if (hasOffer && slots.offerExpires) plan.expirationTimeMs = p.expirationTimeMs ?? undefined;
  Object.assign(plan, commerce);

  // Without any placeholder every contact gets the same message: check it whole now (lengths too).
  const literal = [header, ...body, ...buttons, flow?.token].every(
    (v) => v === null || v === undefined || !("parts" in v) || isLiteral(v),
  );
  if (literal && !flow?.data) {
    const trial = renderForContact(plan, {
      name: null,
      firstName: null,
      lastName: null,
      phone: "",
      customFields: {},
    });
    if (!trial.ok) return { ok: false, errors: trial.errors };
  }
  return { ok: true, plan };
}

function renderOne(value: CompiledValue, contact: ContactFields, errors: string[]): FilledValue {
  const text = renderValue(value, contact);
  if (text.trim() === "") {
    errors.push(`${value.label} rendered empty for this contact`);
    return { label: value.label, value: undefined };
  }
  return { label: value.label, value: text };
}

/** A body position's rendered text, as the currency or date_time the plan makes it. */
function typedValue(plan: V1Plan, index: number, filled: FilledValue): FilledValue<BodyValue> {
  const typed = plan.typedBody?.find((t) => t.index === index);
  if (!typed || filled.value === undefined) return filled;
  const fallback_value = filled.value;
  return {
    label: filled.label,
    value: typed.currency
      ? { currency: { fallback_value, ...typed.currency } }
      : { date_time: { fallback_value } },
  };
}

/** The components for one contact; an empty rendered value is an error for this contact only. */
export function renderForContact(plan: V1Plan, contact: ContactFields): V1RenderResult {
  const errors: string[] = [];
  let header: FilledSection["header"] = null;
  if (plan.media?.id) {
    const { id, filename } = plan.media;
    header = { label: "headerMediaId", value: filename ? { id, filename } : { id } };
  } else if (plan.header && "parts" in plan.header) {
    const rendered = renderOne(plan.header, contact, errors);
    const link = rendered.value;
    header =
      plan.media?.filename && link !== undefined
        ? { label: rendered.label, value: { link, filename: plan.media.filename } }
        : rendered;
  } else if (plan.header) header = { label: "locationParameters", value: plan.header };
  else if (plan.product) header = { label: "productRetailerId", value: plan.product };

  let flow: FlowAction | null = null;
  if (plan.flow) {
    flow = {};
    if (plan.flow.token) {
      const token = renderValue(plan.flow.token, contact);
      if (token.trim() === "")
        errors.push("flowParameters.flowToken rendered empty for this contact");
      flow.flow_token = token;
    }
    if (plan.flow.data) {
      flow.flow_action_data = mapStrings(plan.flow.data, (s) =>
        renderValue(compileValue("flowParameters.flowData", s, []), contact),
      ) as Record<string, unknown>;
    }
  }

  const filled: FilledSection = {
    header,
    body: plan.body.map((v, i) => typedValue(plan, i, renderOne(v, contact, errors))),
    buttons: plan.buttons.map((v) => renderOne(v, contact, errors)),
    flow,
    offer: { label: "expirationTimeMs", value: plan.expirationTimeMs },
    catalog: plan.catalog ?? null,
    multiProduct: { label: "productSections", value: plan.multiProduct },
  };
  const components = renderSection(plan.slots, filled, errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, components };
}
