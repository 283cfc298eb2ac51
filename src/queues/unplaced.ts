/**
 * Events the consumer could not place through D1 (no callback data, no
 * projected wamid, no recent message to that person): Chorus's own events
 * whose projection lags, or events for messages Chorus never sent (a number
 * shared with another tool). The latter are acknowledged at once and
 * counted; only what may still be ours waits, and only while it may.
 */
import { type RecentBroadcast, recentBroadcastsOfNumber } from "../db/broadcasts";
import { broadcastStub } from "../durable/stubs";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import type { InboundEvent, StatusEvent } from "../whatsapp/webhooks";

/** An event that may still be ours is retried this often, then dropped (and logged). */
const MAX_EVENT_ATTEMPTS = 4;
/** Broadcasts changed this recently may hold a message their projection does not show yet. */
const ASK_WINDOW_MS = 10 * 60_000;
/** The projection follows the Durable Object within a flush (~2 s): this margin covers it. */
const PROJECTION_LAG_MS = 30_000;
const LIVE = new Set(["sending", "paused"]);

type Verdict = "placed" | "wait" | "foreign";

/** Events acknowledged as not Chorus's, since this isolate started (the log line's counter). */
let foreignTotal = 0;

export async function settleUnplaced(
  env: Bindings,
  messages: Message<StatusEvent | InboundEvent>[],
): Promise<void> {
  const recent = new Map<string, Promise<RecentBroadcast[]>>();
  const candidates = (phoneNumberId: string) => {
    let found = recent.get(phoneNumberId);
    if (!found) {
      const since = new Date(Date.now() - ASK_WINDOW_MS).toISOString();
      found = recentBroadcastsOfNumber(env.DB, phoneNumberId, since);
      recent.set(phoneNumberId, found);
    }
    return found;
  };
  const foreign: Record<string, number> = {};
  for (const message of messages) {
    const event = message.body;
    let verdict: Verdict;
    try {
      verdict = await judge(env, event, await candidates(event.phoneNumberId));
    } catch (err) {
      log("error", "placing an event failed", errorFields(err));
      message.retry({ delaySeconds: 5 });
      continue;
    }
    if (verdict === "wait" && message.attempts < MAX_EVENT_ATTEMPTS) {
      message.retry({ delaySeconds: 3 * message.attempts });
      continue;
    }
    if (verdict === "foreign") {
      const kind = event.kind === "status" ? event.status : event.kind;
      foreign[kind] = (foreign[kind] ?? 0) + 1;
    } else if (verdict === "wait") {
      log("warn", "dropped unknown event", {
        kind: event.kind,
        wamid: event.wamid,
        phoneNumberId: event.phoneNumberId,
        person:
          event.kind === "status"
            ? event.recipientId || event.recipientUserId
            : event.from || event.userId,
      });
    }
    message.ack();
  }
  const count = Object.values(foreign).reduce((a, b) => a + b, 0);
  if (count > 0) {
    foreignTotal += count;
    log("info", "acknowledged events for messages Chorus never sent", {
      count,
      kinds: foreign,
      total: foreignTotal,
    });
  }
}

async function judge(
  env: Bindings,
  event: StatusEvent | InboundEvent,
  recent: RecentBroadcast[],
): Promise<Verdict> {
  if (event.kind === "status") {
    // Chorus puts callback data on every send and Meta echoes it on every
    // status but `failed`: without it, a sent/delivered/read is another tool's.
    if (event.status !== "failed") return "foreign";
    // A failed status names no broadcast: the Durable Objects that may know
    // the wamid before D1 does are asked directly (they are the truth).
    for (const b of recent) {
      const { unknown } = await broadcastStub(env, b.accountId, b.broadcastId).applyStatuses([
        event,
      ]);
      if (unknown === 0) return "placed";
    }
    // Still sending: the send's answer (and so its wamid) may not be settled yet.
    return recent.some((b) => LIVE.has(b.status)) ? "wait" : "foreign";
  }
  // A reply or reaction finds its message through the projection, which lags
  // its broadcast by a flush: wait only while a broadcast of this number may lag.
  const laggingSince = new Date(Date.now() - PROJECTION_LAG_MS).toISOString();
  return recent.some((b) => LIVE.has(b.status) || b.updatedAt >= laggingSince) ? "wait" : "foreign";
}
