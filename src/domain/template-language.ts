/**
 * Which language of a template a broadcast uses. The seed defaults `locale`
 * to `en`, while WhatsApp templates are very often approved as `en_US` or
 * `en_GB`: with no template in exactly the requested language and exactly one
 * approved variant of it, that variant is used. Pure: the caller loads the
 * template's languages.
 */

export interface LanguageOption {
  language: string;
  status: string;
}

export type LanguageChoice =
  | { ok: true; language: string }
  /** `languages`: every language the template exists in, sorted (empty: the name is unknown). */
  | { ok: false; languages: string[] };

export function chooseLanguage(requested: string, options: LanguageOption[]): LanguageChoice {
  if (options.some((o) => o.language === requested)) return { ok: true, language: requested };
  const base = requested.split("_")[0]?.toLowerCase() ?? requested;
  const variants = options.filter(
    (o) => o.status === "APPROVED" && o.language.toLowerCase().startsWith(`${base}_`),
  );
  // A request for a region (en_GB) never falls back to another region: only a bare language does.
  if (variants.length === 1 && variants[0] && !requested.includes("_"))
    return { ok: true, language: variants[0].language };
  return { ok: false, languages: options.map((o) => o.language).sort() };
}

/** "; it exists in en_GB, en_US" or "; no language of it exists": for a 404's details. */
export function languagesHint(languages: string[]): string {
  return languages.length > 0
    ? `; it exists in ${languages.join(", ")}`
    : "; no template of that name exists in any language";
}
