/**
 * The chorus-sends consumer. One queue message is one wave: up to six
 * recipients, as many as an invocation's connections can send at once. For
 * each it claims the rows from their BroadcastDO, takes its connections, then
 * its slots from the sender's SenderDO (never a slot spent waiting for a
 * connection), and sends each at its slot. The batch is handed off once its
 * slots are reserved and the last is near (HANDOFF_WITHIN_MS): the sends
 * leave and Meta's answers are settled back as they come, in the
 * invocation's waitUntil, so that a redelivered batch re-sends nothing Meta
 * accepted and neither a slot's wait nor a slow answer holds the queue.
 */

import { optedOutOfMarketing } from "../db/marketing-opt-outs";
import { type SenderMarketingApi, senderCredentials } from "../db/senders";
import { currentTemplateCategory } from "../db/template-category";
import type { BroadcastPlan } from "../domain/broadcast";
import { withQuickReplyPayloads } from "../domain/components";
import { FREQUENCY_CAP_CODE } from "../domain/frequency-cap";
import { isMarketing, MARKETING_OPTED_OUT } from "../domain/marketing-rules";
import {
  MARKETING_API_REQUIRED_CODE,
  MARKETING_LIMIT_CODE,
  MARKETING_OPT_OUT_CODE,
} from "../domain/meta-errors";
import { DEPARTURE_TOLERANCE_MS, departBy, ewma, MAX_DEPARTURE_DELAY_MS } from "../domain/pacing";
import type { ClaimedRecipient } from "../durable/broadcast-do";
import { PAIR_SPACING_MS, type SlotReservation } from "../durable/sender-do";
import { broadcastStub, senderStub } from "../durable/stubs";
import { cachedFrequencyCap, cappedPeople } from "../engine/frequency-cap";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import { decryptAccessToken } from "../whatsapp/access-token";
import { type Connections, invocationConnections } from "../whatsapp/connections";
import { PAIR_RATE_CODE } from "../whatsapp/errors";
import { callbackData, type MarketingMessagesOptions, sendTemplate } from "../whatsapp/messages";
import { depart } from "./departures";
import type { SendBatchMessage, SendOutcome } from "./messages";
import { pauseSender } from "./signals";

/** What a recipient held back by Chorus's own pair spacing shows until it is sent. */
const PAIR_SPACED = {
  code: PAIR_RATE_CODE,
  title: "Waiting: this person was messaged from this number moments ago",
};

/** Tries of one recipient before a still-failing send is failed for good. */
export const MAX_SEND_ATTEMPTS = 6;
/** How long a send may take before it counts as a timeout (retried); the SEND_TIMEOUT_MS var overrides it. */
const SEND_TIMEOUT_MS = 10_000;
const SENDER_CACHE_MS = 5_000;
/** A wave whose first slot is further away than this re-reads the broadcast's state before sending… */
const STATE_RECHECK_AFTER_MS = 1_000;
/** …this long before that slot. */
const STATE_RECHECK_LEAD_MS = 250;
/**
 * A batch is handed off (the handler returns, its sends leave in the
 * invocation's waitUntil) once every slot is reserved and the last is at
 * most this far away. Waiting for the sends to leave first made each batch
 * last its slots' span plus the reservation's lead, time in which the
 * queue (Miniflare: the only invocation; production: the autoscaler, which
 * re-evaluates when a batch ends) could not start the next wave. Kept short
 * because how long a queue handler's waitUntil may outlive it is
 * unconfirmed (fetch handlers: 30 s); Meta's answers already wait there for
 * up to the send timeout.
 */
const HANDOFF_WITHIN_MS = 1_000;

/**
 * How late this isolate's sends leave against their slots, averaged: above
 * the lateness the pacing tolerates (DEPARTURE_TOLERANCE_MS), its event loop
 * is behind (CPU), and a batch is handed off only once its sends have left.
 * Taking more slots than it can keep only made sends miss them by over a
 * second, give them up and be claimed again, which costs more of the CPU
 * that was short (the dispatch bench at 200 mps in one process: 40% of
 * sends).
 */
let departureLatenessMs = 0;
const isolateBehind = () => departureLatenessMs > DEPARTURE_TOLERANCE_MS;

/** The access token is decrypted here and only here. */
interface CurrentSender {
  token: string;
  throughputMps: number;
  /** Which path its marketing templates take (the Marketing Messages API or /messages). */
  marketing: SenderMarketingApi;
}
const senderCache = new Map<string, { sender: CurrentSender | null; at: number }>();

/**
 * The sender as it is now (its token and throughput may have changed since
 * the broadcast was created), or null once it is deleted. Cached briefly:
 * one D1 read per isolate every few seconds, not one per batch.
 */
async function currentSender(
  env: Bindings,
  accountId: string,
  senderId: string,
): Promise<CurrentSender | null> {
  const key = `${accountId}:${senderId}`;
  const hit = senderCache.get(key);
  if (hit && Date.now() - hit.at < SENDER_CACHE_MS) return hit.sender;
  const row = await senderCredentials(env.DB, accountId, senderId);
  const sender = row
    ? {
        token: await decryptAccessToken(row.accessTokenEnc, env.TOKEN_ENCRYPTION_KEY),
        throughputMps: row.throughputMps,
        marketing: {
          marketingApi: row.marketingApi,
          productPolicy: row.productPolicy,
          messageActivitySharing: row.messageActivitySharing,
        },
      }
    : null;
  senderCache.set(key, { sender, at: Date.now() });
  return sender;
}

export function retryDelaySeconds(attempts: number): number {
  const base = Math.min(30, 2 ** Math.max(0, attempts - 1));
  return Math.ceil(base + Math.random() * base * 0.5);
}

const sleepUntil = (at: number) => {
  const ms = at - Date.now();
  return ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
};

const sendTimeoutMs = (env: Bindings) => Number(env.SEND_TIMEOUT_MS) || SEND_TIMEOUT_MS;

/**
 * A reservation's round trip to the SenderDO, averaged per isolate: slots
 * are asked for this far ahead (two trips, plus a little), so that
 * the first is not already late by the time the answer is back.
 */
let reserveTripMs: number | null = null;
const noteReserveTrip = (ms: number) => {
  reserveTripMs = ewma(reserveTripMs, ms);
};
const reserveLeadMs = () => Math.ceil((reserveTripMs ?? 10) * 2) + 10;

export async function consumeSends(
  batch: MessageBatch<SendBatchMessage>,
  env: Bindings,
  ctx: Pick<ExecutionContext, "waitUntil">,
): Promise<void> {
  // One invocation, one set of six connections, shared by every wave of the batch.
  const connections = invocationConnections(env);
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        const { answered } = await startBatch(env, message.body, connections);
        // Every send of the wave has its slot: the batch is done as far as the
        // queue goes; the sends leave and Meta's answers are settled after (the
        // claim's lease, not the queue, keeps them from being sent twice meanwhile).
        message.ack();
        ctx.waitUntil(
          answered.catch((err) =>
            log("error", "settling a send batch failed", {
              batchId: message.body.batchId,
              ...errorFields(err),
            }),
          ),
        );
      } catch (err) {
        log("error", "send batch failed", {
          batchId: message.body.batchId,
          ...errorFields(err),
        });
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
    }),
  );
}

/** Sends one batch and settles every answer (tests, and callers that wait for it all). */
export async function sendBatch(
  env: Bindings,
  body: SendBatchMessage,
  connections: Connections = invocationConnections(env),
): Promise<void> {
  const { answered } = await startBatch(env, body, connections);
  await answered;
}

/**
 * Sends one batch: resolves once it is handed off (every slot reserved, the
 * last within HANDOFF_WITHIN_MS), with `answered`, which resolves once every
 * send has left (or given its slot back) and every answer is settled. A
 * recipient whose send should be tried again (5xx, timeout, throughput) goes
 * back to pending with its own backoff, so a slow answer never holds the
 * invocation: the queue can hand the next wave out meanwhile.
 */
export async function startBatch(
  env: Bindings,
  body: SendBatchMessage,
  connections: Connections,
): Promise<{ answered: Promise<void> }> {
  const broadcast = broadcastStub(env, body.accountId, body.broadcastId);
  const claim = await broadcast.claim(body.batchId, body.enqueuedAt ?? null);
  if (claim.recipients.length === 0 || !claim.plan) return { answered: Promise.resolve() };
  const plan = claim.plan;
  const settler = new Settler((outcomes) => broadcast.settle(outcomes, claim.claimedAt));

  const current = await currentSender(env, plan.accountId, plan.sender.id);
  if (!current) {
    for (const r of claim.recipients)
      settler.add({ seq: r.seq, outcome: "halt", code: 190, title: "Sender no longer exists" });
    return { answered: settler.drain() };
  }

  const timeoutMs = sendTimeoutMs(env);
  const marketing = await marketingMessagesRoute(env, plan, current.marketing);
  // A fallback send (the Marketing Messages API refused a template as not marketing) holds a connection of its own.
  const connection = async () => (await connections.acquire(1, 0))[0] ?? (() => undefined);
  const sender = senderStub(env, plan.sender.phoneNumberId);
  const senderStops: string[] = [];
  const answers: Promise<void>[] = [];
  const departures: Promise<void>[] = [];
  let lastSlotAt = 0;
  /**
   * Sleeps to each slot of a reserved wave and sends there; resolves once
   * every send has left (its answer goes to `answers`) or given its slot back.
   */
  const leaveAtSlots = async (
    wave: ClaimedRecipient[],
    reservation: SlotReservation,
    releases: (() => void)[],
  ): Promise<void> => {
    const first = reservation.slots[0]?.at ?? Date.now();
    if (first - Date.now() > STATE_RECHECK_AFTER_MS) {
      // A pause or cancel since the claim must stop this wave before it sends
      // anything: asked a little before the first slot, so the answer is back in time.
      await Promise.race([sleepUntil(first - STATE_RECHECK_LEAD_MS), settler.stoppedSignal]);
      if (!settler.stopped && (await broadcast.state()) !== "sending") settler.stop();
    }
    await Promise.all(
      reservation.slots.map(async ({ index, at }) => {
        const recipient = wave[index] as ClaimedRecipient;
        const release = releases.pop() ?? (() => undefined);
        // A pause or cancel wakes every waiting send: the consumer is free at once.
        await Promise.race([sleepUntil(at), settler.stoppedSignal]);
        if (settler.stopped) {
          release();
          settler.add({ seq: recipient.seq, outcome: "released" });
          return;
        }
        // Sends leave as the receiver counts them, whatever this isolate's
        // timers do (./departures.ts); too far behind its slot, a send gives
        // the slot up and asks again.
        const left = await depart(plan.sender.phoneNumberId, at, {
          intervalMs: reservation.intervalMs,
          cap: current.throughputMps,
          latest: Math.min(at + MAX_DEPARTURE_DELAY_MS, departBy(claim.claimedAt, timeoutMs)),
        });
        departureLatenessMs = ewma(departureLatenessMs, (left ?? Date.now()) - at);
        if (left === null) {
          release();
          settler.add({ seq: recipient.seq, outcome: "released", late: true });
          return;
        }
        answers.push(
          sendOne(
            env,
            plan,
            current.token,
            recipient,
            { timeoutMs, release },
            marketing,
            connection,
          ).then((outcome) => {
            const { throughput, senderStop, ...settled } = outcome;
            // Every throughput-class answer (130429, 80007, 4, HTTP 429) slows the number down.
            if (throughput) sender.slowDown().catch(() => undefined);
            if (senderStop && settled.outcome === "halt")
              senderStops.push(`${settled.code}: ${settled.title}`);
            settler.add(settled);
          }),
        );
      }),
    );
  };
  let rest = await withoutMarketingOptOuts(env, plan, claim.recipients, settler);
  rest = await withinFrequencyCap(env, plan, rest, settler);
  while (rest.length > 0 && !settler.stopped) {
    // As many connections as are free within a moment: a slow answer holds its own, not the wave.
    const releases = await connections.acquire(rest.length);
    const wave = rest.slice(0, releases.length);
    rest = rest.slice(releases.length);
    const askedAt = Date.now();
    const reservation = await sender.reserve({
      recipients: wave.map((r) => r.identifier),
      mps: current.throughputMps,
      notAfter: departBy(claim.claimedAt, timeoutMs),
      leadMs: reserveLeadMs(),
    });
    noteReserveTrip(Date.now() - askedAt);
    for (const d of reservation.deferred) {
      const recipient = wave[d.index] as ClaimedRecipient;
      releases.pop()?.();
      settler.add(
        d.reason === "pair"
          ? { seq: recipient.seq, outcome: "reschedule", notBefore: d.notBefore, ...PAIR_SPACED }
          : { seq: recipient.seq, outcome: "released", notBefore: d.notBefore },
      );
    }
    lastSlotAt = Math.max(lastSlotAt, reservation.slots.at(-1)?.at ?? 0);
    const departing = leaveAtSlots(wave, reservation, releases);
    // Its failure reaches `answered` (logged); the wave's rows wait for their lease.
    departing.catch(() => undefined);
    departures.push(departing);
  }
  // Handed off: every slot is reserved and the last is close, so the rest
  // (sleeping to the slots, leaving, Meta's answers) runs in the
  // invocation's waitUntil and the queue can start the next wave now.
  await Promise.race([
    isolateBehind() ? Promise.all(departures) : sleepUntil(lastSlotAt - HANDOFF_WITHIN_MS),
    settler.stoppedSignal,
  ]);
  const answered = (async () => {
    await Promise.all(departures);
    await Promise.all(answers);
    await settler.drain();
    if (senderStops.length > 0) {
      // The number or the account is stopped (spam limit, lock, token…): every
      // live broadcast of the sender pauses, not only this one.
      await pauseSender(
        env,
        plan.accountId,
        plan.sender.id,
        `${senderStops[0]} (every broadcast of ${plan.sender.phoneNumber} is paused)`,
      );
    }
  })();
  return { answered };
}

/**
 * The Marketing Messages API options when this batch's template goes through
 * it: the sender says `marketing_messages` and the template is MARKETING now
 * (its current category in D1, which `template_category_update` webhooks
 * change; the plan's, from the create, when the template is gone). Utility
 * and authentication always go through `/messages`. One D1 read per batch,
 * for such senders only, so a recategorised template switches path at once.
 */
async function marketingMessagesRoute(
  env: Bindings,
  plan: BroadcastPlan,
  sender: SenderMarketingApi,
): Promise<MarketingMessagesOptions | undefined> {
  if (sender.marketingApi !== "marketing_messages") return undefined;
  const category =
    (await currentTemplateCategory(
      env.DB,
      plan.accountId,
      plan.sender.wabaId,
      plan.template.name,
      plan.template.language,
    )) ?? plan.template.category;
  if (!isMarketing(category)) return undefined;
  return {
    productPolicy: sender.productPolicy,
    messageActivitySharing: sender.messageActivitySharing,
  };
}

/**
 * Invariant 9 at send: who stopped marketing since the create (Meta's
 * `user_preferences` or a 131050) gets no marketing template. They fail with
 * the reason, unsent, and are no verdict of Meta's for the breaker. One D1
 * read per wave, marketing templates only.
 */
async function withoutMarketingOptOuts(
  env: Bindings,
  plan: BroadcastPlan,
  recipients: ClaimedRecipient[],
  settler: Settler,
): Promise<ClaimedRecipient[]> {
  if (!isMarketing(plan.template.category)) return recipients;
  const stopped = await optedOutOfMarketing(
    env.DB,
    plan.accountId,
    recipients.map((r) => r.identifier),
  );
  if (stopped.size === 0) return recipients;
  for (const r of recipients) {
    if (!stopped.has(r.identifier)) continue;
    settler.add({
      seq: r.seq,
      outcome: "failed",
      code: MARKETING_OPT_OUT_CODE,
      title: MARKETING_OPTED_OUT,
      details: "Not sent: the person opted out of marketing after the broadcast was created",
      byChorus: true,
    });
  }
  return recipients.filter((r) => !stopped.has(r.identifier));
}

/**
 * The account's frequency cap at send: a person who reached it since the
 * create (through another broadcast of the account) is skipped, failed
 * unsent with the reason, or, with `frequency_cap: "hold"`, put back to
 * pending until the oldest counted send ages out. One count per wave, only
 * for a marketing template while the cap is on (engine/frequency-cap.ts).
 */
async function withinFrequencyCap(
  env: Bindings,
  plan: BroadcastPlan,
  recipients: ClaimedRecipient[],
  settler: Settler,
): Promise<ClaimedRecipient[]> {
  if (!isMarketing(plan.template.category)) return recipients;
  const capped = await cappedPeople(env, {
    accountId: plan.accountId,
    category: plan.template.category,
    people: recipients.map((r) => r.identifier),
    policy: plan.frequencyCap,
    validUntil: plan.validUntil,
    except: plan.broadcastId,
    cap: await cachedFrequencyCap(env, plan.accountId),
  });
  if (capped.size === 0) return recipients;
  for (const r of recipients) {
    const verdict = capped.get(r.identifier);
    if (!verdict) continue;
    settler.add(
      verdict.kind === "hold"
        ? {
            seq: r.seq,
            outcome: "reschedule",
            notBefore: verdict.until,
            code: FREQUENCY_CAP_CODE,
            title: verdict.reason,
          }
        : {
            seq: r.seq,
            outcome: "failed",
            code: FREQUENCY_CAP_CODE,
            title: verdict.reason,
            details:
              "Not sent: the person reached the account's frequency cap after the broadcast was created",
            byChorus: true,
          },
    );
  }
  return recipients.filter((r) => !capped.has(r.identifier));
}

/**
 * One send's outcome, whether Meta said the number is over its throughput,
 * and whether the error stops the whole sender (domain/meta-errors.ts).
 */
type SentOutcome = SendOutcome & { throughput?: boolean; senderStop?: boolean };

async function sendOne(
  env: Bindings,
  plan: BroadcastPlan,
  token: string,
  recipient: ClaimedRecipient,
  call: { timeoutMs: number; release: () => void },
  marketing?: MarketingMessagesOptions,
  connection?: () => Promise<() => void>,
): Promise<SentOutcome> {
  const leftAt = Date.now();
  // Names the broadcast and recipient, in the status webhooks and in a quick-reply tap's payload.
  const reference = callbackData(plan.accountId, plan.broadcastId, recipient.seq);
  const message = {
    to: recipient.identifier,
    templateName: plan.template.name,
    language: plan.template.language,
    components: recipient.components
      ? withQuickReplyPayloads(JSON.parse(recipient.components) as unknown[], reference)
      : null,
    callbackData: reference,
  };
  let endpoint: "messages" | "marketing_messages" = marketing ? "marketing_messages" : "messages";
  let result = await sendTemplate(env, plan.sender.phoneNumberId, token, message, call, marketing);
  if (!result.ok && result.rule.action === "send_via_cloud_api") {
    // Refused as not marketing (131055/134100): nothing was accepted, so this one send
    // through /messages is the message's only one. Its answer is final either way. It
    // takes no second slot of the sender's: the refusal was no message (the sandbox counts
    // only accepted sends against the number's throughput; whether Meta counts a refused
    // request is unconfirmed).
    endpoint = "messages";
    const release = connection ? await connection() : () => undefined;
    result = await sendTemplate(env, plan.sender.phoneNumberId, token, message, {
      timeoutMs: call.timeoutMs,
      release,
    });
  }
  const latencyMs = Date.now() - leftAt;
  const seq = recipient.seq;
  if (result.ok) {
    if (!result.wamid) return { seq, outcome: "unconfirmed", latencyMs };
    return result.held
      ? { seq, outcome: "accepted", wamid: result.wamid, latencyMs, held: true, endpoint }
      : { seq, outcome: "accepted", wamid: result.wamid, latencyMs, endpoint };
  }
  const failed = {
    seq,
    outcome: "failed",
    code: result.code,
    title: result.title,
    details: result.details,
    latencyMs,
  } as const;
  const rule = result.rule;
  switch (rule.action) {
    case "retry": {
      const throughput = rule.throughput === true;
      const attempts = recipient.attempts + 1;
      if (attempts >= MAX_SEND_ATTEMPTS) return { ...failed, throughput };
      return {
        seq,
        outcome: "reschedule",
        notBefore: Date.now() + retryDelaySeconds(attempts) * 1000,
        code: result.code,
        title: result.title,
        latencyMs,
        throughput,
      };
    }
    case "reschedule":
      // The per-user marketing limit waits a day or ends, as the broadcast's
      // marketing_limit_retry says: the BroadcastDO decides (domain/marketing-limit.ts),
      // the same way for this answer as for a failed status webhook.
      if (result.code === MARKETING_LIMIT_CODE) return failed;
      // A bounded wait (the Marketing Messages API's template sync): so many tries, then
      // final; and never a wait past the broadcast's valid_until, which would only expire it.
      if (rule.maxTries !== undefined) {
        const due = Date.now() + (rule.delayMs ?? 0);
        if (recipient.attempts + 1 >= rule.maxTries) return failed;
        if (plan.validUntil && due > Date.parse(plan.validUntil))
          return {
            ...failed,
            details: `${failed.details} (the next try would be past valid_until)`,
          };
      }
      return {
        seq,
        outcome: "reschedule",
        notBefore:
          Date.now() + (result.code === PAIR_RATE_CODE ? PAIR_SPACING_MS : (rule.delayMs ?? 0)),
        code: result.code,
        title: result.title,
        latencyMs,
      };
    case "pause_broadcast":
      return { seq, outcome: "halt", code: result.code, title: result.title, latencyMs };
    case "pause_sender":
      return {
        seq,
        outcome: "halt",
        code: result.code,
        // 131063 is fixed by a setting of the sender's: the reason names it.
        title:
          result.code === MARKETING_API_REQUIRED_CODE
            ? `${result.title}. ${rule.why}`
            : result.title,
        latencyMs,
        senderStop: true,
      };
    case "fail":
    // Only the Marketing Messages API asks for it, and the fallback above already took it.
    case "send_via_cloud_api":
      return failed;
  }
}

/**
 * Settles outcomes as they come: one settle call in flight at a time, each
 * carrying whatever arrived meanwhile. Learns from the answer whether the
 * broadcast is still sending.
 */
class Settler {
  private pending: SendOutcome[] = [];
  private inFlight: Promise<void> | null = null;
  private wake: () => void = () => undefined;
  stopped = false;
  /** Settles once the broadcast stops: sends still waiting for their slot give up at once. */
  readonly stoppedSignal = new Promise<void>((resolve) => {
    this.wake = resolve;
  });

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  constructor(private readonly settle: (outcomes: SendOutcome[]) => Promise<string>) {}

  add(outcome: SendOutcome): void {
    this.pending.push(outcome);
    if (!this.inFlight) this.inFlight = this.flush();
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const outcomes = this.pending;
      this.pending = [];
      const state = await settleWithRetry(() => this.settle(outcomes));
      if (state !== "sending") this.stop();
    }
    this.inFlight = null;
  }

  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }
}

/** A settle that does not land would let a sent message be sent again: try hard. */
async function settleWithRetry(call: () => Promise<string>): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}
