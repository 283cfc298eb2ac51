/**
 * What a broadcast hands to status callbacks: its changed recipients (at each
 * projection flush, before the flush is marked done, so a crash re-sends
 * rather than loses them) and its end. Only when someone listens: the
 * broadcast's own status_callback_url, or an active endpoint of the account.
 * Which endpoint gets what is the callbacks consumer's business.
 */
import { hasActiveEndpoints } from "../../db/webhook-endpoints";
import type { BroadcastPlan } from "../../domain/broadcast";
import {
  broadcastEvent,
  type CallbackEvent,
  type RecipientChange,
  recipientEvent,
} from "../../domain/callbacks";
import type { Bindings } from "../../env";
import type { CallbackMessage } from "../../queues/messages";

/** Whether an account has endpoints, remembered this long per isolate. */
const LISTENERS_TTL_MS = 10_000;
const listeners = new Map<string, { yes: boolean; at: number }>();

async function listened(env: Bindings, plan: BroadcastPlan): Promise<boolean> {
  if (plan.statusCallbackUrl) return true;
  const hit = listeners.get(plan.accountId);
  if (hit && Date.now() - hit.at < LISTENERS_TTL_MS) return hit.yes;
  const yes = await hasActiveEndpoints(env.DB, plan.accountId);
  listeners.set(plan.accountId, { yes, at: Date.now() });
  return yes;
}

async function enqueue(env: Bindings, plan: BroadcastPlan, events: CallbackEvent[]) {
  const messages: MessageSendRequest<CallbackMessage>[] = events.map((event) => ({
    body: {
      kind: "event",
      accountId: plan.accountId,
      callbackUrl: plan.statusCallbackUrl ?? null,
      event,
    },
  }));
  for (let i = 0; i < messages.length; i += 100) {
    await env.CALLBACKS.sendBatch(messages.slice(i, i + 100));
  }
}

export async function emitRecipientChanges(
  env: Bindings,
  plan: BroadcastPlan,
  changes: RecipientChange[],
): Promise<void> {
  if (changes.length === 0 || !(await listened(env, plan))) return;
  await enqueue(env, plan, changes.map(recipientEvent));
}

export async function emitBroadcastEnd(
  env: Bindings,
  plan: BroadcastPlan,
  status: "completed" | "cancelled",
  at: string,
  counts: { recipients: number; submitted: number; failed: number },
): Promise<void> {
  if (!(await listened(env, plan))) return;
  await enqueue(env, plan, [broadcastEvent(plan.broadcastId, status, at, counts)]);
}
