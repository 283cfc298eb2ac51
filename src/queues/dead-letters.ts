/**
 * Dead-letter consumers: what the queues gave up on is accounted for, never
 * silently dropped. A send batch's unsent recipients fail with a clear error.
 */
import { broadcastStub } from "../durable/stubs";
import type { Bindings } from "../env";
import type { SendBatchMessage } from "./messages";

export const DEAD_LETTER_REASON =
  "Could not be sent: the send queue gave up after repeated failures";

export async function consumeDeadSends(
  batch: MessageBatch<SendBatchMessage>,
  env: Bindings,
): Promise<void> {
  for (const message of batch.messages) {
    const { accountId, broadcastId, batchId } = message.body;
    await broadcastStub(env, accountId, broadcastId).failBatch(batchId, DEAD_LETTER_REASON);
    message.ack();
  }
}
