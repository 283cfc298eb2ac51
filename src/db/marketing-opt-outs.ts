/**
 * Marketing-only opt-outs (schema: `marketingOptOuts`): written from Meta's
 * `user_preferences` webhook and from failed statuses with 131050, read at
 * create and at send for marketing templates. Every query is scoped by account.
 */
import { isMarketing, type MarketingRules } from "../domain/marketing-rules";

export interface MarketingPreference {
  /** E.164 digits, when Meta gave them. */
  phone: string | null;
  /** Business-scoped user id, when Meta gave it. */
  userId: string | null;
  state: "stop" | "resume";
  /** Meta's event time, epoch ms. */
  at: number;
  source: "user_preferences" | "131050";
  detail: string;
}

/**
 * Records one preference under the phone and under the user id (whichever
 * are given). The latest of Meta's timestamps wins: an older event arriving
 * later changes nothing.
 */
export async function recordMarketingPreference(
  d1: D1Database,
  accountId: string,
  p: MarketingPreference,
): Promise<void> {
  const subjects = [p.phone, p.userId].filter((v): v is string => !!v);
  if (subjects.length === 0) return;
  // The same person's other rows (a user-id row naming this phone, a phone
  // row naming this user id) follow too, so that no older row outvotes this event.
  const samePerson = d1
    .prepare(
      `UPDATE marketing_opt_outs SET state = ?, at = ?, source = ?, detail = ?,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
       WHERE account_id = ? AND at <= ? AND (phone = ? OR user_id = ?)`,
    )
    .bind(p.state, p.at, p.source, p.detail, accountId, p.at, p.phone, p.userId);
  await d1.batch([
    samePerson,
    ...subjects.map((subject) =>
      d1
        .prepare(
          `INSERT INTO marketing_opt_outs (account_id, subject, phone, user_id, state, at, source, detail, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))
           ON CONFLICT (account_id, subject) DO UPDATE SET
             phone = COALESCE(excluded.phone, marketing_opt_outs.phone),
             user_id = COALESCE(excluded.user_id, marketing_opt_outs.user_id),
             state = excluded.state, at = excluded.at, source = excluded.source,
             detail = excluded.detail, updated_at = excluded.updated_at
           WHERE excluded.at >= marketing_opt_outs.at`,
        )
        .bind(accountId, subject, p.phone, p.userId, p.state, p.at, p.source, p.detail),
    ),
  ]);
}

/**
 * The phones and business-scoped user ids with a marketing opt-out in force
 * (a stop not followed by a resume): a recipient addressed by either is found.
 */
export async function loadMarketingOptOuts(
  d1: D1Database,
  accountId: string,
): Promise<ReadonlySet<string>> {
  const { results } = await d1
    .prepare(
      "SELECT phone, subject FROM marketing_opt_outs WHERE account_id = ? AND state = 'stop'",
    )
    .bind(accountId)
    .all<{ phone: string | null; subject: string }>();
  const phones = new Set<string>();
  for (const r of results) {
    if (r.phone) phones.add(r.phone);
    // A subject is a phone (digits) or a user id: either may address a recipient.
    phones.add(r.subject);
  }
  return phones;
}

/**
 * Of `subjects` (phones or user ids), those opted out of marketing now: one
 * query for a send wave.
 */
export async function optedOutOfMarketing(
  d1: D1Database,
  accountId: string,
  subjects: string[],
): Promise<ReadonlySet<string>> {
  if (subjects.length === 0) return new Set();
  const { results } = await d1
    .prepare(
      `SELECT subject FROM marketing_opt_outs WHERE account_id = ? AND state = 'stop' AND subject IN (${subjects.map(() => "?").join(", ")})`,
    )
    .bind(accountId, ...subjects)
    .all<{ subject: string }>();
  return new Set(results.map((r) => r.subject));
}

/** The rules a marketing template's recipients are checked against (none for other categories). */
export async function marketingRulesFor(
  d1: D1Database,
  accountId: string,
  category: string | null | undefined,
): Promise<MarketingRules> {
  if (!isMarketing(category)) return { blockUs: false, optedOut: new Set() };
  const [account, optedOut] = await Promise.all([
    d1
      .prepare("SELECT block_us_marketing FROM accounts WHERE id = ?")
      .bind(accountId)
      .first<{ block_us_marketing: number }>(),
    loadMarketingOptOuts(d1, accountId),
  ]);
  return { blockUs: account ? Number(account.block_us_marketing) === 1 : true, optedOut };
}
