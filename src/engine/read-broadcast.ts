/**
 * What both surfaces read of one broadcast, and its removal. Its Durable
 * Object is the truth (D1's summary and projection are copies a few seconds
 * behind): a read here is as fresh as the broadcast itself. The DO's name
 * includes the account, so another account's id is simply not found (null).
 */
import type { BroadcastSummary, RecipientStatus, RecipientView } from "../domain/broadcast";
import { broadcastStub } from "../durable/stubs";
import type { Bindings } from "../env";

export function broadcastSummary(
  env: Bindings,
  accountId: string,
  broadcastId: string,
): Promise<BroadcastSummary | null> {
  return broadcastStub(env, accountId, broadcastId).summary();
}

export interface RecipientQuery {
  limit: number;
  offset: number;
  /** ISO 8601: only rows changed at or after, oldest change first. */
  updatedSince: string | null;
  status: RecipientStatus[] | null;
  /** Only messages Meta holds for quality assessment (true), or only others (false); absent: both. */
  held?: boolean | null;
}

export function broadcastRecipients(
  env: Bindings,
  accountId: string,
  broadcastId: string,
  query: RecipientQuery,
): Promise<{ rows: RecipientView[]; total: number } | null> {
  return broadcastStub(env, accountId, broadcastId).recipients(query);
}

/** Sends per second, failures by Meta's code, the send path's figures; null when not found. */
export function broadcastActivity(env: Bindings, accountId: string, broadcastId: string) {
  return broadcastStub(env, accountId, broadcastId).activity();
}

/** Cancels what is still unsent, then erases the broadcast (its DO, D1 summary and projection). */
export function removeBroadcast(
  env: Bindings,
  accountId: string,
  broadcastId: string,
): Promise<boolean> {
  return broadcastStub(env, accountId, broadcastId).remove();
}
