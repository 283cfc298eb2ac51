/**
 * The commerce parts of a template message, as Meta takes them (REFERENCE.md
 * "More template components"): a catalog button's thumbnail, a multi-product
 * (MPM) button's sections of catalog items, and a single-product (SPM)
 * template's product header. Pure checks with the caller's field names, so
 * that each API surface names its own fields in its 400s.
 */
import { characterCount } from "./limits";

/** A single-product header: one item (its retailer id, the Commerce Manager "Content ID") of a catalog. */
export interface ProductValue {
  product_retailer_id: string;
  catalog_id: string;
}

/** A catalog button's action: which item's image heads the message (Meta: the first item without it). */
export interface CatalogAction {
  thumbnail_product_retailer_id?: string;
}

export interface ProductSection {
  title: string;
  product_items: { product_retailer_id: string }[];
}

/** A multi-product button's action: the items the message offers, in titled sections. */
export interface MultiProductAction {
  thumbnail_product_retailer_id: string;
  sections: ProductSection[];
}

/**
 * Meta's limits on a multi-product message: at most 30 products across all
 * sections and a section title of at most 24 characters (Meta's
 * multi-product template reference, as its field descriptions are quoted in
 * client libraries); at most 10 sections is the interactive multi-product
 * message's limit, unconfirmed for templates (no source found that settles it).
 */
export const PRODUCT_LIMITS = { sections: 10, products: 30, sectionTitle: 24 } as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** An object with exactly Meta's two product fields, both strings. */
export function isProductValue(v: unknown): v is ProductValue {
  return (
    isObject(v) &&
    Object.keys(v).every((k) => k === "product_retailer_id" || k === "catalog_id") &&
    typeof v.product_retailer_id === "string" &&
    typeof v.catalog_id === "string"
  );
}

const blank = (s: unknown) => typeof s !== "string" || s.trim() === "";

/** Field names, so that the Broadcasts API says `…sections[0].title` and v1 `productSections[0].title`. */
export interface ProductFieldNames {
  retailerId: string;
  catalogId: string;
}

export function productProblems(value: ProductValue, names: ProductFieldNames): string[] {
  const errors: string[] = [];
  if (blank(value.product_retailer_id))
    errors.push(`${names.retailerId}: the product's retailer id is required`);
  if (blank(value.catalog_id)) errors.push(`${names.catalogId}: the catalog id is required`);
  return errors;
}

export function catalogProblems(action: CatalogAction, thumbnailField: string): string[] {
  return action.thumbnail_product_retailer_id !== undefined &&
    blank(action.thumbnail_product_retailer_id)
    ? [`${thumbnailField}: must not be empty (leave it out for the catalog's first item)`]
    : [];
}

export interface MultiProductFieldNames {
  thumbnail: string;
  sections: string;
  title: (section: number) => string;
  items: (section: number) => string;
  item: (section: number, item: number) => string;
}

export function multiProductProblems(
  action: MultiProductAction,
  names: MultiProductFieldNames,
): string[] {
  const errors: string[] = [];
  if (blank(action.thumbnail_product_retailer_id))
    errors.push(`${names.thumbnail}: the thumbnail product's retailer id is required`);
  const { sections } = action;
  if (sections.length === 0) errors.push(`${names.sections}: at least one section is required`);
  if (sections.length > PRODUCT_LIMITS.sections)
    errors.push(
      `${names.sections}: ${sections.length} sections; WhatsApp allows at most ${PRODUCT_LIMITS.sections}`,
    );
  let products = 0;
  sections.forEach((section, i) => {
    const n = characterCount(section.title);
    if (section.title.trim() === "") errors.push(`${names.title(i)}: must not be empty`);
    else if (n > PRODUCT_LIMITS.sectionTitle)
      errors.push(
        `${names.title(i)} is ${n} characters; WhatsApp allows at most ${PRODUCT_LIMITS.sectionTitle}`,
      );
    if (section.product_items.length === 0)
      errors.push(`${names.items(i)}: at least one product is required`);
    section.product_items.forEach((item, j) => {
      if (blank(item.product_retailer_id)) errors.push(`${names.item(i, j)}: must not be empty`);
    });
    products += section.product_items.length;
  });
  if (products > PRODUCT_LIMITS.products)
    errors.push(
      `${names.sections}: ${products} products in all; WhatsApp allows at most ${PRODUCT_LIMITS.products} across the sections`,
    );
  return errors;
}
