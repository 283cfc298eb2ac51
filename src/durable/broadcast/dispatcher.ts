/**
 * The dispatcher: keeps a broadcast's next recipients on the sends queue,
 * as many as its sender's throughput needs in flight (Little's law: rate ×
 * the cycle from enqueue to Meta's answer, measured), holding back those
 * whose sending window is closed. One pump runs at a time; a call while it
 * runs asks it for one more pass.
 */
import { BATCH_SIZE, ewma, INITIAL_CYCLE_MS, inFlightTarget } from "../../domain/pacing";
import type { Bindings } from "../../env";
import { errorFields, log } from "../../log";
import type { SendBatchMessage } from "../../queues/messages";
import type { BroadcastStore } from "./store";
import { SendWindowGate } from "./windows";

/** Queue messages per sendBatch call (Queues' limit). */
const SEND_BATCH_MAX = 100;
/** The most of the queue's delay the cycle counts (its delivery and the RPCs around a send). */
const QUEUE_ALLOWANCE_MS = 250;

export class Dispatcher {
  private pumping = false;
  private pumpAgain = false;
  /** Moving averages of the queue's delay and Meta's answer time (in memory: a restart starts over). */
  private queueDelayMs: number | null = null;
  private latencyMs: number | null = null;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: BroadcastStore,
    private readonly env: Bindings,
  ) {}

  /** A claim arrived `delayMs` after its batch was enqueued. */
  noteQueueDelay(delayMs: number): void {
    this.queueDelayMs = ewma(this.queueDelayMs, Math.max(0, delayMs));
  }

  /** A send was answered `latencyMs` after it left. */
  noteLatency(latencyMs: number): void {
    this.latencyMs = ewma(this.latencyMs, Math.max(0, latencyMs));
  }

  /**
   * Enqueue to Meta's answer: Meta's measured latency plus the queue's
   * delivery, the latter counted at most QUEUE_ALLOWANCE_MS. The queue's
   * delay beyond that is the backlog this very target makes once the cap
   * binds: counting it would grow the target without end.
   */
  cycleMs(): number {
    if (this.queueDelayMs === null && this.latencyMs === null) return INITIAL_CYCLE_MS;
    return Math.min(this.queueDelayMs ?? 0, QUEUE_ALLOWANCE_MS) + (this.latencyMs ?? 0);
  }

  /** Recipients this broadcast keeps queued or claimed now. */
  inFlightTarget(mps: number): number {
    return inFlightTarget(mps, this.cycleMs());
  }

  async pump(): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        if (!(await this.pumpOnce())) return;
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  /** One pass: fills the window; false when there was nothing to do or the queue refused. */
  private async pumpOnce(): Promise<boolean> {
    const b = this.store.broadcast();
    if (b?.state !== "sending") return false;
    const c = this.store.counters();
    let room = this.inFlightTarget(b.plan.sender.throughputMps) - (c.queued + c.sending);
    // Most pumps (one per settle) find the window full: nothing to read or write.
    if (room <= 0) return false;
    const messages: SendBatchMessage[] = [];
    const now = Date.now();
    const windows = new SendWindowGate(b.plan, now);
    this.storage.transactionSync(() => {
      while (room > 0) {
        // Whole waves only, while there are whole waves to send: a short
        // message costs a whole invocation (the window refills on the next settle).
        if (room < BATCH_SIZE && this.store.countDue(now, BATCH_SIZE) >= BATCH_SIZE) break;
        const size = Math.min(BATCH_SIZE, room);
        if (windows.active) this.holdClosed(windows, now, size);
        const batch = this.store.queueDue(now, size);
        if (!batch) break;
        messages.push({
          accountId: b.plan.accountId,
          broadcastId: b.plan.broadcastId,
          batchId: batch.batchId,
          seqs: batch.seqs,
          enqueuedAt: now,
        });
        room -= batch.seqs.length;
      }
    });
    if (messages.length === 0) return false;
    try {
      for (let i = 0; i < messages.length; i += SEND_BATCH_MAX) {
        await this.env.SENDS.sendBatch(
          messages.slice(i, i + SEND_BATCH_MAX).map((body) => ({ body })),
        );
      }
    } catch (err) {
      // Not on the queue: give the rows back; the alarm tick tries again.
      this.storage.transactionSync(() => {
        for (const m of messages) this.store.unqueueBatch(m.batchId);
      });
      log("error", "enqueue failed", errorFields(err));
      return false;
    }
    return true;
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
}
