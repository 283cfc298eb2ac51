/**
 * Meta's quality rating of templates (`message_template_quality_update`) and
 * the accounts that pause on a RED one.
 */

export async function setTemplateQuality(
  d1: D1Database,
  wabaId: string,
  name: string,
  language: string,
  score: string,
): Promise<void> {
  await d1
    .prepare(
      "UPDATE templates SET quality_score = ? WHERE waba_id = ? AND name = ? AND language = ?",
    )
    .bind(score, wabaId, name, language)
    .run();
}

/** Of these accounts, the ones whose `pauseOnRedQuality` is on. */
export async function accountsPausingOnRed(
  d1: D1Database,
  accountIds: string[],
): Promise<ReadonlySet<string>> {
  if (accountIds.length === 0) return new Set();
  const { results } = await d1
    .prepare(
      `SELECT id FROM accounts WHERE pause_on_red_quality = 1 AND id IN (${accountIds.map(() => "?").join(", ")})`,
    )
    .bind(...accountIds)
    .all<{ id: string }>();
  return new Set(results.map((r) => r.id));
}
