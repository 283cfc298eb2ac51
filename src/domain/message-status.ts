/**
 * One recipient's status as the Broadcasts API shows it outside a broadcast:
 * the `message_statuses` item, also the body of a status callback.
 */

/** A stable id per recipient: the broadcast's uuid with the recipient's sequence in its last group. */
export function recipientUuid(broadcastId: string, seq: number): string {
  return `${broadcastId.slice(0, 24)}${seq.toString(16).padStart(12, "0")}`;
}

/** ISO 8601 without a zero millisecond part, as the seed writes times. */
export function isoTime(value: string): string;
export function isoTime(value: string | null): string | null;
export function isoTime(value: string | null): string | null {
  if (value === null) return null;
  return new Date(value).toISOString().replace(".000Z", "Z");
}

export interface MessageStatusSource {
  broadcastId: string;
  seq: number;
  identifier: string;
  status: string;
  deliveredAt: string | null;
  readAt: string | null;
  error: string | null;
  clientReference: string | null;
  updatedAt: string;
}

export function messageStatusItem(r: MessageStatusSource) {
  return {
    uuid: recipientUuid(r.broadcastId, r.seq),
    identifier: r.identifier,
    status: r.status,
    delivered_at: isoTime(r.deliveredAt),
    read_at: isoTime(r.readAt),
    error: r.error,
    client_reference: r.clientReference,
    broadcast_uuid: r.broadcastId,
    updated_at: isoTime(r.updatedAt),
  };
}

export type MessageStatusItem = ReturnType<typeof messageStatusItem>;
