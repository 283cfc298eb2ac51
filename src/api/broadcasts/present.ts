/**
 * How the Broadcasts API shows the engine's broadcasts and recipients.
 */

import type { BroadcastSummary, RecipientStatus, RecipientView } from "../../domain/broadcast";
import { countersView } from "../../domain/counters";
import { isoTime } from "../../domain/message-status";

export function broadcastDetails(s: BroadcastSummary) {
  const c = countersView(s.counters);
  return {
    uuid: s.broadcastId,
    name: s.name,
    status: s.state,
    scheduled_at: isoTime(s.scheduledAt),
    valid_until: isoTime(s.validUntil),
    recipients: c.recipients,
    sent: c.sent,
    delivered: c.delivered,
    read: c.read,
    rejected: c.rejected,
    failed: c.failed,
    pending: c.pending,
    submitted: c.submitted,
    held: s.held ?? 0,
    cancelled: c.cancelled,
    replied: c.replied,
    pause_reason: s.pauseReason,
    send_window: s.sendWindow,
    timezone: s.windowZone,
    tier_policy: s.tierPolicy,
    status_callback_url: s.statusCallbackUrl,
    tier_notice: s.tierNotice,
    started_at: isoTime(s.startedAt),
    completed_at: isoTime(s.completedAt),
  };
}

export type PublicRecipientStatus =
  | "pending"
  | "submitted"
  | "sent"
  | "delivered"
  | "read"
  | "rejected"
  | "failed"
  | "undeliverable"
  | "cancelled";

export function publicStatus(status: RecipientStatus): PublicRecipientStatus {
  return status === "queued" || status === "sending" ? "pending" : status;
}

/**
 * The rows a status filter selects: `held` is a submitted message Meta holds
 * for quality assessment, so `submitted` is one it does not.
 */
export function recipientFilter(status: PublicRecipientStatus | "held"): {
  status: RecipientStatus[];
  held: boolean | null;
} {
  if (status === "held") return { status: ["submitted"], held: true };
  return { status: internalStatuses(status), held: status === "submitted" ? false : null };
}

/** The internal statuses behind a public one (for filters). */
export function internalStatuses(status: PublicRecipientStatus): RecipientStatus[] {
  return status === "pending" ? ["pending", "queued", "sending"] : [status];
}

export function recipientError(r: RecipientView): string | undefined {
  if (r.errors?.length) return r.errors.join("; ");
  if (r.status === "failed" || r.status === "undeliverable") return r.errorTitle ?? undefined;
  // Held for later because of Meta's answer (131049 until tomorrow…): why it waits.
  if (r.status === "pending" && r.nextSendAt && r.errorCode !== null)
    return r.errorTitle ?? undefined;
  return undefined;
}

export function recipientItem(r: RecipientView) {
  const error = recipientError(r);
  return {
    identifier: r.identifier,
    status: r.held && r.status === "submitted" ? ("held" as const) : publicStatus(r.status),
    client_reference: r.clientReference,
    ...(r.deliveredAt ? { delivered_at: isoTime(r.deliveredAt) } : {}),
    ...(r.readAt ? { read_at: isoTime(r.readAt) } : {}),
    ...(r.nextSendAt ? { next_send_at: isoTime(r.nextSendAt) } : {}),
    ...(r.endpoint ? { endpoint: r.endpoint } : {}),
    ...(r.userId ? { user_id: r.userId } : {}),
    ...(error ? { error } : {}),
    ...(error && r.errorCode !== null && (r.status === "failed" || r.status === "pending")
      ? { error_code: r.errorCode }
      : {}),
    updated_at: isoTime(r.updatedAt),
  };
}
