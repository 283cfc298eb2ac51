/**
 * The account's suppression list: people who opted out or were blocked, kept
 * by phone and, when Meta gave one, by business-scoped user id (a row of a
 * person known only by a user id has it in both columns).
 */

/** Every phone and user id on the list: a recipient addressed by either is suppressed. */
export async function loadSuppressed(
  d1: D1Database,
  accountId: string,
): Promise<ReadonlySet<string>> {
  const { results } = await d1
    .prepare("SELECT phone, user_id FROM suppressions WHERE account_id = ?")
    .bind(accountId)
    .all<{ phone: string; user_id: string | null }>();
  const subjects = new Set<string>();
  for (const r of results) {
    subjects.add(r.phone);
    if (r.user_id) subjects.add(r.user_id);
  }
  return subjects;
}

/**
 * `phone` null: the person is known only by `userId` (kept under it). An
 * entry that exists keeps its reason and learns the user id it lacked.
 */
export async function suppress(
  d1: D1Database,
  accountId: string,
  phone: string | null,
  reason: string,
  userId: string | null = null,
): Promise<void> {
  const subject = phone ?? userId;
  if (!subject) return;
  await d1
    .prepare(
      `INSERT INTO suppressions (account_id, phone, user_id, reason) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, phone) DO UPDATE SET user_id = COALESCE(suppressions.user_id, excluded.user_id)`,
    )
    .bind(accountId, subject, userId, reason)
    .run();
}
