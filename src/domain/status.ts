/**
 * How a recipient's status moves when Meta reports on its message. Meta's
 * status webhooks arrive out of order and more than once (`read` before
 * `delivered`, `delivered` without `sent`), so a status only ever moves
 * forward and a repeat changes nothing.
 */

export type RecipientStatus =
  | "pending"
  | "queued"
  | "sending"
  | "submitted"
  | "sent"
  | "delivered"
  | "read"
  | "failed"
  | "rejected"
  | "undeliverable"
  | "cancelled";

export type DeliveryStatus = "sent" | "delivered" | "read" | "failed";

/**
 * Progress of a message. `queued` is on the sends queue and `sending` claimed
 * by a consumer: a status for either means Meta has the message, its answer
 * just has not been settled yet.
 */
export const STATUS_RANK: Readonly<Record<RecipientStatus, number>> = {
  pending: 0,
  queued: 1,
  sending: 2,
  submitted: 3,
  sent: 4,
  delivered: 5,
  read: 6,
  // Off the progress line: see applyDeliveryStatus.
  failed: 7,
  rejected: 8,
  undeliverable: 8,
  cancelled: 8,
};

/** Never changed by a delivery status: the recipient was not sent, or not by this broadcast's send. */
const FINAL: ReadonlySet<RecipientStatus> = new Set<RecipientStatus>([
  "rejected",
  "undeliverable",
  "cancelled",
]);

/**
 * The status after Meta reports `incoming`, or null for no change.
 * - `sent` < `delivered` < `read`: only forward, so duplicates and late arrivals do nothing.
 * - `failed` ends a message that is not yet delivered; it is terminal, except
 *   that a later `delivered` or `read` proves the message arrived after all.
 * - `rejected`, `undeliverable` and `cancelled` never change.
 */
export function applyDeliveryStatus(
  current: RecipientStatus,
  incoming: DeliveryStatus,
): RecipientStatus | null {
  if (FINAL.has(current)) return null;
  if (current === "failed") {
    return incoming === "delivered" || incoming === "read" ? incoming : null;
  }
  if (incoming === "failed") {
    // A message already delivered or read did arrive: a late failure cannot undo that.
    return STATUS_RANK[current] < STATUS_RANK.delivered ? "failed" : null;
  }
  return STATUS_RANK[incoming] > STATUS_RANK[current] ? incoming : null;
}

/** Statuses after which nothing more is sent; only delivery news may still arrive. */
const TERMINAL: ReadonlySet<RecipientStatus> = new Set<RecipientStatus>([
  "read",
  "failed",
  "rejected",
  "undeliverable",
  "cancelled",
]);

export function isTerminal(status: RecipientStatus): boolean {
  return TERMINAL.has(status);
}

/** Whether a recipient no longer needs sending: Meta has it, or it will never be sent. */
export function isSendSettled(status: RecipientStatus): boolean {
  return STATUS_RANK[status] >= STATUS_RANK.submitted;
}
