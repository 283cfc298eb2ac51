/**
 * The outbox: what the BroadcastDO owes D1 and the callbacks queue — the
 * summary row (and the broadcast's end event), and every recipient row
 * changed since it was last projected (and its callback events), and its
 * priced messages (D1's usage rows) when Meta priced more of them. A flush
 * that fails leaves its rows dirty for the next alarm. Flushes run one at a
 * time, and a closed outbox writes nothing more, so a delete that waits for
 * `close()` can never be followed by a flush writing the broadcast back.
 */
import { upsertBroadcastSummary } from "../../db/broadcasts";
import type { RecipientStateRow } from "../../db/recipient-states";
import { replaceBroadcastUsage } from "../../db/usage";
import type { BroadcastPlan, RecipientView } from "../../domain/broadcast";
import { countersView } from "../../domain/counters";
import type { Bindings } from "../../env";
import { errorFields, log } from "../../log";
import { writeProjection } from "../account-data/mirror";
import { emitBroadcastEnd, emitRecipientChanges } from "./callbacks";
import type { BroadcastStore } from "./store";

/** Rows projected to D1 per flush, and per D1 batch. */
const PROJECTION_PER_RUN = 50_000;
const PROJECTION_CHUNK = 5_000;

export class Outbox {
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly store: BroadcastStore,
    private readonly env: Bindings,
  ) {}

  /** Flushes the summary, then the projection; waits for a flush already under way first. */
  flush(): Promise<void> {
    return this.exclusive(() => this.flushNow());
  }

  /**
   * Flushes the summary alone: a create's 202 waits for its summary (reads
   * find the broadcast at once), not for its up to 50,000 projection rows,
   * which the next alarm (FLUSH_INTERVAL_MS) writes.
   */
  flushSummaryOnly(): Promise<void> {
    return this.exclusive(() => this.flushSummary());
  }

  private async exclusive(run: () => Promise<void>): Promise<void> {
    while (this.running) await this.running;
    if (this.closed) return;
    this.running = run().finally(() => {
      this.running = null;
    });
    await this.running;
  }

  /** No flush after this one: waits for one under way to end. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.running;
  }

  /** Opens the outbox again (a broadcast created anew under the same name after a delete). */
  reopen(): void {
    this.closed = false;
  }

  private async flushNow(): Promise<void> {
    await this.flushSummary();
    await this.flushUsage();
    await this.flushProjection();
  }

  /** The broadcast's priced messages, when some were priced since the last flush (GET /v1/usage). */
  private async flushUsage(): Promise<void> {
    const b = this.store.broadcast();
    if (!b || b.state === "loading") return;
    const { priced, flushed } = this.store.pricingProgress();
    if (priced <= flushed) return;
    try {
      await replaceBroadcastUsage(
        this.env.DB,
        b.plan.accountId,
        b.plan.broadcastId,
        this.store.pricedMessages(),
      );
      this.store.markUsageFlushed(priced);
    } catch (err) {
      log("error", "usage flush failed", errorFields(err));
    }
  }

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

  private async flushProjection(): Promise<void> {
    const b = this.store.broadcast();
    if (!b || b.state === "loading") return;
    let done = 0;
    while (done < PROJECTION_PER_RUN && !this.closed) {
      const rows = this.store.unprojected(PROJECTION_CHUNK);
      if (rows.length === 0) return;
      try {
        const projected = rows.map((r) => projectionRow(b.plan, r));
        await writeProjection(this.env, b.plan.accountId, b.createdAt, projected);
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
}

/** A recipient as D1's projection keeps it: `queued`/`sending` read as pending. */
export function projectionRow(plan: BroadcastPlan, r: RecipientView): RecipientStateRow {
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
