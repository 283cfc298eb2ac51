/**
 * The chorus-events consumer: applies Meta's webhook events to the broadcasts
 * they belong to, one DO call per broadcast per batch. Status events name
 * their broadcast in biz_opaque_callback_data; those without it (Meta does not
 * promise it on `failed`) are found through the wamid index in D1. Replies are
 * attributed to the message they answer (a quick-reply tap's payload as
 * Chorus set it, else context.id), else to the latest
 * broadcast message sent to that number from that sender within 24 h. What
 * D1 cannot place goes to unplaced.ts: another tool's events are acknowledged
 * at once, Chorus's own wait for their projection.
 */

import { optOutKeywords } from "../db/accounts";
import { audienceWriter } from "../db/audience-store";
import { findByWamid, findLatestSent, identifierOf, type MessageRef } from "../db/recipient-states";
import { accountsOfNumber } from "../db/senders";
import { STOP_REPLY_REASON } from "../db/suppression-list";
import { suppress } from "../db/suppressions";
import { isBusinessUserId } from "../domain/business-user-id";
import { broadcastStub } from "../durable/stubs";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import type { InboundEvent, StatusEvent, WebhookEvent } from "../whatsapp/webhooks";
import { applyOptOutStatus, applyPreference, isMarketingOptOut } from "./preferences";
import { applyAccountEvent } from "./signals";
import { settleUnplaced } from "./unplaced";

const REPLY_WINDOW_MS = 24 * 60 * 60 * 1000;

export const OPT_OUT_REASON = STOP_REPLY_REASON;

export async function consumeEvents(
  batch: MessageBatch<WebhookEvent>,
  env: Bindings,
): Promise<void> {
  const groups = new Map<
    string,
    {
      ref: { accountId: string; broadcastId: string };
      events: StatusEvent[];
      messages: Message<WebhookEvent>[];
    }
  >();
  const unplaced: Message<StatusEvent | InboundEvent>[] = [];
  const learned: { accountId: string; phone: string; userId: string }[] = [];

  for (const message of batch.messages) {
    const event = message.body;
    if (event.kind === "preference") {
      try {
        await applyPreference(env, event);
        message.ack();
      } catch (err) {
        logError("marketing preference failed", err);
        message.retry({ delaySeconds: 5 });
      }
      continue;
    }
    if (
      event.kind === "template_status" ||
      event.kind === "quality" ||
      event.kind === "capability" ||
      event.kind === "template_quality" ||
      event.kind === "template_category"
    ) {
      try {
        await applyAccountEvent(env, event);
        message.ack();
      } catch (err) {
        logError("account event failed", err);
        message.retry({ delaySeconds: 5 });
      }
      continue;
    }
    if (event.kind === "message" || event.kind === "reaction") {
      try {
        const placed = await applyInbound(env, event, learned);
        if (placed) message.ack();
        else unplaced.push(message as Message<InboundEvent>);
      } catch (err) {
        logError("inbound event failed", err);
        message.retry({ delaySeconds: 5 });
      }
      continue;
    }
    let ref: { accountId: string; broadcastId: string } | null = event.broadcast;
    try {
      if (!ref) ref = await findByWamid(env, event.wamid, event.phoneNumberId);
    } catch (err) {
      // Only this event waits for D1; the rest of the batch goes on.
      logError("status event lookup failed", err);
      message.retry({ delaySeconds: 5 });
      continue;
    }
    if (!ref) {
      unplaced.push(message as Message<StatusEvent>);
      continue;
    }
    if (isMarketingOptOut(event)) {
      try {
        await applyOptOutStatus(env, ref, event);
      } catch (err) {
        logError("marketing opt-out from a status failed", err);
        message.retry({ delaySeconds: 5 });
        continue;
      }
    }
    const phone = event.recipientId.replace(/\D/g, "");
    if (phone && event.recipientUserId)
      learned.push({ accountId: ref.accountId, phone, userId: event.recipientUserId });
    const key = `${ref.accountId}:${ref.broadcastId}`;
    const group = groups.get(key) ?? { ref, events: [], messages: [] };
    group.events.push(event);
    group.messages.push(message);
    groups.set(key, group);
  }

  await Promise.all(
    [...groups.values()].map(async (group) => {
      try {
        await broadcastStub(env, group.ref.accountId, group.ref.broadcastId).applyStatuses(
          group.events,
        );
        for (const m of group.messages) m.ack();
      } catch (err) {
        logError("applying statuses failed", err);
        for (const m of group.messages) m.retry({ delaySeconds: 2 });
      }
    }),
  );

  await settleUnplaced(env, unplaced);
  await learnUserIds(env, learned);
}

/** Returns false when the reply or reaction cannot be placed through D1 (see unplaced.ts). */
async function applyInbound(
  env: Bindings,
  event: InboundEvent,
  learned: { accountId: string; phone: string; userId: string }[],
): Promise<boolean> {
  const accounts = await accountsOfNumber(env.DB, event.phoneNumberId);
  if (accounts.length === 0) return true; // not one of ours: nothing to do
  if (event.from && event.userId)
    for (const accountId of accounts)
      learned.push({ accountId, phone: event.from, userId: event.userId });
  const ours = (ref: MessageRef | null): ref is MessageRef =>
    ref !== null && accounts.includes(ref.accountId);

  if (event.kind === "reaction") {
    const ref = await findByWamid(env, event.messageId, event.phoneNumberId);
    if (!ours(ref)) return false;
    return broadcastStub(env, ref.accountId, ref.broadcastId).applyReaction({
      wamid: event.messageId,
      emoji: event.emoji,
      at: event.at,
    });
  }

  // A STOP stops the person by whatever Meta named them: a phone, a user id, or both.
  if (event.from || event.userId) {
    for (const accountId of accounts) {
      if (await isOptOut(env, accountId, event.text))
        await optOut(env, accountId, event.from || null, event.userId);
    }
  }

  // A quick-reply tap's payload, as Chorus set it, names its message: context or not.
  const tapped = event.payloadRef && ours(event.payloadRef) ? event.payloadRef : null;
  if (!event.from && !event.contextId && !tapped) {
    // A bare user id answering nothing in particular: no lookup can ever place it.
    log("info", "inbound message names no broadcast message", {
      userId: event.userId,
      wamid: event.wamid,
      phoneNumberId: event.phoneNumberId,
    });
    return true;
  }
  let ref: MessageRef | null =
    tapped ??
    (event.contextId ? await findByWamid(env, event.contextId, event.phoneNumberId) : null);
  // Only a phone number finds the latest message sent to a person; a bare user id cannot.
  if (!ref && event.from) {
    const since = new Date(event.at - REPLY_WINDOW_MS).toISOString();
    ref = await findLatestSent(env, event.phoneNumberId, event.from, since);
  }
  if (!ours(ref)) return false;
  if (!event.from && (await isOptOut(env, ref.accountId, event.text))) {
    // A user id without a phone: the message it answers names the person's
    // number (or the user id it was addressed by).
    const identifier = await identifierOf(env, ref);
    if (identifier && identifier !== event.userId)
      await optOut(env, ref.accountId, identifier, event.userId);
  }
  await broadcastStub(env, ref.accountId, ref.broadcastId).applyReply({
    seq: ref.seq,
    text: event.text,
    at: event.at,
  });
  return true;
}

/**
 * Both: the suppression list guards every future broadcast (by phone and by
 * user id), and the contact (if there is one) shows as opted out in the v1
 * audience. `phone` null: Meta named the person by a user id only.
 */
async function optOut(
  env: Bindings,
  accountId: string,
  phone: string | null,
  userId: string | null,
): Promise<void> {
  await suppress(env.DB, accountId, phone, OPT_OUT_REASON, userId);
  // While the audience moves between stores this throws (the event is retried):
  // the suppression above already guards every broadcast meanwhile.
  const audience = await audienceWriter(env, accountId);
  if (phone && !isBusinessUserId(phone)) await audience.optOutContact(accountId, phone);
  if (userId) await audience.optOutContactByUserId(accountId, userId);
}

/**
 * The user ids Meta gave beside a phone, kept on the account's contact of
 * that phone (in its account's audience store). A convenience for the
 * audience, not a record: a failure (an audience moving between stores, too)
 * is logged and the events go on.
 */
async function learnUserIds(
  env: Bindings,
  learned: { accountId: string; phone: string; userId: string }[],
): Promise<void> {
  const unique = new Map(learned.map((l) => [`${l.accountId}:${l.phone}:${l.userId}`, l]));
  const byAccount = new Map<string, typeof learned>();
  for (const l of unique.values()) {
    const rows = byAccount.get(l.accountId) ?? [];
    rows.push(l);
    byAccount.set(l.accountId, rows);
  }
  await Promise.all(
    [...byAccount].map(async ([accountId, rows]) => {
      try {
        await (await audienceWriter(env, accountId)).learnContactUserIds(rows);
      } catch (err) {
        logError("keeping contacts' user ids failed", err);
      }
    }),
  );
}

const keywordCache = new Map<string, { words: Set<string>; at: number }>();

async function isOptOut(env: Bindings, accountId: string, text: string): Promise<boolean> {
  const word = text.trim().toUpperCase();
  if (word === "STOP") return true;
  let hit = keywordCache.get(accountId);
  if (!hit || Date.now() - hit.at > 60_000) {
    const list = await optOutKeywords(env.DB, accountId);
    hit = { words: new Set(list.map((w) => w.trim().toUpperCase())), at: Date.now() };
    keywordCache.set(accountId, hit);
  }
  return hit.words.has(word);
}

function logError(msg: string, err: unknown) {
  log("error", msg, errorFields(err));
}
