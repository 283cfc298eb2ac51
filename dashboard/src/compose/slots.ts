/**
 * What a template asks a broadcast to fill in, as a flat list of slots (the
 * header, each body variable, each button that takes a value, the same per
 * carousel card), and how the slots' sources (a column of the recipients'
 * table, or one fixed value) become the Broadcasts API's `parameters` and
 * each recipient's values. The template is read by the API's own
 * `analyzeTemplate`, so the form asks for exactly what the API will check.
 */
import {
  analyzeTemplate,
  type TemplateButtonShape,
  type TemplateHeaderShape,
  type TemplateShape,
} from "../../../src/domain/template";
import type { Template } from "../api";

export type { TemplateShape } from "../../../src/domain/template";

export type HeaderType = "image" | "video" | "document" | "text" | "location" | "product";

export interface Slot {
  /** "header", "body.1", "button.0", "cards.1.body.2"… */
  key: string;
  card: number | null;
  part: "header" | "body" | "button";
  /** The name in body_order / button_order (the variable's own name for the body). */
  name: string;
  label: string;
  headerType?: HeaderType;
}

/** Where a slot's value comes from: a column of the table (by index), or one value for everyone. */
export type Source = { column: number } | { fixed: string };

export interface Mapping {
  identifier: number;
  clientReference: number | null;
  sources: Record<string, Source>;
}

export const shapeOf = (t: Template): TemplateShape =>
  analyzeTemplate(t.components, t.parameterFormat);

function headerTypeOf(header: TemplateHeaderShape | null): HeaderType | null {
  if (!header?.format) return null;
  if (header.format === "TEXT") return header.variables.length > 0 ? "text" : null;
  return header.format.toLowerCase() as HeaderType;
}

const buttonName = (b: TemplateButtonShape) => `button_${b.index}`;
const needsValue = (b: TemplateButtonShape) => b.parameter?.required === true;

function sectionSlots(
  part: { header: TemplateHeaderShape | null; body: { variables: string[] } | null },
  buttons: TemplateButtonShape[],
  card: number | null,
): Slot[] {
  const at = card === null ? "" : `cards.${card}.`;
  const where = card === null ? "" : `Card ${card + 1}: `;
  const slots: Slot[] = [];
  const headerType = headerTypeOf(part.header);
  if (headerType) {
    const what =
      headerType === "text"
        ? "header text"
        : headerType === "location"
          ? "header location (latitude, longitude)"
          : headerType === "product"
            ? "header product (retailer id, catalog id)"
            : `header ${headerType} link`;
    slots.push({
      key: `${at}header`,
      card,
      part: "header",
      name: "header",
      label: `${where}${what}`,
      headerType,
    });
  }
  for (const name of part.body?.variables ?? []) {
    slots.push({
      key: `${at}body.${name}`,
      card,
      part: "body",
      name,
      label: `${where}body {{${name}}}`,
    });
  }
  for (const b of buttons.filter(needsValue)) {
    const what = b.type === "COPY_CODE" ? "coupon code" : "URL suffix";
    slots.push({
      key: `${at}button.${b.index}`,
      card,
      part: "button",
      name: buttonName(b),
      label: `${where}button “${b.text ?? b.type}” ${what}`,
    });
  }
  return slots;
}

export function slotsOf(shape: TemplateShape): Slot[] {
  if (!shape.cards) return sectionSlots(shape, shape.buttons, null);
  // A carousel: the message's body, then each card's header, body and buttons.
  return [
    ...sectionSlots({ header: null, body: shape.body }, [], null),
    ...shape.cards.flatMap((c) => sectionSlots(c, c.buttons, c.index)),
  ];
}

type HeaderValue =
  | string
  | { latitude: number; longitude: number }
  | { product_retailer_id: string; catalog_id: string };

/**
 * A location is written "latitude, longitude", a product "retailer id, catalog
 * id"; anything else goes as typed (the API says what is wrong).
 */
function headerValue(slot: Slot, text: string): HeaderValue {
  if (slot.headerType === "product") {
    const [retailerId, catalogId] = text.split(",").map((part) => part.trim());
    return retailerId && catalogId
      ? { product_retailer_id: retailerId, catalog_id: catalogId }
      : text;
  }
  if (slot.headerType !== "location") return text;
  const [lat, lng] = text.split(",").map((part) => Number(part.trim()));
  return Number.isFinite(lat) && Number.isFinite(lng)
    ? { latitude: lat as number, longitude: lng as number }
    : text;
}

export function slotValue(
  slot: Slot,
  mapping: Mapping,
  row: readonly string[] | undefined,
): string {
  const source = mapping.sources[slot.key];
  if (!source) return "";
  return "column" in source ? (row?.[source.column] ?? "") : source.fixed;
}

interface SectionParameters {
  header?: { type: HeaderType; value: HeaderValue };
  body_order?: string[];
  button_order?: string[];
}

function sectionParameters(slots: Slot[], mapping: Mapping): SectionParameters {
  const out: SectionParameters = {
    body_order: slots.filter((s) => s.part === "body").map((s) => s.name),
    button_order: slots.filter((s) => s.part === "button").map((s) => s.name),
  };
  const header = slots.find((s) => s.part === "header");
  const source = header ? mapping.sources[header.key] : undefined;
  // A fixed header is broadcast-wide; a header from a column is each recipient's override.
  if (header?.headerType && source && "fixed" in source)
    out.header = { type: header.headerType, value: headerValue(header, source.fixed) };
  return out;
}

export function broadcastParameters(shape: TemplateShape, slots: Slot[], mapping: Mapping) {
  const main = sectionParameters(
    slots.filter((s) => s.card === null),
    mapping,
  );
  if (!shape.cards) return main;
  return {
    body_order: main.body_order,
    cards: shape.cards.map((c) =>
      sectionParameters(
        slots.filter((s) => s.card === c.index),
        mapping,
      ),
    ),
  };
}

interface SectionValues {
  header?: { value: HeaderValue };
  body?: Record<string, string>;
  button?: Record<string, string>;
}

function sectionValues(slots: Slot[], mapping: Mapping, row: readonly string[]): SectionValues {
  const out: SectionValues = {};
  for (const slot of slots) {
    const value = slotValue(slot, mapping, row);
    if (slot.part === "header") {
      const source = mapping.sources[slot.key];
      if (source && "column" in source) out.header = { value: headerValue(slot, value) };
    } else {
      const key = slot.part === "body" ? "body" : "button";
      out[key] = { ...out[key], [slot.name]: value };
    }
  }
  return out;
}

export interface RecipientBody {
  identifier: string;
  client_reference?: string;
  parameters?: SectionValues & { cards?: SectionValues[] };
}

export function recipientOf(
  shape: TemplateShape,
  slots: Slot[],
  mapping: Mapping,
  row: readonly string[],
): RecipientBody {
  const recipient: RecipientBody = { identifier: row[mapping.identifier] ?? "" };
  const reference = mapping.clientReference === null ? "" : row[mapping.clientReference];
  if (reference) recipient.client_reference = reference;
  const parameters: RecipientBody["parameters"] = sectionValues(
    slots.filter((s) => s.card === null),
    mapping,
    row,
  );
  if (shape.cards)
    parameters.cards = shape.cards.map((c) =>
      sectionValues(
        slots.filter((s) => s.card === c.index),
        mapping,
        row,
      ),
    );
  if (Object.keys(parameters).length > 0) recipient.parameters = parameters;
  return recipient;
}

/** The column whose title suggests the slot, e.g. "Name" for body {{Name}}, else none. */
export function guessSources(slots: Slot[], columns: string[]): Record<string, Source> {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  const sources: Record<string, Source> = {};
  for (const slot of slots) {
    const wanted = [norm(slot.name), norm(slot.label), norm(slot.key)];
    const column = columns.findIndex((c) => wanted.includes(norm(c)));
    sources[slot.key] = column >= 0 ? { column } : { fixed: "" };
  }
  return sources;
}
