/**
 * Checks a template message's `components` against the template as Meta does,
 * independently of Chorus's own rendering code (so that a bug there shows up
 * here as Meta's error, not as a silent agreement).
 */
import { ERRORS, type MetaError } from "./errors";
import type { SandboxTemplate } from "./templates";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

const BODY_LIMIT = 1024;
const HEADER_TEXT_LIMIT = 60;

/** The distinct variables of a text: `{{1}}`, `{{first_name}}`. */
function variables(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1] ?? ""))];
}

function fill(text: string, params: string[]): string {
  const vars = variables(text);
  return text.replace(
    /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g,
    (_, name: string) => params[vars.indexOf(name)] ?? "",
  );
}

function component(components: unknown[], type: string): Obj | undefined {
  return components.filter(isObj).find((c) => str(c.type).toLowerCase() === type);
}

function templatePart(t: { components: unknown[] }, type: string): Obj | undefined {
  return t.components.filter(isObj).find((c) => str(c.type).toUpperCase() === type);
}

function textParams(c: Obj | undefined): unknown[] {
  return list(c?.parameters);
}

/** Returns Meta's error for the first problem, or null when the message is well-formed. */
export function validateTemplateMessage(
  template: SandboxTemplate,
  payload: unknown,
): MetaError | null {
  const components = isObj(payload) ? list(payload.components) : [];
  return checkSection(template, components, "") ?? checkCarousel(template, components);
}

function checkSection(
  t: { components: unknown[] },
  components: unknown[],
  where: string,
): MetaError | null {
  // Header
  const tHeader = templatePart(t, "HEADER");
  const header = component(components, "header");
  const format = str(tHeader?.format).toUpperCase();
  if (!tHeader) {
    if (header) return ERRORS.paramCount(`${where}header: the template has no header`);
  } else if (format === "IMAGE" || format === "VIDEO" || format === "DOCUMENT") {
    const p = textParams(header)[0];
    if (!isObj(p))
      return ERRORS.paramCount(
        `${where}header: expected 1 ${format.toLowerCase()} parameter, received 0`,
      );
    const kind = format.toLowerCase();
    const media = p[kind];
    if (str(p.type) !== kind || !isObj(media)) {
      return ERRORS.paramFormat(
        `${where}header: expected a ${kind} parameter, received ${str(p.type) || "none"}`,
      );
    }
    if (!str(media.link) && !str(media.id))
      return ERRORS.missingParameter(`${where}header.${kind}: link or id is required`);
  } else if (format === "TEXT") {
    const vars = variables(str(tHeader.text));
    const params = textParams(header);
    if (params.length !== vars.length) {
      return ERRORS.paramCount(
        `${where}header: expected ${vars.length} text parameters, received ${params.length}`,
      );
    }
    const texts = params.map((p) => (isObj(p) ? str(p.text) : ""));
    if (texts.some((x) => x.trim() === ""))
      return ERRORS.missingParameter(`${where}header: text parameters cannot be empty`);
    if (fill(str(tHeader.text), texts).length > HEADER_TEXT_LIMIT) {
      return ERRORS.tooLong(
        `${where}header: the filled header is over ${HEADER_TEXT_LIMIT} characters`,
      );
    }
  } else if (format === "LOCATION") {
    const p = textParams(header)[0];
    const loc = isObj(p) ? p.location : undefined;
    if (!isObj(loc) || typeof loc.latitude !== "number" || typeof loc.longitude !== "number") {
      return ERRORS.paramCount(
        `${where}header: expected 1 location parameter with latitude and longitude`,
      );
    }
  }

  // Body
  const tBody = templatePart(t, "BODY");
  const body = component(components, "body");
  const bodyVars = variables(str(tBody?.text));
  const bodyParams = textParams(body);
  if (bodyParams.length !== bodyVars.length) {
    return ERRORS.paramCount(
      `${where}body: expected ${bodyVars.length} parameters, received ${bodyParams.length}`,
    );
  }
  const bodyTexts = bodyParams.map((p) => (isObj(p) ? str(p.text) : ""));
  if (bodyTexts.some((x) => x.trim() === ""))
    return ERRORS.missingParameter(`${where}body: parameters cannot be empty`);
  if (tBody && fill(str(tBody.text), bodyTexts).length > BODY_LIMIT) {
    return ERRORS.tooLong(`${where}body: the filled body is over ${BODY_LIMIT} characters`);
  }

  // Buttons
  const tButtons = list(templatePart(t, "BUTTONS")?.buttons).filter(isObj);
  const buttons = components.filter(
    (c) => isObj(c) && str(c.type).toLowerCase() === "button",
  ) as Obj[];
  const seen = new Set<number>();
  for (const b of buttons) {
    const index = Number(b.index);
    const tb = tButtons[index];
    if (!Number.isInteger(index) || !tb)
      return ERRORS.paramCount(`${where}button index ${String(b.index)}: no such button`);
    const expected = str(tb.type).toLowerCase();
    if (str(b.sub_type).toLowerCase() !== expected) {
      return ERRORS.paramFormat(
        `${where}button ${index}: sub_type ${str(b.sub_type)} does not match the template's ${expected}`,
      );
    }
    seen.add(index);
    const params = textParams(b);
    if (expected === "url") {
      const vars = variables(str(tb.url));
      if (params.length !== vars.length) {
        return ERRORS.paramCount(
          `${where}button ${index}: expected ${vars.length} parameters, received ${params.length}`,
        );
      }
      if (params.some((p) => !isObj(p) || str(p.text).trim() === "")) {
        return ERRORS.missingParameter(`${where}button ${index}: the url suffix cannot be empty`);
      }
    }
    if (expected === "copy_code" && !params.some((p) => isObj(p) && str(p.coupon_code))) {
      return ERRORS.missingParameter(`${where}button ${index}: coupon_code is required`);
    }
  }
  for (const [index, tb] of tButtons.entries()) {
    const needs =
      (str(tb.type) === "URL" && variables(str(tb.url)).length > 0) || str(tb.type) === "COPY_CODE";
    if (needs && !seen.has(index))
      return ERRORS.paramCount(`${where}button ${index}: a parameter is required`);
  }
  return null;
}

function checkCarousel(template: SandboxTemplate, components: unknown[]): MetaError | null {
  const tCarousel = templatePart(template, "CAROUSEL");
  const carousel = component(components, "carousel");
  if (!tCarousel) {
    return carousel ? ERRORS.paramFormat("carousel: the template is not a carousel") : null;
  }
  const tCards = list(tCarousel.cards).filter(isObj);
  const cards = list(carousel?.cards).filter(isObj);
  // Meta answers a wrong card count with this (misleading) format error.
  if (cards.length !== tCards.length) {
    return ERRORS.paramFormat(
      `carousel: expected ${tCards.length} cards, received ${cards.length}`,
    );
  }
  for (const [i, c] of cards.entries()) {
    if (Number(c.card_index) !== i)
      return ERRORS.paramFormat(`carousel card ${i}: card_index must be ${i}`);
    const tCard = tCards[i] as Obj;
    const problem = checkSection(
      { components: list(tCard.components) },
      list(c.components),
      `card ${i} `,
    );
    if (problem)
      return problem.code === 132000 && problem.details.includes("header")
        ? ERRORS.paramFormat(problem.details)
        : problem;
  }
  return null;
}
