/**
 * The account's suppression list: numbers that opted out or were blocked.
 */
export async function loadSuppressed(
  d1: D1Database,
  accountId: string,
): Promise<ReadonlySet<string>> {
  const { results } = await d1
    .prepare("SELECT phone FROM suppressions WHERE account_id = ?")
    .bind(accountId)
    .all<{ phone: string }>();
  return new Set(results.map((r) => r.phone));
}

export async function suppress(
  d1: D1Database,
  accountId: string,
  phone: string,
  reason: string,
): Promise<void> {
  await d1
    .prepare(
      "INSERT INTO suppressions (account_id, phone, reason) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(accountId, phone, reason)
    .run();
}
