/** What travels on the queues: ids, never payloads. */

/** chorus-sends: one batch of a broadcast's recipients to send. */
import type { CallbackEvent } from "../domain/callbacks";
export interface SendBatchMessage {
  accountId: string;
  broadcastId: string;
  batchId: number;
  seqs: number[];
}

/** How a consumer reports one recipient's send back to its BroadcastDO. */
/** The chorus-callbacks queue: an event to fan out, or a delivery to (re)try. */
export type CallbackMessage =
  | { kind: "event"; accountId: string; callbackUrl: string | null; event: CallbackEvent }
  | { kind: "delivery"; deliveryId: string };

export type SendOutcome =
  | { seq: number; outcome: "accepted"; wamid: string }
  /** Worth another try later (throughput, 5xx, timeout): the row stays in its batch. */
  | { seq: number; outcome: "retry"; code: number; title: string }
  /** Permanent for this recipient. */
  | { seq: number; outcome: "failed"; code: number; title: string; details: string }
  /** Concerns the sender or template, not the recipient: pause the broadcast. */
  | { seq: number; outcome: "halt"; code: number; title: string }
  /** Not sent (the broadcast stopped meanwhile): give the row back. */
  | { seq: number; outcome: "released" }
  /** Not sent now, for this recipient only: back to pending, not before `notBefore` (epoch ms). */
  | { seq: number; outcome: "reschedule"; notBefore: number; code: number; title: string };
