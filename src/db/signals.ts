/**
 * D1's side of Meta's quality signals: template statuses, a number's
 * throughput and warnings, the portfolio's messaging limit, and which
 * broadcasts a signal must pause.
 */
import type { MessagingLimit } from "../domain/messaging-limit";

export interface BroadcastRef {
  accountId: string;
  broadcastId: string;
}

/** Broadcasts not yet finished: the ones a stop signal must pause. */
const LIVE = "b.status IN ('scheduled', 'sending')";

export async function setTemplateStatus(
  d1: D1Database,
  wabaId: string,
  name: string,
  language: string,
  status: string,
): Promise<void> {
  await d1
    .prepare("UPDATE templates SET status = ? WHERE waba_id = ? AND name = ? AND language = ?")
    .bind(status, wabaId, name, language)
    .run();
}

export function liveBroadcastsUsingTemplate(
  d1: D1Database,
  wabaId: string,
  name: string,
  language: string,
): Promise<BroadcastRef[]> {
  return liveBroadcasts(
    d1,
    `JOIN senders s ON s.id = b.sender_id AND s.account_id = b.account_id
     WHERE s.waba_id = ? AND b.template_name = ? AND b.template_language = ?`,
    [wabaId, name, language],
  );
}

export function liveBroadcastsOfSender(
  d1: D1Database,
  accountId: string,
  senderId: string,
): Promise<BroadcastRef[]> {
  return liveBroadcasts(d1, "WHERE b.account_id = ? AND b.sender_id = ?", [accountId, senderId]);
}

async function liveBroadcasts(
  d1: D1Database,
  condition: string,
  binds: string[],
): Promise<BroadcastRef[]> {
  const { results } = await d1
    .prepare(
      `SELECT b.account_id AS accountId, b.id AS broadcastId FROM broadcasts b ${condition} AND ${LIVE}`,
    )
    .bind(...binds)
    .all<BroadcastRef>();
  return results;
}

export interface QualityWarning {
  event: string;
  at: string;
  message: string;
}

/** Applies a throughput or warning change to the number(s) with this display number in the WABA. */
export async function updateNumberQuality(
  d1: D1Database,
  wabaId: string,
  phoneNumber: string,
  change: { throughputMps?: number; capMps?: number; warning?: QualityWarning | null },
): Promise<number> {
  const sets: string[] = [];
  const binds: (string | number | null)[] = [];
  if (change.throughputMps !== undefined) {
    sets.push("throughput_mps = ?");
    binds.push(change.throughputMps);
  }
  if (change.capMps !== undefined) {
    sets.push("throughput_mps = MIN(throughput_mps, ?)");
    binds.push(change.capMps);
  }
  if (change.warning !== undefined) {
    sets.push("quality_warning = ?");
    binds.push(change.warning ? JSON.stringify(change.warning) : null);
  }
  if (sets.length === 0) return 0;
  sets.push("updated_at = ?");
  binds.push(new Date().toISOString());
  const result = await d1
    .prepare(`UPDATE senders SET ${sets.join(", ")} WHERE waba_id = ? AND phone_number = ?`)
    .bind(...binds, wabaId, phoneNumber)
    .run();
  return result.meta.changes;
}

/** The messaging limit is the portfolio's: every sender of the WABA takes it. */
export async function setMessagingLimit(
  d1: D1Database,
  wabaId: string,
  limit: MessagingLimit | null,
): Promise<void> {
  // Every WABA of the same business portfolio, once the sync has read it, takes it too.
  await d1
    .prepare(
      `UPDATE senders SET messaging_limit = ?1, updated_at = ?2
       WHERE waba_id = ?3 OR business_id IN (SELECT business_id FROM senders WHERE waba_id = ?3)`,
    )
    .bind(limit, new Date().toISOString(), wabaId)
    .run();
}

/** The business portfolio that owns the WABA (Meta's `owner_business_info.id`), on its senders. */
export async function setBusinessId(
  d1: D1Database,
  wabaId: string,
  businessId: string,
): Promise<void> {
  await d1
    .prepare(
      "UPDATE senders SET business_id = ?, updated_at = ? WHERE waba_id = ? AND business_id IS NOT ?",
    )
    .bind(businessId, new Date().toISOString(), wabaId, businessId)
    .run();
}
