/**
 * The chorus-sends consumer: claims a batch from its BroadcastDO, paces it
 * through the sender's SenderDO, sends each message and settles each result
 * back as soon as it is known, so that a redelivered batch re-sends nothing
 * Meta accepted.
 */

import type { BroadcastPlan } from "../durable/broadcast/types";
import type { ClaimedRecipient } from "../durable/broadcast-do";
import { PAIR_SPACING_MS } from "../durable/sender-do";
import { broadcastStub, senderStub } from "../durable/stubs";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import { decryptAccessToken } from "../whatsapp/access-token";
import { PAIR_RATE_CODE, SPAM_LIMIT_CODE } from "../whatsapp/errors";
import { callbackData, sendTemplate } from "../whatsapp/messages";
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

/** The access token is decrypted here and only here. */
interface CurrentSender {
  token: string;
  throughputMps: number;
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
  const row = await env.DB.prepare(
    "SELECT access_token_enc, throughput_mps FROM senders WHERE id = ? AND account_id = ?",
  )
    .bind(senderId, accountId)
    .first<{ access_token_enc: string; throughput_mps: number }>();
  const sender = row
    ? {
        token: await decryptAccessToken(row.access_token_enc, env.TOKEN_ENCRYPTION_KEY),
        throughputMps: Number(row.throughput_mps),
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

export async function consumeSends(
  batch: MessageBatch<SendBatchMessage>,
  env: Bindings,
): Promise<void> {
  await Promise.all(
    batch.messages.map(async (message) => {
      try {
        await sendBatch(env, message.body);
        message.ack();
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

/**
 * Sends one batch. A recipient whose send should be tried again (5xx,
 * timeout, throughput) goes back to pending with its own backoff, so the
 * batch is done when this returns and a slow retry never holds the others.
 */
export async function sendBatch(env: Bindings, body: SendBatchMessage): Promise<void> {
  const broadcast = broadcastStub(env, body.accountId, body.broadcastId);
  const claim = await broadcast.claim(body.batchId);
  if (claim.recipients.length === 0 || !claim.plan) return;
  const plan = claim.plan;
  const settler = new Settler((outcomes) => broadcast.settle(outcomes));

  const current = await currentSender(env, plan.accountId, plan.sender.id);
  if (!current) {
    for (const r of claim.recipients)
      settler.add({ seq: r.seq, outcome: "halt", code: 190, title: "Sender no longer exists" });
    await settler.drain();
    return;
  }

  const sender = senderStub(env, plan.sender.phoneNumberId);
  const slots = await sender.reserve(
    claim.recipients.map((r) => r.identifier),
    current.throughputMps,
  );
  const notBefore = new Map(slots.deferred.map((d) => [d.index, d.notBefore]));

  // The claim may be seconds old by the first slot: a pause or cancel since
  // then must stop this batch before it sends anything. Later sends learn the
  // state from each settle's answer.
  await Promise.race([sleepUntil(slots.startAt), settler.stoppedSignal]);
  if ((await broadcast.state()) !== "sending") settler.stop();

  let slot = 0;
  const spamLimits: string[] = [];
  await Promise.all(
    claim.recipients.map(async (recipient, i) => {
      const waitUntil = notBefore.get(i);
      if (waitUntil !== undefined) {
        settler.add({
          seq: recipient.seq,
          outcome: "reschedule",
          notBefore: waitUntil,
          ...PAIR_SPACED,
        });
        return;
      }
      // A pause or cancel wakes every waiting send: the consumer is free at once.
      await Promise.race([
        sleepUntil(slots.startAt + slot++ * slots.intervalMs),
        settler.stoppedSignal,
      ]);
      if (settler.stopped) {
        settler.add({ seq: recipient.seq, outcome: "released" });
        return;
      }
      const outcome = await sendOne(env, plan, current.token, recipient);
      if (outcome.outcome === "reschedule" && outcome.code === 130429) {
        sender.slowDown().catch(() => undefined);
      }
      if (outcome.outcome === "halt" && outcome.code === SPAM_LIMIT_CODE)
        spamLimits.push(outcome.title);
      settler.add(outcome);
    }),
  );
  await settler.drain();
  if (spamLimits.length > 0) {
    // The number itself is limited: every live broadcast of it pauses, not only this one.
    await pauseSender(
      env,
      plan.accountId,
      plan.sender.id,
      `${SPAM_LIMIT_CODE}: ${spamLimits[0]} (every broadcast of ${plan.sender.phoneNumber} is paused)`,
    );
  }
}

async function sendOne(
  env: Bindings,
  plan: BroadcastPlan,
  token: string,
  recipient: ClaimedRecipient,
): Promise<SendOutcome> {
  const result = await sendTemplate(
    env,
    plan.sender.phoneNumberId,
    token,
    {
      to: recipient.identifier,
      templateName: plan.template.name,
      language: plan.template.language,
      components: recipient.components ? (JSON.parse(recipient.components) as unknown[]) : null,
      callbackData: callbackData(plan.accountId, plan.broadcastId, recipient.seq),
    },
    Number(env.SEND_TIMEOUT_MS) || SEND_TIMEOUT_MS,
  );
  if (result.ok) return { seq: recipient.seq, outcome: "accepted", wamid: result.wamid };
  switch (result.errorClass) {
    case "throughput":
    case "retry": {
      const attempts = recipient.attempts + 1;
      if (attempts >= MAX_SEND_ATTEMPTS) {
        return {
          seq: recipient.seq,
          outcome: "failed",
          code: result.code,
          title: result.title,
          details: result.details,
        };
      }
      return {
        seq: recipient.seq,
        outcome: "reschedule",
        notBefore: Date.now() + retryDelaySeconds(attempts) * 1000,
        code: result.code,
        title: result.title,
      };
    }
    case "pair":
      return {
        seq: recipient.seq,
        outcome: "reschedule",
        notBefore: Date.now() + PAIR_SPACING_MS,
        code: result.code,
        title: result.title,
      };
    case "halt":
      return { seq: recipient.seq, outcome: "halt", code: result.code, title: result.title };
    case "permanent":
      return {
        seq: recipient.seq,
        outcome: "failed",
        code: result.code,
        title: result.title,
        details: result.details,
      };
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
