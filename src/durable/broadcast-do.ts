/**
 * BroadcastDO: one per broadcast, named `accountId:broadcastId`. It owns the
 * broadcast's recipients, its state machine, its counters and its alarm; every
 * write about a recipient goes through it, so transitions are atomic.
 *
 * Life of a broadcast here:
 *   begin → load (chunks) → commit        the create, atomic: an uncommitted load is wiped by the alarm
 *   alarm at scheduledAt → sending         the dispatcher keeps a bounded window of batches on the queue
 *   claim / settle (from the consumer)     rows move queued → sending → submitted | failed | back
 *   nothing left to send → completed
 */
import { DurableObject } from "cloudflare:workers";
import { deleteBroadcastSummary, upsertBroadcastSummary } from "../db/broadcasts";
import { REACH_WINDOW_MS, reachedInLast24h } from "../db/reach";
import {
  deleteRecipientStates,
  type RecipientStateRow,
  upsertRecipientStates,
} from "../db/recipient-states";
import { senderMessagingLimit } from "../db/senders";
import { budgetFor, budgetMessage } from "../domain/messaging-limit";
import { applyDeliveryStatus } from "../domain/status";
import type { V1Definition } from "../domain/v1-broadcast";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import type { SendBatchMessage, SendOutcome } from "../queues/messages";
import type { StatusEvent } from "../whatsapp/webhooks";
import { resolveAudience } from "./broadcast/audience";
import { emitBroadcastEnd, emitRecipientChanges } from "./broadcast/callbacks";
import { countersView } from "./broadcast/counters";
import { type BroadcastRow, BroadcastStore, DUE, nowIso } from "./broadcast/store";
import type {
  BeginOutcome,
  BroadcastPlan,
  BroadcastState,
  BroadcastSummary,
  NewRecipient,
  RecipientStatus,
  RecipientView,
} from "./broadcast/types";
import { SendWindowGate } from "./broadcast/windows";

/** An uncommitted create is abandoned (and wiped) after this long. */
const LOADING_TTL_MS = 5 * 60_000;
/** How often the summary is flushed to D1 while something changed. */
const FLUSH_INTERVAL_MS = 2_000;
/** While sending, the alarm ticks this often: refill, sweep, expire. */
const SENDING_TICK_MS = 1_000;
/** Recipients per queue message. */
export const BATCH_SIZE = 25;
/** In-flight recipients ≈ this many seconds of the sender's throughput. */
const WINDOW_SECONDS = 3;
/** A claim not settled within this long is presumed dead (its consumer crashed). */
const CLAIM_LEASE_MS = 60_000;
/** A queued batch never claimed within this long is presumed lost and re-enqueued. */
const REQUEUE_AFTER_MS = 90_000;
/** Rows projected to D1 per alarm run, and per D1 batch. */
const PROJECTION_PER_RUN = 50_000;
const PROJECTION_CHUNK = 5_000;
/** Circuit breaker on permanent failures: over the last N outcomes, pause above this ratio. */
const BREAKER_WINDOW = 100;
const BREAKER_RATIO = 0.5;

export const EXPIRED_TITLE = "Message validity expired";
/** A recipient put back for later (pair rate) this many times fails instead. */
const MAX_RESCHEDULES = 12;

export interface ClaimedRecipient {
  seq: number;
  identifier: string;
  components: string | null;
  attempts: number;
}

export interface Claim {
  state: BroadcastState | "gone";
  plan: BroadcastPlan | null;
  recipients: ClaimedRecipient[];
}

export type StateChange =
  | { ok: true; summary: BroadcastSummary }
  | { ok: false; reason: "not_found" | "conflict"; state?: BroadcastState };

export class BroadcastDO extends DurableObject<Bindings> {
  private readonly store: BroadcastStore;
  private pumping = false;
  private pumpAgain = false;
  private recentOutcomes: boolean[] = [];

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.store = new BroadcastStore(ctx.storage.sql);
  }

  // ---- create ---------------------------------------------------------------

  /**
   * Starts a create. Idempotent by construction: the DO is named after the
   * broadcast id, which a client key derives deterministically, and this check
   * and write run synchronously, so concurrent repeats see one another.
   */
  async begin(plan: BroadcastPlan): Promise<BeginOutcome> {
    const existing = this.store.broadcast();
    if (existing) {
      if (plan.requestHash === null || existing.plan.requestHash !== plan.requestHash) {
        return { outcome: "conflict" };
      }
      if (existing.state === "loading") return { outcome: "loading" };
      return { outcome: "existing", summary: this.store.summary(existing) };
    }
    const deadline = Date.now() + LOADING_TTL_MS;
    this.store.createBroadcast(plan, deadline);
    await this.ctx.storage.setAlarm(deadline);
    return { outcome: "created" };
  }

  /** Loads one chunk of recipients; safe to repeat (rows are keyed by seq). */
  load(rows: NewRecipient[]): { ok: boolean } {
    const b = this.store.broadcast();
    if (!b) return { ok: false };
    // A concurrent identical create may have committed already: its rows are these rows.
    if (b.state === "loading")
      this.ctx.storage.transactionSync(() => this.store.insertRecipients(rows));
    return { ok: true };
  }

  /** Makes the loaded broadcast real: counters, state, alarm, summary. */
  async commit(): Promise<{ ok: true; summary: BroadcastSummary } | { ok: false; error: string }> {
    const b = this.store.broadcast();
    if (!b) return { ok: false, error: "Nothing to commit: the create was abandoned" };
    if (b.state === "loading") {
      const loaded = this.store.recipientCount();
      if (loaded !== b.plan.expectedRows) {
        return {
          ok: false,
          error: `Incomplete load: ${loaded} of ${b.plan.expectedRows} recipients`,
        };
      }
      this.ctx.storage.transactionSync(() => {
        this.store.recountFromRows();
        this.store.updateBroadcast({
          state: b.plan.draft ? "draft" : "scheduled",
          loadingDeadline: null,
        });
      });
      await this.flushSummary();
      await this.scheduleAlarm();
    }
    return { ok: true, summary: this.requireSummary() };
  }

  /** Undoes an uncommitted create. */
  async abort(): Promise<void> {
    const b = this.store.broadcast();
    if (b && b.state === "loading") await this.wipe();
  }

  // ---- reads ----------------------------------------------------------------

  summary(): BroadcastSummary | null {
    const b = this.live();
    return b ? this.store.summary(b) : null;
  }

  recipients(query: {
    limit: number;
    offset: number;
    updatedSince: string | null;
    status: RecipientStatus[] | null;
  }): { rows: RecipientView[]; total: number } | null {
    if (!this.live()) return null;
    return this.store.listRecipients(query.limit, query.offset, query.updatedSince, query.status);
  }

  /** Cheap check for a consumer about to send: is the broadcast still sending? */
  state(): BroadcastState | "gone" {
    return this.live()?.state ?? "gone";
  }

  warnings(): { identifier: string; errors: string[] }[] {
    return this.live() ? this.store.rejectedWarnings() : [];
  }

  // ---- state changes ----------------------------------------------------------

  async cancel(): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    if (b.state === "completed" || b.state === "cancelled")
      return { ok: false, reason: "conflict", state: b.state };
    this.ctx.storage.transactionSync(() => {
      // Rows claimed by a consumer right now settle on their own: the
      // consumer sees the cancellation and releases what it has not sent.
      this.store.moveRecipients(["pending", "queued"], "cancelled", null, { batch_id: null });
      this.store.updateBroadcast({ state: "cancelled", completedAt: nowIso() });
    });
    await this.scheduleAlarm();
    return { ok: true, summary: this.requireSummary() };
  }

  async pause(reason: string | null = null): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    if (b.state !== "sending" && b.state !== "scheduled")
      return { ok: false, reason: "conflict", state: b.state };
    this.store.updateBroadcast({ state: "paused", pauseReason: reason ?? "Paused by request" });
    await this.scheduleAlarm();
    return { ok: true, summary: this.requireSummary() };
  }

  /** Resumes a paused broadcast from where it stopped (sending if it had started, else scheduled). */
  async resume(): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    if (b.state !== "paused") return { ok: false, reason: "conflict", state: b.state };
    const next: BroadcastState = b.startedAt ? "sending" : "scheduled";
    this.ctx.storage.transactionSync(() => {
      // Batches left on the queue while paused were acknowledged empty: give
      // their rows back so the dispatcher enqueues them afresh.
      this.store.moveRecipients(["queued"], "pending", null, { batch_id: null });
      this.store.updateBroadcast({ state: next, pauseReason: null });
    });
    if (next === "sending") await this.pump();
    await this.scheduleAlarm();
    return { ok: true, summary: this.requireSummary() };
  }

  /**
   * v1 edits while the broadcast is a draft or scheduled (its audience not yet
   * resolved): the plan is replaced and the alarm follows the new schedule.
   */
  async replacePlan(plan: BroadcastPlan): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    if ((b.state !== "draft" && b.state !== "scheduled") || b.plan.audienceResolved) {
      return { ok: false, reason: "conflict", state: b.state };
    }
    this.store.updateBroadcast({ plan, state: plan.draft ? "draft" : "scheduled" });
    await this.rescheduleAlarm();
    return { ok: true, summary: this.requireSummary() };
  }

  /** draft → scheduled (at the plan's time) and scheduled → draft. */
  async setDraft(draft: boolean): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    const from: BroadcastState = draft ? "scheduled" : "draft";
    if (b.state !== from) return { ok: false, reason: "conflict", state: b.state };
    this.store.updateBroadcast({
      state: draft ? "draft" : "scheduled",
      plan: { ...b.plan, draft },
    });
    await this.rescheduleAlarm();
    return { ok: true, summary: this.requireSummary() };
  }

  /** Renames the broadcast (allowed in any state). */
  async rename(name: string): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    this.store.updateBroadcast({ plan: { ...b.plan, name } });
    await this.scheduleAlarm();
    return { ok: true, summary: this.requireSummary() };
  }

  /** Cancels what is still unsent, then erases the broadcast here and in D1. */
  async remove(): Promise<boolean> {
    const b = this.live();
    if (!b) return false;
    if (b.state !== "completed" && b.state !== "cancelled") await this.cancel();
    await deleteBroadcastSummary(this.env.DB, b.plan.accountId, b.plan.broadcastId);
    await deleteRecipientStates(this.env.DB, b.plan.accountId, b.plan.broadcastId);
    await this.wipe();
    return true;
  }

  /** Starts sending now (v1 `scheduled` with a past time, or tests). */
  async startNow(): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    if (b.state !== "scheduled") return { ok: false, reason: "conflict", state: b.state };
    await this.startSending();
    return { ok: true, summary: this.requireSummary() };
  }

  // ---- dispatch: claim and settle (called by the sends consumer) ---------------

  /**
   * Hands a consumer the rows of its batch that may still be sent, marking
   * them claimed. Rows already submitted, cancelled or claimed by a live
   * consumer are never handed out twice; rows past `valid_until` become
   * undeliverable instead.
   */
  async claim(batchId: number): Promise<Claim> {
    const b = this.live();
    if (!b) return { state: "gone", plan: null, recipients: [] };
    if (b.state !== "sending") return { state: b.state, plan: b.plan, recipients: [] };
    if (this.expired(b)) {
      await this.expireRemaining();
      return { state: b.state, plan: b.plan, recipients: [] };
    }
    const now = Date.now();
    const recipients = this.ctx.storage.transactionSync(() => {
      const seqs = this.store.moveRecipients(
        ["queued", "sending"],
        "sending",
        {
          sql: "batch_id = ? AND (status = 'queued' OR claimed_at < ?)",
          binds: [batchId, now - CLAIM_LEASE_MS],
        },
        { claimed_at: now },
      );
      return this.store.sendableRows(seqs);
    });
    return { state: "sending", plan: b.plan, recipients };
  }

  /**
   * Records send results as they come back. Returns the broadcast's state so
   * that the consumer stops sending as soon as it is paused or cancelled.
   */
  async settle(outcomes: SendOutcome[]): Promise<BroadcastState | "gone"> {
    const b = this.live();
    if (!b) return "gone";
    let haltReason: string | null = null;
    const stopped = b.state === "cancelled";
    this.ctx.storage.transactionSync(() => {
      for (const o of outcomes) {
        const r = this.store.recipient(o.seq);
        if (!r) continue;
        const unsent = r.status === "pending" || r.status === "queued" || r.status === "sending";
        switch (o.outcome) {
          case "accepted":
            if (unsent) {
              this.store.setRecipientStatus(o.seq, r.status, "submitted", {
                wamid: o.wamid,
                submitted_at: nowIso(),
                claimed_at: null,
                attempts:
                  r.status === "sending"
                    ? this.store.attempts(o.seq) + 1
                    : this.store.attempts(o.seq),
              });
              this.store.countSend(Date.now());
            } else if (!r.wamid) {
              // A status webhook beat the send's own answer: keep the wamid all the same.
              this.store.touchRecipient(o.seq, { wamid: o.wamid, submitted_at: nowIso() });
            }
            this.noteOutcome(true);
            break;
          case "retry":
            if (r.status === "sending") {
              // After a cancel there is no later try: the row ends cancelled.
              this.store.setRecipientStatus(o.seq, "sending", stopped ? "cancelled" : "queued", {
                claimed_at: null,
                attempts: this.store.attempts(o.seq) + 1,
                error_code: o.code,
                error_title: o.title,
              });
            }
            break;
          case "failed":
            if (unsent) {
              this.store.setRecipientStatus(o.seq, r.status, "failed", {
                claimed_at: null,
                attempts: this.store.attempts(o.seq) + 1,
                error_code: o.code,
                error_title: o.title,
                error_details: o.details,
                failed_at: nowIso(),
              });
            }
            this.noteOutcome(false);
            break;
          case "halt":
            if (r.status === "sending") {
              this.store.setRecipientStatus(o.seq, "sending", stopped ? "cancelled" : "pending", {
                claimed_at: null,
                batch_id: null,
                error_code: o.code,
                error_title: o.title,
              });
            }
            haltReason = `${o.code}: ${o.title}`;
            break;
          case "reschedule":
            if (r.status === "sending") {
              const attempts = this.store.attempts(o.seq) + 1;
              const giveUp = attempts >= MAX_RESCHEDULES;
              this.store.setRecipientStatus(
                o.seq,
                "sending",
                stopped ? "cancelled" : giveUp ? "failed" : "pending",
                {
                  claimed_at: null,
                  batch_id: null,
                  attempts,
                  error_code: o.code,
                  error_title: o.title,
                  next_send_at: giveUp ? null : o.notBefore,
                  ...(giveUp ? { failed_at: nowIso() } : {}),
                },
              );
            }
            break;
          case "released":
            if (r.status === "sending") {
              const to: RecipientStatus = stopped ? "cancelled" : "pending";
              this.store.setRecipientStatus(o.seq, "sending", to, {
                claimed_at: null,
                batch_id: null,
              });
            }
            break;
        }
      }
    });
    const pauseReason = haltReason ?? this.breakerTripped();
    if (pauseReason && this.store.broadcast()?.state === "sending") {
      this.store.updateBroadcast({ state: "paused", pauseReason });
    }
    await this.afterProgress();
    return this.store.broadcast()?.state ?? "gone";
  }

  /** The dead-letter consumer gave up on a batch: what is still unsent in it fails, visibly. */
  async failBatch(batchId: number, reason: string): Promise<void> {
    if (!this.live()) return;
    this.ctx.storage.transactionSync(() => {
      this.store.moveRecipients(
        ["queued", "sending"],
        "failed",
        { sql: "batch_id = ?", binds: [batchId] },
        {
          claimed_at: null,
          error_title: reason,
          failed_at: nowIso(),
        },
      );
    });
    await this.afterProgress();
  }

  // ---- tracking: Meta's status webhooks and replies -------------------------------

  /**
   * Applies status events. Status only moves forward (submitted < sent <
   * delivered < read; failed is terminal unless a later delivered or read
   * proves otherwise), so duplicates and out-of-order arrivals are harmless;
   * each timestamp is Meta's and is kept even when the status does not move.
   */
  applyStatuses(events: StatusEvent[]): { applied: number; unknown: number } {
    if (!this.live()) return { applied: 0, unknown: events.length };
    let applied = 0;
    let unknown = 0;
    this.ctx.storage.transactionSync(() => {
      for (const e of events) {
        const byWamid = this.store.recipientByWamid(e.wamid);
        const r = byWamid ?? (e.broadcast ? this.store.recipient(e.broadcast.seq) : null);
        if (!r || r.status === "rejected") {
          unknown++;
          continue;
        }
        const at = new Date(e.at).toISOString();
        const assign: Record<string, SqlStorageValue> = {};
        if (!r.wamid) assign.wamid = e.wamid;
        if (e.status === "sent" && !r.sentAt) assign.sent_at = at;
        if (e.status === "delivered" && !r.deliveredAt) assign.delivered_at = at;
        if (e.status === "read" && !r.readAt) assign.read_at = at;
        const next = applyDeliveryStatus(r.status, e.status);
        if (next && next !== r.status) {
          if (next === "failed") {
            assign.failed_at = at;
            assign.error_code = e.error?.code ?? null;
            assign.error_title = e.error?.title ?? "Failed";
            assign.error_details = e.error?.details ?? null;
          } else if (r.status === "failed") {
            // A later delivered/read proves the failure wrong.
            assign.error_code = null;
            assign.error_title = null;
            assign.error_details = null;
          }
          if (r.status === "sending") assign.claimed_at = null;
          this.store.setRecipientStatus(r.seq, r.status, next, assign);
          applied++;
        } else if (Object.keys(assign).length > 0) {
          this.store.touchRecipient(r.seq, assign);
          applied++;
        }
      }
    });
    // Completion and the projection flush follow in the background; the events are applied already.
    this.ctx.waitUntil(
      this.afterProgress()
        .then(() => this.scheduleAlarm())
        .catch(logBackgroundError),
    );
    return { applied, unknown };
  }

  /** Marks a recipient replied with its first reply's text and time. */
  applyReply(reply: { seq: number; text: string; at: number }): boolean {
    if (!this.live()) return false;
    const r = this.store.recipient(reply.seq);
    if (!r || r.repliedAt) return false;
    this.ctx.storage.transactionSync(() => {
      this.store.touchRecipient(reply.seq, {
        replied_at: new Date(reply.at).toISOString(),
        reply_text: reply.text,
      });
      this.store.bumpReplied();
    });
    this.ctx.waitUntil(this.scheduleAlarm().catch(logBackgroundError));
    return true;
  }

  /** For the dashboard: accepted sends per second, and failures by Meta's error code. */
  activity(): {
    sendRate: { at: number; count: number }[];
    failures: { code: number | null; title: string; count: number }[];
  } | null {
    if (!this.live()) return null;
    return { sendRate: this.store.sendRate(), failures: this.store.failureGroups() };
  }

  /** Removes a person (by phone digits) from this broadcast; answers how many rows held them. */
  async erasePerson(digits: string): Promise<number> {
    if (!this.store.broadcast()) return 0;
    const erased = this.store.erasePerson(digits);
    if (erased > 0) await this.scheduleAlarm();
    return erased;
  }

  /**
   * The create's first 202 body, kept here because this DO is the idempotency
   * anchor: a repeat must answer it exactly (its status is the status at
   * creation, its warnings those of the first request). Keeps `answer` when
   * none is kept yet and returns the kept one; null reads it.
   */
  firstAnswer(answer: string | null): string | null {
    if (!this.store.broadcast()) return null;
    return this.store.keepFirstAnswer(answer);
  }

  /**
   * A reaction (👍 on the template) is engagement, not a reply: kept on the
   * recipient whose message it names (`reaction.message_id`), the latest one
   * winning; an empty emoji is a removed reaction. Counters and the reply
   * stay as they are. Answers whether the message is one of this broadcast's.
   */
  applyReaction(reaction: { wamid: string; emoji: string; at: number }): boolean {
    if (!this.live()) return false;
    const r = this.store.recipientByWamid(reaction.wamid);
    if (!r) return false;
    this.store.setReaction(r.seq, reaction.emoji || null, new Date(reaction.at).toISOString());
    return true;
  }

  // ---- alarm -------------------------------------------------------------------

  override async alarm(): Promise<void> {
    const b = this.store.broadcast();
    if (!b) return;
    const now = Date.now();
    if (b.state === "loading") {
      if (b.loadingDeadline !== null && now >= b.loadingDeadline) {
        await this.wipe();
        return;
      }
    } else if (b.state === "scheduled" && now >= Date.parse(b.plan.scheduledAt)) {
      if (!b.plan.audienceResolved) await this.resolve(b);
      await this.startSending();
    } else if (b.state === "sending") {
      if (this.expired(b)) await this.expireRemaining();
      this.sweep(now);
      await this.afterProgress();
    } else if (b.state === "cancelled" || b.state === "paused") {
      // A consumer that died holding a claim after the stop: its rows must
      // still end somewhere (cancelled), or wait for the resume (pending).
      this.releaseStaleClaims(now, b.state === "cancelled" ? "cancelled" : "pending");
    }
    await this.flushSummary();
    await this.flushProjection();
    await this.scheduleAlarm();
  }

  // ---- internals ------------------------------------------------------------------

  /** The broadcast, unless it is still loading (then it does not exist yet for readers). */
  private live(): BroadcastRow | null {
    const b = this.store.broadcast();
    return b && b.state !== "loading" ? b : null;
  }

  private requireSummary(): BroadcastSummary {
    const b = this.store.broadcast();
    if (!b) throw new Error("Broadcast vanished");
    return this.store.summary(b);
  }

  private expired(b: BroadcastRow): boolean {
    return b.plan.validUntil !== null && Date.now() >= Date.parse(b.plan.validUntil);
  }

  /** Loads a v1 broadcast's audience into its recipients (the D1 contacts as they are now). */
  private async resolve(b: BroadcastRow): Promise<void> {
    const definition = JSON.parse(b.plan.definition ?? "null") as V1Definition | null;
    const count = definition
      ? await resolveAudience(this.env.DB, b.plan.accountId, definition, (rows) =>
          this.ctx.storage.transactionSync(() => this.store.insertRecipients(rows)),
        )
      : 0;
    this.ctx.storage.transactionSync(() => {
      this.store.recountFromRows();
      const current = this.store.broadcast();
      if (current)
        this.store.updateBroadcast({
          plan: { ...current.plan, audienceResolved: true, expectedRows: count },
        });
    });
  }

  private async startSending(): Promise<void> {
    let b = this.store.broadcast();
    if (b?.state !== "scheduled") return;
    if (!b.plan.tierChecked) {
      const verdict = await this.checkMessagingLimit(b.plan);
      b = this.store.broadcast();
      if (b?.state !== "scheduled") return;
      const plan = { ...b.plan, tierChecked: true, tierNotice: verdict.notice };
      if (verdict.refuse) {
        this.store.updateBroadcast({ plan, state: "paused", pauseReason: verdict.notice });
        return;
      }
      this.store.updateBroadcast({ plan });
    }
    this.store.updateBroadcast({ state: "sending", startedAt: b.startedAt ?? nowIso() });
    if (this.expired(b)) await this.expireRemaining();
    await this.afterProgress();
  }

  /**
   * Counts the people the sender's portfolio reached in the last 24 h plus
   * the new people of this broadcast against its messaging limit. Over it:
   * refuse (pause) or hold the excess new people for 24 h, when the moving
   * window has rolled past today's sends.
   */
  private async checkMessagingLimit(
    plan: BroadcastPlan,
  ): Promise<{ refuse: boolean; notice: string | null }> {
    const limit = await senderMessagingLimit(this.env.DB, plan.accountId, plan.sender.id);
    if (limit === null) return { refuse: false, notice: null };
    const people = this.store.pendingPeople();
    const { reached, newPeople } = await reachedInLast24h(
      this.env.DB,
      plan.accountId,
      plan.sender.wabaId,
      people.map((p) => p.identifier),
    );
    const budget = budgetFor(limit, reached, newPeople.size);
    if (budget.held === 0) return { refuse: false, notice: null };
    if (plan.tierPolicy === "refuse") {
      return { refuse: true, notice: `${budgetMessage(budget)} (tier_policy: refuse)` };
    }
    const held = people.filter((p) => newPeople.has(p.identifier)).slice(budget.allowed);
    this.ctx.storage.transactionSync(() =>
      this.store.holdUntil(
        held.map((p) => p.seq),
        Date.now() + REACH_WINDOW_MS,
      ),
    );
    return {
      refuse: false,
      notice: `${budgetMessage(budget)}; they wait 24 h (tier_policy: defer)`,
    };
  }

  /** Rows not yet handed to a consumer become undeliverable once the broadcast's validity ends. */
  private async expireRemaining(): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      this.store.moveRecipients(["pending", "queued"], "undeliverable", null, {
        batch_id: null,
        error_title: EXPIRED_TITLE,
        failed_at: nowIso(),
      });
    });
  }

  /** Gives back rows whose consumer died (stale claims) or whose batch never arrived. */
  private releaseStaleClaims(now: number, to: RecipientStatus): void {
    this.ctx.storage.transactionSync(() => {
      this.store.moveRecipients(
        ["sending"],
        to,
        { sql: "claimed_at < ?", binds: [now - CLAIM_LEASE_MS] },
        {
          batch_id: null,
          claimed_at: null,
        },
      );
    });
  }

  private sweep(now: number): void {
    this.ctx.storage.transactionSync(() => {
      this.store.moveRecipients(
        ["sending"],
        "pending",
        { sql: "claimed_at < ?", binds: [now - CLAIM_LEASE_MS] },
        {
          batch_id: null,
          claimed_at: null,
        },
      );
      const staleBefore = new Date(now - REQUEUE_AFTER_MS).toISOString();
      this.store.moveRecipients(
        ["queued"],
        "pending",
        { sql: "updated_at < ?", binds: [staleBefore] },
        {
          batch_id: null,
        },
      );
    });
  }

  private noteOutcome(ok: boolean): void {
    this.recentOutcomes.push(ok);
    if (this.recentOutcomes.length > BREAKER_WINDOW) this.recentOutcomes.shift();
  }

  private breakerTripped(): string | null {
    if (this.recentOutcomes.length < BREAKER_WINDOW) return null;
    const failed = this.recentOutcomes.filter((ok) => !ok).length;
    if (failed / this.recentOutcomes.length <= BREAKER_RATIO) return null;
    this.recentOutcomes = [];
    return `High failure rate: ${failed} of the last ${BREAKER_WINDOW} sends failed`;
  }

  /** After any progress: complete if nothing is left, else keep the window full. */
  private async afterProgress(): Promise<void> {
    const b = this.store.broadcast();
    if (b?.state !== "sending") return;
    const c = this.store.counters();
    if (c.pending + c.queued + c.sending === 0) {
      this.store.updateBroadcast({ state: "completed", completedAt: nowIso() });
      await this.scheduleAlarm();
      return;
    }
    await this.pump();
  }

  /** Keeps about WINDOW_SECONDS of the sender's throughput on the queue. */
  private async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        const b = this.store.broadcast();
        if (b?.state !== "sending") return;
        const c = this.store.counters();
        const window = Math.max(
          BATCH_SIZE * 2,
          Math.ceil(b.plan.sender.throughputMps * WINDOW_SECONDS),
        );
        let room = window - (c.queued + c.sending);
        const messages: SendBatchMessage[] = [];
        const now = Date.now();
        const windows = new SendWindowGate(b.plan, now);
        this.ctx.storage.transactionSync(() => {
          while (room > 0) {
            const size = Math.min(BATCH_SIZE, room);
            if (windows.active) this.holdClosed(windows, now, size);
            const batchId = this.store.takeBatchId();
            const seqs = this.store.moveRecipients(
              ["pending"],
              "queued",
              {
                sql: `seq IN (SELECT seq FROM recipients WHERE ${DUE} ORDER BY seq LIMIT ?)`,
                binds: [now, size],
              },
              { batch_id: batchId, next_send_at: null },
            );
            if (seqs.length === 0) break;
            messages.push({
              accountId: b.plan.accountId,
              broadcastId: b.plan.broadcastId,
              batchId,
              seqs,
            });
            room -= seqs.length;
          }
        });
        if (messages.length === 0) return;
        try {
          for (let i = 0; i < messages.length; i += 100) {
            await this.env.SENDS.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
          }
        } catch (err) {
          // Not on the queue: give the rows back; the alarm tick tries again.
          this.ctx.storage.transactionSync(() => {
            for (const m of messages) {
              this.store.moveRecipients(
                ["queued"],
                "pending",
                { sql: "batch_id = ?", binds: [m.batchId] },
                {
                  batch_id: null,
                },
              );
            }
          });
          log("error", "enqueue failed", errorFields(err));
          return;
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /**
   * Holds back due rows whose window is closed now, until it opens for them,
   * until at least `wanted` due rows are open or none is left to look at.
   */
  private holdClosed(gate: SendWindowGate, now: number, wanted: number): void {
    for (;;) {
      const due = this.store.duePending(now, Math.max(100, wanted * 4));
      const closed = new Map<number, number[]>();
      let open = 0;
      for (const r of due) {
        const opensAt = gate.opensAt(r.identifier, r.timezone);
        if (opensAt <= now) open++;
        else {
          const seqs = closed.get(opensAt);
          if (seqs) seqs.push(r.seq);
          else closed.set(opensAt, [r.seq]);
        }
      }
      for (const [at, seqs] of closed) this.store.holdUntil(seqs, at);
      if (closed.size === 0 || open >= wanted || due.length === 0) return;
    }
  }

  /** Writes the summary row to D1 if anything changed; a failure leaves it dirty for the next alarm. */
  private async flushSummary(): Promise<void> {
    const b = this.store.broadcast();
    if (!b || b.state === "loading" || b.version <= b.flushedVersion) return;
    const summary = this.store.summary(b);
    try {
      await upsertBroadcastSummary(this.env.DB, summary);
      // The end event goes before the flush counts as done: a failure leaves both to retry.
      const end = b.state === "completed" || b.state === "cancelled" ? b.state : null;
      const ended = end !== null && !b.plan.endEventSent;
      if (ended) {
        const { recipients, submitted, failed } = countersView(summary.counters);
        await emitBroadcastEnd(this.env, b.plan, end, b.completedAt ?? b.updatedAt, {
          recipients,
          submitted,
          failed,
        });
      }
      this.store.markFlushed(b.version);
      if (ended) this.store.updateBroadcast({ plan: { ...b.plan, endEventSent: true } });
    } catch (err) {
      log("error", "summary flush failed", errorFields(err));
    }
  }

  /** Projects changed recipient rows to D1 (the outbox); what fails stays unprojected for the next alarm. */
  private async flushProjection(): Promise<void> {
    const b = this.store.broadcast();
    if (!b || b.state === "loading") return;
    let done = 0;
    while (done < PROJECTION_PER_RUN) {
      const rows = this.store.unprojected(PROJECTION_CHUNK);
      if (rows.length === 0) return;
      try {
        const projected = rows.map((r) => projectionRow(b.plan, r));
        await upsertRecipientStates(this.env.DB, projected);
        await emitRecipientChanges(
          this.env,
          b.plan,
          projected.map((p, i) => ({ ...p, rev: rows[i]?.rev ?? 0 })),
        );
      } catch (err) {
        log("error", "projection flush failed", errorFields(err));
        return;
      }
      this.store.markProjected(rows);
      done += rows.length;
    }
  }

  /** One alarm serves every deadline: the load's expiry, the schedule, the sending tick, the flush. */
  private async scheduleAlarm(): Promise<void> {
    const b = this.store.broadcast();
    if (!b) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const now = Date.now();
    const candidates: number[] = [];
    if (b.state === "loading" && b.loadingDeadline !== null) candidates.push(b.loadingDeadline);
    if (b.state === "scheduled") candidates.push(Date.parse(b.plan.scheduledAt));
    if (b.state === "sending") {
      const c = this.store.counters();
      if (c.queued + c.sending > 0 || this.store.duePending(now, 1).length > 0) {
        candidates.push(now + SENDING_TICK_MS);
      } else {
        // Everything left is held (a closed window, a pair limit): sleep until the first one is due.
        const held = this.store.nextHeldAt();
        if (held !== null) candidates.push(held);
        if (b.plan.validUntil) candidates.push(Date.parse(b.plan.validUntil));
      }
    }
    // Claims still out after a stop are checked until they settle or expire.
    else if (this.store.counters().sending > 0) candidates.push(now + CLAIM_LEASE_MS);
    if (b.state !== "loading" && (b.version > b.flushedVersion || this.store.hasUnprojected())) {
      candidates.push(now + FLUSH_INTERVAL_MS);
    }
    if (candidates.length === 0) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    // Never push a set alarm later: frequent changes would starve it. An
    // early alarm is harmless (alarm() re-checks everything and re-arms).
    const wanted = Math.max(now, Math.min(...candidates));
    const current = await this.ctx.storage.getAlarm();
    if (current === null || wanted < current) await this.ctx.storage.setAlarm(wanted);
  }

  /** After a schedule change: the alarm may move later, so drop it and arm afresh. */
  private async rescheduleAlarm(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.scheduleAlarm();
  }

  private async wipe(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // deleteAll drops the tables too: recreate them for any later call.
    this.store.ensureSchema();
  }
}

function projectionRow(plan: BroadcastPlan, r: RecipientView): RecipientStateRow {
  const status = r.status === "queued" || r.status === "sending" ? "pending" : r.status;
  const error = r.errors?.length
    ? r.errors.join("; ")
    : r.status === "failed" || r.status === "undeliverable"
      ? r.errorTitle
      : null;
  return {
    broadcastId: plan.broadcastId,
    seq: r.seq,
    accountId: plan.accountId,
    phoneNumberId: plan.sender.phoneNumberId,
    identifier: r.identifier,
    clientReference: r.clientReference,
    name: r.name,
    wamid: r.wamid,
    status,
    error,
    errorCode: r.status === "failed" ? r.errorCode : null,
    submittedAt: r.submittedAt,
    deliveredAt: r.deliveredAt,
    readAt: r.readAt,
    repliedAt: r.repliedAt,
    replyText: r.replyText,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function logBackgroundError(err: unknown): void {
  log("error", "broadcast background work failed", errorFields(err));
}
