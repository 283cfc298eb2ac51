/** What travels on the queues: ids, never payloads. */

/** chorus-sends: one batch of a broadcast's recipients to send. */
import type { CallbackEvent } from "../domain/callbacks";
export interface SendBatchMessage {
  accountId: string;
  broadcastId: string;
  batchId: number;
  seqs: number[];
  /** When the BroadcastDO put it on the queue (epoch ms): the queue's delay feeds its in-flight sizing. */
  enqueuedAt?: number;
}

/** How a consumer reports one recipient's send back to its BroadcastDO. */
/** The chorus-callbacks queue: an event to fan out, or a delivery to (re)try. */
export type CallbackMessage =
  | { kind: "event"; accountId: string; callbackUrl: string | null; event: CallbackEvent }
  /**
   * `accountId` names the shard of a delivery logged in the account's month
   * shard (its id names the month); retries queued before it was added lack it.
   */
  | { kind: "delivery"; deliveryId: string; accountId?: string };

/**
 * `latencyMs`: from the request leaving to Meta's answer, for sends that went
 * out (the BroadcastDO sizes what it keeps in flight by it).
 */
export type SendOutcome =
  /**
   * `held`: Meta answered `held_for_quality_assessment` (pacing): accepted, not yet sent.
   * `endpoint`: the Cloud API path that accepted it (`marketing_messages`: the Marketing Messages API).
   */
  | {
      seq: number;
      outcome: "accepted";
      wamid: string;
      latencyMs?: number;
      held?: boolean;
      endpoint?: "messages" | "marketing_messages";
    }
  /**
   * A 2xx without a message id: Meta may have accepted it, so it is not sent
   * again blindly. The row stays claimed: a status webhook (matched by its
   * callback data) settles it, and if none comes within the lease it is sent again.
   */
  | { seq: number; outcome: "unconfirmed"; latencyMs?: number }
  /** Permanent for this recipient. */
  | {
      seq: number;
      outcome: "failed";
      code: number;
      title: string;
      details: string;
      latencyMs?: number;
      /** Not sent: Chorus held it back (a marketing opt-out found at send), not Meta. */
      byChorus?: boolean;
    }
  /** Concerns the sender or template, not the recipient: pause the broadcast. */
  | { seq: number; outcome: "halt"; code: number; title: string; latencyMs?: number }
  /**
   * Not sent, through no fault of the recipient (the broadcast stopped, the
   * slot was missed, or the next free slot lies past the lease): back to
   * pending, from `notBefore` on when given; no attempt is counted.
   */
  | { seq: number; outcome: "released"; notBefore?: number; late?: boolean }
  /** Not sent now, for this recipient only: back to pending, not before `notBefore` (epoch ms). */
  | {
      seq: number;
      outcome: "reschedule";
      notBefore: number;
      code: number;
      title: string;
      latencyMs?: number;
    };
