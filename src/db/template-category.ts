/**
 * A template's current category, as Meta says it now: the send path routes
 * marketing through the Marketing Messages API by it, and Meta may
 * recategorise an approved template (`template_category_update`).
 */

/** Meta's category of the account's template (MARKETING, UTILITY, AUTHENTICATION), or null when unknown. */
export async function currentTemplateCategory(
  d1: D1Database,
  accountId: string,
  wabaId: string,
  name: string,
  language: string,
): Promise<string | null> {
  const row = await d1
    .prepare(
      "SELECT category FROM templates WHERE account_id = ? AND waba_id = ? AND name = ? AND language = ? LIMIT 1",
    )
    .bind(accountId, wabaId, name, language)
    .first<{ category: string }>();
  return row?.category ?? null;
}

/** Meta recategorised a template: every account's copy of it (by WABA, name and language) follows. */
export async function setTemplateCategory(
  d1: D1Database,
  wabaId: string,
  name: string,
  language: string,
  category: string,
): Promise<number> {
  const result = await d1
    .prepare("UPDATE templates SET category = ? WHERE waba_id = ? AND name = ? AND language = ?")
    .bind(category, wabaId, name, language)
    .run();
  return result.meta.changes ?? 0;
}
