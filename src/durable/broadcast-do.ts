/**
 * BroadcastDO: one per broadcast, named `accountId:broadcastId`. It owns the
 * broadcast's recipients, its state machine, its counters and its alarm; every
 * write about a recipient goes through it, so transitions are atomic.
 *
 * Life of a broadcast here:
 *   begin → load (chunks) → commit        the create, atomic: an uncommitted load is wiped by the alarm
 *   alarm at scheduledAt → sending         the dispatcher keeps what the sender needs in flight on the queue
 *   claim / settle (from the consumer)     rows move queued → sending → submitted | failed | back
 *   nothing left to send → completed
 *
 * Its parts: the store (./broadcast/store.ts, every SQL statement), the
 * settlement table (domain/settlement.ts, pure), the dispatcher
 * (./broadcast/dispatcher.ts), the outbox to D1 and the callbacks queue
 * (./broadcast/outbox.ts) and the alarm's schedule (./broadcast/alarm-schedule.ts).
 * This class keeps the RPC methods and `alarm()`, and the order of things.
 */
import { DurableObject } from "cloudflare:workers";
import { deleteBroadcastSummary } from "../db/broadcasts";
import { database } from "../db/client";
import { marketingRulesFor } from "../db/marketing-opt-outs";
import { REACH_WINDOW_MS, reachedInLast24h } from "../db/reach";
import { deleteRecipientStates } from "../db/recipient-states";
import { senderMessagingLimit } from "../db/senders";
import { templateSendTtl } from "../db/templates";
import type {
  BeginOutcome,
  BroadcastPlan,
  BroadcastState,
  BroadcastSummary,
  NewRecipient,
  RecipientStatus,
  RecipientView,
} from "../domain/broadcast";
import { canMove } from "../domain/broadcast-moves";
import { callingCodeOf } from "../domain/calling-code";
import { type AudienceCount, countByCallingCode, type PricedMessages } from "../domain/cost";
import { isMarketing, rejectBlocked } from "../domain/marketing-rules";
import { budgetFor, budgetMessage } from "../domain/messaging-limit";
import { MARKETING_LIMIT_CODE } from "../domain/meta-errors";
import {
  EXPIRED_AT_META_TITLE,
  expiredAtMetaAt,
  sendTtlSeconds,
  submittedBeforeExpired,
} from "../domain/meta-ttl";
import { CLAIM_LEASE_MS } from "../domain/pacing";
import { type ExportRecord, exportRecord } from "../domain/recipient-export";
import { afterMarketingLimit, breakerTrips, settle } from "../domain/settlement";
import { applyDeliveryStatus } from "../domain/status";
import type { V1Definition } from "../domain/v1-broadcast";
import { cappedPeople } from "../engine/frequency-cap";
import type { Bindings } from "../env";
import { errorFields, log } from "../log";
import type { SendOutcome } from "../queues/messages";
import type { StatusEvent } from "../whatsapp/webhooks";
import { nextAlarmAt } from "./broadcast/alarm-schedule";
import {
  ARCHIVE_PAGE,
  type ArchiveInfo,
  ArchiveRecord,
  archiveKey,
  eraseFromArchive,
  gzipNdjson,
} from "./broadcast/archive";
import { resolveAudience } from "./broadcast/audience";
import { Dispatcher } from "./broadcast/dispatcher";
import { Outbox } from "./broadcast/outbox";
import { catchUpPortfolio } from "./broadcast/portfolio-catch-up";
import {
  type BroadcastRow,
  BroadcastStore,
  type ClaimedRow,
  ERASED,
  nowIso,
} from "./broadcast/store";
import { broadcastStub } from "./stubs";

/** Where the estimate's audience by calling code is kept (the DO's key-value storage). */
const ESTIMATE_AUDIENCE_KEY = "estimate-audience";
/** An uncommitted create is abandoned (and wiped) after this long. */
const LOADING_TTL_MS = 5 * 60_000;
/** A queued batch never claimed within this long is presumed lost and re-enqueued. */
const REQUEUE_AFTER_MS = 90_000;

export const EXPIRED_TITLE = "Message validity expired";
/** What a v1 broadcast whose audience resolves to nobody says, instead of completing silently. */
export const EMPTY_AUDIENCE_NOTE =
  "Nobody to send to: the audience resolved to no sendable contact when sending started";

export type ClaimedRecipient = ClaimedRow;

export interface Claim {
  state: BroadcastState | "gone";
  plan: BroadcastPlan | null;
  recipients: ClaimedRecipient[];
  /** The claim's token and start (BroadcastDO's clock): sends must leave within its lease. */
  claimedAt: number;
}

export type StateChange =
  | { ok: true; summary: BroadcastSummary }
  | { ok: false; reason: "not_found" | "conflict"; state?: BroadcastState };

export class BroadcastDO extends DurableObject<Bindings> {
  private readonly store: BroadcastStore;
  private readonly dispatcher: Dispatcher;
  private readonly outbox: Outbox;
  private readonly archives: ArchiveRecord;
  /** A v1 audience is being loaded from D1 right now (edits wait; a cancel stops it). */
  private resolving = false;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.store = new BroadcastStore(ctx.storage.sql);
    this.dispatcher = new Dispatcher(ctx.storage, this.store, env);
    this.outbox = new Outbox(this.store, env);
    this.archives = new ArchiveRecord(ctx.storage.sql);
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
    this.outbox.reopen();
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
      await this.keepEstimateAudience();
      await this.outbox.flushSummaryOnly();
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
    held?: boolean | null;
  }): { rows: RecipientView[]; total: number } | null {
    if (!this.live()) return null;
    return this.store.listRecipients(
      query.limit,
      query.offset,
      query.updatedSince,
      query.status,
      query.held ?? null,
    );
  }

  /**
   * One page of an export: the recipients after `afterSeq`, in order; or,
   * once archived, where the archive is (the rows are no longer here).
   */
  exportPage(
    afterSeq: number,
    limit: number,
  ): { archive: string | null; rows: ExportRecord[] } | null {
    if (!this.live()) return null;
    const archived = this.archives.get();
    if (archived) return { archive: archived.key, rows: [] };
    return { archive: null, rows: this.store.recipientsAfter(afterSeq, limit).map(exportRecord) };
  }

  /**
   * Retention: writes every recipient to R2 (one gzip NDJSON object, one pass)
   * and removes them here; the broadcast row and counters stay, so its
   * summary reads as before. Only a finished broadcast; a repeat answers the
   * archive already made.
   */
  async archive(): Promise<
    { ok: true; archive: ArchiveInfo } | { ok: false; reason: "not_found" | "not_finished" }
  > {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    if (b.state !== "completed" && b.state !== "cancelled")
      return { ok: false, reason: "not_finished" };
    const done = this.archives.get();
    if (done) return { ok: true, archive: done };
    const store = this.store;
    let rows = 0;
    function* pages(): Generator<ExportRecord[]> {
      let after = -1;
      for (;;) {
        const page = store.recipientsAfter(after, ARCHIVE_PAGE);
        if (page.length === 0) return;
        rows += page.length;
        after = page[page.length - 1]?.seq ?? after;
        yield page.map(exportRecord);
      }
    }
    const key = archiveKey(b.plan.accountId, b.plan.broadcastId);
    const body = await gzipNdjson(pages());
    await this.env.ARCHIVE.put(key, body, {
      httpMetadata: { contentType: "application/gzip" },
      customMetadata: { rows: String(rows), format: "ndjson" },
    });
    // A status arriving while the object was written would be lost with the
    // rows; a broadcast finished retention-days ago gets none in practice.
    const archive = { key, rows, archivedAt: nowIso() };
    this.ctx.storage.transactionSync(() => this.archives.commit(archive));
    return { ok: true, archive };
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
    if (!canMove("cancel", b.state)) return { ok: false, reason: "conflict", state: b.state };
    this.ctx.storage.transactionSync(() => {
      // Rows claimed by a consumer right now settle on their own: the
      // consumer sees the cancellation and releases what it has not sent.
      this.store.cancelUnsent();
      this.store.updateBroadcast({ state: "cancelled", completedAt: nowIso() });
    });
    await this.scheduleAlarm();
    return { ok: true, summary: this.requireSummary() };
  }

  async pause(reason: string | null = null): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    if (!canMove("pause", b.state)) return { ok: false, reason: "conflict", state: b.state };
    this.store.updateBroadcast({ state: "paused", pauseReason: reason ?? "Paused by request" });
    await this.scheduleAlarm();
    return { ok: true, summary: this.requireSummary() };
  }

  /** Resumes a paused broadcast from where it stopped (sending if it had started, else scheduled). */
  async resume(): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    if (!canMove("resume", b.state)) return { ok: false, reason: "conflict", state: b.state };
    const next: BroadcastState = b.startedAt ? "sending" : "scheduled";
    this.ctx.storage.transactionSync(() => {
      // Batches left on the queue while paused were acknowledged empty: give
      // their rows back so the dispatcher enqueues them afresh.
      this.store.requeueQueued();
      this.store.clearVerdicts();
      this.store.updateBroadcast({ state: next, pauseReason: null });
    });
    if (next === "sending") await this.dispatcher.pump();
    await this.scheduleAlarm();
    return { ok: true, summary: this.requireSummary() };
  }

  /**
   * v1 edits while the broadcast is a draft or scheduled (its audience not yet
   * resolved): the plan is replaced and the alarm follows the new schedule.
   * Refused while the audience is being resolved: its rows are the old plan's.
   */
  async replacePlan(plan: BroadcastPlan): Promise<StateChange> {
    const b = this.live();
    if (!b) return { ok: false, reason: "not_found" };
    if (!canMove("replan", b.state) || b.plan.audienceResolved || this.resolving) {
      return { ok: false, reason: "conflict", state: this.resolving ? "sending" : b.state };
    }
    this.store.updateBroadcast({ plan, state: plan.draft ? "draft" : "scheduled" });
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

  /**
   * Cancels what is still unsent, then erases the broadcast here and in D1.
   * The outbox is closed first (waiting for a flush under way), so no flush
   * can write the summary or the projection back after the delete.
   */
  async remove(): Promise<boolean> {
    const b = this.live();
    if (!b) return false;
    if (canMove("cancel", b.state)) await this.cancel();
    await this.outbox.close();
    await deleteBroadcastSummary(this.env.DB, b.plan.accountId, b.plan.broadcastId);
    await deleteRecipientStates(this.env, b.plan.accountId, b.plan.broadcastId, b.createdAt);
    // Its archive goes with it (retention may have moved its recipients to R2).
    const archived = this.archives.get();
    if (archived) await this.env.ARCHIVE.delete(archived.key);
    await this.wipe();
    return true;
  }

  /**
   * Flushes everything changed to D1 now, for a reader that must see at least
   * what this broadcast's own GET shows (a retarget resolving its audience).
   * Answers whether the projection is now complete.
   */
  async catchUp(): Promise<boolean> {
    if (!this.live()) return true;
    await this.outbox.flush();
    return !this.store.hasUnprojected();
  }

  // ---- dispatch: claim and settle (called by the sends consumer) ---------------

  /**
   * Hands a consumer the rows of its batch that may still be sent, marking
   * them claimed. Rows already submitted, cancelled or claimed by a live
   * consumer are never handed out twice; rows past `valid_until` become
   * undeliverable instead. `enqueuedAt` (the batch's time on the queue)
   * feeds the in-flight sizing.
   */
  async claim(batchId: number, enqueuedAt: number | null = null): Promise<Claim> {
    const now = Date.now();
    const b = this.live();
    if (!b) return { state: "gone", plan: null, recipients: [], claimedAt: now };
    if (b.state !== "sending")
      return { state: b.state, plan: b.plan, recipients: [], claimedAt: now };
    if (this.expired(b)) {
      this.expireRemaining();
      return { state: b.state, plan: b.plan, recipients: [], claimedAt: now };
    }
    if (enqueuedAt !== null) this.dispatcher.noteQueueDelay(now - enqueuedAt);
    const recipients = this.ctx.storage.transactionSync(() => {
      const rows = this.store.claimBatch(batchId, now, now - CLAIM_LEASE_MS);
      this.store.noteMetric("peak_claimed", this.store.counters().sending, "max");
      return rows;
    });
    return { state: "sending", plan: b.plan, recipients, claimedAt: now };
  }

  /**
   * Records send results as they come back (domain/settlement.ts decides
   * each). `claimedAt` is the token of the claim they come from. Returns the
   * broadcast's state so that the consumer stops as soon as it is paused or
   * cancelled.
   */
  async settle(
    outcomes: SendOutcome[],
    claimedAt: number | null = null,
  ): Promise<BroadcastState | "gone"> {
    const b = this.live();
    if (!b) return "gone";
    let haltReason: string | null = null;
    const ctx = {
      stopped: b.state === "cancelled",
      claim: claimedAt,
      now: nowIso(),
      marketingLimit: marketingLimitOf(b.plan),
    };
    const verdicts: boolean[] = [];
    this.ctx.storage.transactionSync(() => {
      const latencies: number[] = [];
      let counted = 0;
      for (const o of outcomes) {
        if ("latencyMs" in o && typeof o.latencyMs === "number") latencies.push(o.latencyMs);
        const row = this.store.settlingRow(o.seq);
        if (!row) continue;
        const s = settle(row, o, ctx);
        if (!s) continue;
        this.store.applySettlement(o.seq, row.status, s);
        if (s.counted) counted++;
        if (s.verdict) verdicts.push(s.verdict === "ok");
        haltReason ??= s.halt;
      }
      // One write each per settle, not one per recipient.
      this.store.countSends(Date.now(), counted);
      for (const ms of latencies) this.dispatcher.noteLatency(ms);
      const missed = outcomes.filter((o) => o.outcome === "released" && o.late).length;
      this.store.noteMetric("slots_missed", missed, "add");
      this.store.noteLatencies(latencies);
      this.store.noteVerdicts(verdicts);
    });
    // The breaker's window changes only when a verdict is added: read it then, not on every settle.
    const pauseReason =
      haltReason ?? (verdicts.length > 0 ? breakerTrips(this.store.recentVerdicts()) : null);
    if (pauseReason && this.store.broadcast()?.state === "sending") {
      this.ctx.storage.transactionSync(() => {
        this.store.updateBroadcast({ state: "paused", pauseReason });
        this.store.clearVerdicts();
      });
    }
    await this.afterProgress();
    return this.store.broadcast()?.state ?? "gone";
  }

  /** The dead-letter consumer gave up on a batch: what is still unsent in it fails, visibly. */
  async failBatch(batchId: number, reason: string): Promise<void> {
    if (!this.live()) return;
    this.ctx.storage.transactionSync(() => this.store.failBatch(batchId, reason));
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
    let putBack = false;
    const plan = this.store.broadcast()?.plan;
    const now = nowIso();
    this.ctx.storage.transactionSync(() => {
      for (const e of events) {
        const byWamid = this.store.recipientByWamid(e.wamid);
        const r = byWamid ?? (e.broadcast ? this.store.recipient(e.broadcast.seq) : null);
        if (!r || r.status === "rejected") {
          unknown++;
          continue;
        }
        // A late status of a try given up on (131049) is not about the next try.
        if (!byWamid && this.store.isPreviousWamid(r.seq, e.wamid)) {
          unknown++;
          continue;
        }
        if (e.status === "failed" && e.error?.code === MARKETING_LIMIT_CODE && plan) {
          const row = this.store.settlingRow(r.seq);
          const later =
            row && applyDeliveryStatus(r.status, "failed") === "failed"
              ? afterMarketingLimit({ ...row, wamid: row.wamid ?? e.wamid }, e.error, {
                  now,
                  marketingLimit: marketingLimitOf(plan),
                })
              : null;
          if (row && later) {
            this.store.applySettlement(r.seq, row.status, later);
            putBack = true;
            applied++;
            continue;
          }
        }
        const at = new Date(e.at).toISOString();
        const assign: Record<string, SqlStorageValue> = {};
        // Meta's next status releases a held message (sent…), or ends it (failed 132015).
        if (r.held) assign.held_at = null;
        if (e.recipientUserId && e.recipientUserId !== r.userId) assign.user_id = e.recipientUserId;
        if (!r.wamid) assign.wamid = e.wamid;
        if (e.status === "sent" && !r.sentAt) assign.sent_at = at;
        // The earliest wins: a delivered_at inferred from an earlier-arriving read gives way to Meta's own.
        if (e.status === "delivered" && (!r.deliveredAt || at < r.deliveredAt))
          assign.delivered_at = at;
        if (e.status === "read" && !r.readAt) assign.read_at = at;
        // Meta may send read without delivered: a read message was delivered, by then at the latest.
        if (e.status === "read" && !r.deliveredAt) assign.delivered_at = at;
        if (e.pricing) this.store.notePricing(r.seq, e.pricing, callingCodeOf(r.identifier), at);
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
    // A completed broadcast with someone put back for tomorrow is sending again: it
    // is completed only when nothing waits.
    if (putBack && this.store.broadcast()?.state === "completed")
      this.store.updateBroadcast({ state: "sending", completedAt: null });
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

  /** Meta's pricing of this broadcast's messages so far, grouped (what `cost` is priced from). */
  pricedMessages(): PricedMessages[] | null {
    return this.live() ? this.store.pricedMessages() : null;
  }

  /**
   * The audience an estimate prices, by calling code: null until it is known
   * (v1, before start). Counted once, when the audience is resolved (at
   * commit, or when a v1 audience loads), and kept: a read costs no scan of
   * the recipients, and a later cancel or archive does not change what the
   * broadcast was estimated at.
   */
  async estimateAudience(): Promise<AudienceCount[] | null> {
    const b = this.live();
    if (!b?.plan.audienceResolved) return null;
    return (
      (await this.ctx.storage.get<AudienceCount[]>(ESTIMATE_AUDIENCE_KEY)) ??
      (await this.keepEstimateAudience())
    );
  }

  private async keepEstimateAudience(): Promise<AudienceCount[]> {
    const counts = countByCallingCode(this.store.acceptedIdentifiers());
    await this.ctx.storage.put(ESTIMATE_AUDIENCE_KEY, counts);
    return counts;
  }

  /** For the dashboard: accepted sends per second, and failures by Meta's error code. */
  activity(): {
    sendRate: { at: number; count: number }[];
    failures: { code: number | null; title: string; count: number }[];
    sendLatencyMs: { p50: number; p99: number; count: number } | null;
    inFlightTarget: number;
    slotsMissed: number;
    peakClaimed: number;
  } | null {
    const b = this.live();
    if (!b) return null;
    const metrics = this.store.metrics();
    return {
      sendRate: this.store.sendRate(),
      failures: this.store.failureGroups(),
      sendLatencyMs: this.store.latencyPercentiles(),
      inFlightTarget: this.dispatcher.inFlightTarget(b.plan.sender.throughputMps),
      slotsMissed: metrics.slots_missed ?? 0,
      peakClaimed: metrics.peak_claimed ?? 0,
    };
  }

  /** Removes a person (by phone digits) from this broadcast; answers how many rows held them. */
  async erasePerson(digits: string): Promise<number> {
    if (!this.store.broadcast()) return 0;
    // Archived by retention: the rows are in R2 now, and the person goes from there.
    const archived = this.archives.get();
    if (archived) return eraseFromArchive(this.env.ARCHIVE, archived.key, digits, ERASED);
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
      if (this.expired(b)) this.expireRemaining();
      this.sweep(now);
      await this.afterProgress();
    }
    // Only where Meta may hold messages of this broadcast (never before sending started).
    if (b.state !== "loading" && b.state !== "scheduled" && b.state !== "draft")
      this.expireAtMeta(b, now);
    if (b.state === "cancelled" || b.state === "paused") {
      // A consumer that died holding a claim after the stop: its rows must
      // still end somewhere (cancelled), or wait for the resume (pending).
      this.ctx.storage.transactionSync(() =>
        this.store.releaseClaimsBefore(
          now - CLAIM_LEASE_MS,
          b.state === "cancelled" ? "cancelled" : "pending",
        ),
      );
    }
    await this.outbox.flush();
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

  /**
   * Loads a v1 broadcast's audience into its recipients (the D1 contacts as
   * they are now). A retarget first has its source flush to D1, so that it
   * sees every engagement the source's own GET shows. A cancel while this
   * awaits D1 stops the load, and what was loaded ends cancelled.
   */
  private async resolve(b: BroadcastRow): Promise<void> {
    const definition = JSON.parse(b.plan.definition ?? "null") as V1Definition | null;
    this.resolving = true;
    try {
      if (definition?.type === "retarget" && definition.retargetBroadcast) {
        const source = broadcastStub(this.env, b.plan.accountId, definition.retargetBroadcast.id);
        if (!(await source.catchUp()))
          throw new Error("The retargeted broadcast has not caught up yet");
      }
      const stillScheduled = () => this.store.broadcast()?.state === "scheduled";
      // Marketing to US numbers or to people who stopped marketing: rejected with the reason.
      const rules = await marketingRulesFor(
        this.env.DB,
        b.plan.accountId,
        b.plan.template.category,
      );
      const count = definition
        ? await resolveAudience(this.env, b.plan.accountId, definition, (rows) => {
            if (!stillScheduled()) return false;
            const checked = rejectBlocked(rows, b.plan.template.category, rules);
            this.ctx.storage.transactionSync(() => this.store.insertRecipients(checked));
            return true;
          })
        : 0;
      await this.rejectCapped(b.plan);
      this.ctx.storage.transactionSync(() => {
        this.store.recountFromRows();
        const current = this.store.broadcast();
        if (!current) return;
        // Cancelled meanwhile: the rows loaded before the cancel saw it end cancelled too.
        if (current.state === "cancelled") this.store.cancelUnsent();
        this.store.updateBroadcast({
          plan: { ...current.plan, audienceResolved: true, expectedRows: count },
          ...(current.state === "scheduled" && this.store.counters().pending === 0
            ? { pauseReason: EMPTY_AUDIENCE_NOTE }
            : {}),
        });
      });
      await this.keepEstimateAudience();
    } finally {
      this.resolving = false;
    }
  }

  /**
   * The frequency cap when a v1 audience loads: a person already at it is
   * rejected with the reason, as at a Broadcasts API create; with
   * `frequencyCap: "hold"` they stay and the send-time check holds them.
   */
  private async rejectCapped(plan: BroadcastPlan): Promise<void> {
    if ((plan.frequencyCap ?? "skip") === "hold" || !isMarketing(plan.template.category)) return;
    const people = this.store.pendingPeople();
    const capped = await cappedPeople(this.env, {
      accountId: plan.accountId,
      category: plan.template.category,
      people: people.map((p) => p.identifier),
      policy: "skip",
      validUntil: plan.validUntil,
      except: plan.broadcastId,
    });
    if (capped.size === 0) return;
    const byReason = new Map<string, number[]>();
    for (const p of people) {
      const verdict = capped.get(p.identifier);
      if (!verdict) continue;
      const seqs = byReason.get(verdict.reason);
      if (seqs) seqs.push(p.seq);
      else byReason.set(verdict.reason, [p.seq]);
    }
    this.ctx.storage.transactionSync(() => {
      for (const [reason, seqs] of byReason) this.store.rejectPending(seqs, reason);
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
    if (b.plan.sendTtlSeconds === undefined) {
      const ttl = await templateSendTtl(
        database(this.env.DB),
        b.plan.accountId,
        b.plan.sender.wabaId,
        b.plan.template.name,
        b.plan.template.language,
      );
      b = this.store.broadcast();
      if (b?.state !== "scheduled") return;
      const plan = { ...b.plan, sendTtlSeconds: sendTtlSeconds(b.plan.template.category, ttl) };
      this.store.updateBroadcast({ plan });
    }
    this.store.updateBroadcast({ state: "sending", startedAt: b.startedAt ?? nowIso() });
    if (this.expired(b)) this.expireRemaining();
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
    await catchUpPortfolio(this.env, plan.accountId, plan.sender.wabaId, plan.broadcastId);
    const { reached, newPeople } = await reachedInLast24h(
      this.env,
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
  private expireRemaining(): void {
    this.ctx.storage.transactionSync(() => this.store.expireUnsent(EXPIRED_TITLE));
  }

  /** Messages Meta kept past their TTL without a word: undeliverable, "expired at Meta". */
  private expireAtMeta(b: BroadcastRow, now: number): void {
    // Most ticks have nothing due: one index lookup, no scan.
    const due = this.metaExpiryAt(b);
    if (due === null || due > now) return;
    const ttl = this.ttlOf(b.plan);
    const before = new Date(submittedBeforeExpired(now, ttl)).toISOString();
    this.ctx.storage.transactionSync(() => this.store.expireAtMeta(before, EXPIRED_AT_META_TITLE));
  }

  /** The plan's TTL, or Meta's default for its category in a plan from before the TTL was read. */
  private ttlOf(plan: BroadcastPlan): number {
    return plan.sendTtlSeconds ?? sendTtlSeconds(plan.template.category, null);
  }

  /** Gives back rows whose consumer died (stale claims) and batches that never arrived. */
  private sweep(now: number): void {
    this.ctx.storage.transactionSync(() => {
      this.store.releaseClaimsBefore(now - CLAIM_LEASE_MS, "pending");
      this.store.requeueStaleBatches(new Date(now - REQUEUE_AFTER_MS).toISOString());
    });
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
    await this.dispatcher.pump();
  }

  /**
   * Arms the one alarm for the next deadline (./broadcast/alarm-schedule.ts).
   * Never pushes a set alarm later: frequent changes would starve it. An
   * early alarm is harmless (alarm() re-checks everything and re-arms).
   */
  private async scheduleAlarm(): Promise<void> {
    const b = this.store.broadcast();
    const now = Date.now();
    const wanted = b
      ? nextAlarmAt(
          {
            state: b.state,
            loadingDeadline: b.loadingDeadline,
            scheduledAt: b.plan.scheduledAt,
            validUntil: b.plan.validUntil,
            counters: this.store.counters(),
            hasDue: b.state === "sending" && this.store.countDue(now, 1) > 0,
            nextHeldAt: b.state === "sending" ? this.store.nextHeldAt() : null,
            metaExpiryAt: this.metaExpiryAt(b),
            dirty:
              b.version > b.flushedVersion ||
              this.store.hasUnprojected() ||
              this.store.usageUnflushed(),
          },
          now,
        )
      : null;
    if (wanted === null) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const current = await this.ctx.storage.getAlarm();
    if (current === null || wanted < current) await this.ctx.storage.setAlarm(wanted);
  }

  private metaExpiryAt(b: BroadcastRow): number | null {
    const oldest = this.store.oldestAwaitingDelivery();
    return oldest === null ? null : expiredAtMetaAt(Date.parse(oldest), this.ttlOf(b.plan));
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

/**
 * The broadcast's 131049 policy, as the settlement reads it: only for a
 * marketing template (the limit is on marketing; a 131049 to anything else
 * is taken as final).
 */
function marketingLimitOf(plan: BroadcastPlan) {
  if (!isMarketing(plan.template.category)) return undefined;
  return { policy: plan.marketingLimitRetry, validUntil: plan.validUntil };
}

function logBackgroundError(err: unknown): void {
  log("error", "broadcast background work failed", errorFields(err));
}
