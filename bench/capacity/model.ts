/**
 * The model of one number sending one broadcast: the BroadcastDO (its real
 * Dispatcher over a model of its store), Cloudflare Queues and its
 * autoscaler, the sends consumer (src/queues/sends.ts, step for step, with
 * the real Connections), the SenderDO's slots, Meta, and the receiver's
 * sliding one-second window. Rules and constants come from src/; what the
 * platform does not publish is a parameter of `Scenario` (ASSUMPTIONS in
 * bench/capacity.ts gives the values and their sources).
 */
import {
  BATCH_SIZE,
  departBy,
  ewma,
  MAX_DEPARTURE_DELAY_MS,
  slotIntervalMs,
} from "../../src/domain/pacing.ts";
import { SENDING_TICK_MS } from "../../src/durable/broadcast/alarm-schedule.ts";
import { Dispatcher } from "../../src/durable/broadcast/dispatcher.ts";
import type { BroadcastStore } from "../../src/durable/broadcast/store.ts";
import type { Bindings } from "../../src/env.ts";
import { depart } from "../../src/queues/departures.ts";
import type { SendBatchMessage } from "../../src/queues/messages.ts";
import { Connections } from "../../src/whatsapp/connections.ts";
import { exponential, logNormal, prng, Sim, seedFor } from "./engine.ts";

/**
 * Numbers of src/ that are not exported (their modules import the Workers
 * runtime, or keep them private). Checked by hand against the source.
 */
export const UNEXPORTED = {
  /** sends.ts SEND_TIMEOUT_MS: `departBy` subtracts it from the lease. */
  sendTimeoutMs: 10_000,
  /** sends.ts STATE_RECHECK_AFTER_MS: a wave whose first slot is further away re-reads the state. */
  stateRecheckAfterMs: 1_000,
  /** sends.ts reserveLeadMs(): ceil(trip × 1.5) + 5, trip an ewma of the reserve round trip (10 before any). */
  reserveLead: { tripFactor: 2, plusMs: 10, initialTripMs: 10 },
  /** sender-do.ts MAX_LEAD_MS: the SenderDO clamps the lead to this. */
  maxLeadMs: 250,
};

export interface Autoscaler {
  /** Concurrent invocations at the start. */
  start: number;
  /** Cloudflare's ceiling (max_concurrency unset). */
  max: number;
  /** A finished invocation may add one more only this long after the last increase (0: always). */
  rampMs: number;
  /** A finished invocation that leaves the queue empty takes one away (not below 1). */
  shrinkWhenIdle: boolean;
  /** Never changes (Miniflare: one batch at a time). */
  fixed: boolean;
}

export interface Scenario {
  name: string;
  mps: number;
  recipients: number;
  /** Meta's answer time, log-normal by its median and 99th percentile (equal: fixed). */
  latency: { p50: number; p99: number };
  /** Median round trip of one Durable Object RPC (claim, reserve, settle, state). */
  rpcMs: number;
  /** Each leg of an RPC is log-normal, median rpcMs / 2, 99th percentile this × the median. */
  rpcP99OverP50: number;
  /** CPU time a Durable Object spends on each request; it serves one at a time. */
  doServiceMs: number;
  /** The BroadcastDO's `SENDS.sendBatch` round trip (its pump awaits it, one pump at a time). */
  queueSendMs: number;
  /** From a message's send being accepted to its being deliverable to a consumer. */
  deliveryMs: number;
  /** wrangler.toml max_batch_size for chorus-sends. */
  maxBatchSize: number;
  /** wrangler.toml max_batch_timeout: a short batch waits this long to fill. */
  maxBatchTimeoutMs: number;
  /** Connections per invocation (0: unlimited, like `wrangler dev` without the clamp). */
  connections: number;
  /**
   * The runtime reports a batch done only once its ctx.waitUntil() promises
   * have resolved (workerd's default); false: the experimental compatibility
   * flag queue_consumer_no_wait_for_wait_until, the batch is done when the
   * handler returns.
   */
  batchWaitsForWaitUntil: boolean;
  autoscaler: Autoscaler;
  /**
   * Locally only: CPU per recipient on the one thread that runs every
   * isolate of `wrangler dev` (the claim, the send at both ends, the settle,
   * the webhooks, the projection), charged to the invocation that sent it;
   * 0: CPU to spare (production spreads isolates over machines).
   */
  localCpuMsPerSend: number;
  /** Mean of how late a timer fires (exponential): a busy isolate. */
  timerLateMs: number;
  seed: number;
  code: Code;
}

/**
 * Changes to the code that the simulation can make, to show what they would
 * do; AS_BUILT is the code as committed.
 */
export interface Code {
  /**
   * "as-built": the pump fills any room (`min(BATCH_SIZE, room)`), so a refill
   * after one settle can be a message of one row; "whole": a message only
   * when a whole one fits (or the last rows of the broadcast).
   */
  pump: "as-built" | "whole";
  /**
   * sends.ts re-reads the broadcast's state after sleeping to a first slot
   * more than STATE_RECHECK_AFTER_MS away, so that RPC makes the slot late;
   * > 0: re-read this long before the slot instead.
   */
  recheckLeadMs: number;
  /** The Settler waits this long before each settle, to carry more outcomes (0 as built). */
  settleLingerMs: number;
  /**
   * sends.ts HANDOFF_WITHIN_MS: a message is done for the queue once its
   * slots are reserved and the last is at most this far away (its sends
   * leave in waitUntil); null: only once every send has left (before 2026-12-02).
   */
  handoffWithinMs: number | null;
}

export const AS_BUILT: Code = {
  pump: "as-built",
  recheckLeadMs: 250,
  settleLingerMs: 0,
  handoffWithinMs: 1_000,
};

export interface Result {
  scenario: string;
  mps: number;
  recipients: number;
  p50: number;
  p99: number;
  accepted: number;
  /** Stopped before the end: livelocked, or out of virtual time. */
  stalled: boolean;
  /** Mean recipients per queue message. */
  rowsPerMessage: number;
  /** As bench/dispatch.ts: (accepted - 1) / (last accept - first accept). */
  achievedMps: number;
  pctOfCap: number;
  /** Between the 10th and the 90th percentile accept: the rate once ramped. */
  steadyPctOfCap: number;
  /** Most batches in progress at once, as the autoscaler counts them. */
  peakInvocations: number;
  /** Most sends waiting for Meta's answer at once. */
  peakSendsInFlight: number;
  /** Mean batch, from delivery to done as the queue sees it. */
  meanInvocationMs: number;
  /** Mean wave, from holding its connections to its last answer. */
  meanWaveMs: number;
  lateGiveUps: number;
  deferredLater: number;
  maxInOneSecond: number;
  overCap: number;
  /** From the broadcast's start until a one-second window first holds 90% of the cap (null: never). */
  rampTo90PctS: number | null;
  durationS: number;
  finalCycleMs: number;
  finalInFlightTarget: number;
  broadcastDoRps: number;
  senderDoRps: number;
  duplicates: number;
  /** Once a second: sends in the last second, batches in progress, messages on the queue, cycle. */
  timeline: { t: number; sent: number; running: number; backlog: number; cycleMs: number }[];
}

// ---- the receiver ----------------------------------------------------------

/**
 * Meta's end: a sliding one-second window of arrivals, as the sandbox's
 * window. Arrival = departure: the one-way trip to Meta is taken as
 * constant, so it shifts every send alike and leaves the windows unchanged.
 */
class Receiver {
  private readonly times: number[] = [];
  private head = 0;
  maxWindow = 0;
  overCap = 0;
  rampAt: number | null = null;

  constructor(private readonly mps: number) {}

  get accepts(): readonly number[] {
    return this.times;
  }

  arrive(at: number): void {
    this.times.push(at);
    while ((this.times[this.head] as number) <= at - 1000) this.head++;
    const inWindow = this.times.length - this.head;
    this.maxWindow = Math.max(this.maxWindow, inWindow);
    if (inWindow > this.mps) this.overCap++;
    if (this.rampAt === null && inWindow >= 0.9 * this.mps) this.rampAt = at;
  }

  inLastSecond(now: number): number {
    let n = 0;
    for (let i = this.times.length - 1; i >= 0 && (this.times[i] as number) > now - 1000; i--) n++;
    return n;
  }
}

// ---- Durable Objects -------------------------------------------------------

/** A Durable Object: RPC legs, and one request at a time on its thread. */
class DoThread {
  private busyUntil = 0;
  private readonly leg: () => number;
  requests = 0;

  constructor(
    private readonly sim: Sim,
    private readonly sc: Scenario,
    name: string,
  ) {
    const median = sc.rpcMs / 2;
    this.leg = logNormal(prng(seedFor(sc.seed, name)), median, median * sc.rpcP99OverP50);
  }

  /** One RPC: a leg there, the object's turn (its awaits included), a leg back. */
  async call<T>(work: () => T | Promise<T>): Promise<T> {
    const { sim, sc } = this;
    await sim.sleep(this.leg());
    this.requests++;
    if (sc.doServiceMs > 0) {
      const start = Math.max(sim.now, this.busyUntil);
      this.busyUntil = start + sc.doServiceMs;
      await sim.sleepUntil(this.busyUntil);
    }
    const result = await work();
    await sim.sleep(this.leg());
    return result;
  }
}

interface Slot {
  index: number;
  at: number;
}

/**
 * SenderDO.reserve: consecutive slots from max(now + lead, next free slot),
 * none past notAfter. No pair spacing (every recipient distinct) and no
 * slowdown (Meta never says 130429).
 */
class SenderModel {
  private nextSlot = 0;

  constructor(
    private readonly sim: Sim,
    private readonly mps: number,
  ) {}

  reserve(count: number, notAfter: number, leadMs: number): { slots: Slot[]; deferred: Slot[] } {
    const lead = Math.min(UNEXPORTED.maxLeadMs, Math.max(0, leadMs));
    const interval = slotIntervalMs(this.mps);
    const slots: Slot[] = [];
    const deferred: Slot[] = [];
    let next = Math.max(this.sim.now + lead, this.nextSlot);
    for (let index = 0; index < count; index++) {
      if (next > notAfter) {
        deferred.push({ index, at: Math.ceil(next) });
        continue;
      }
      slots.push({ index, at: next });
      next += interval;
    }
    this.nextSlot = Math.max(this.nextSlot, next);
    return { slots, deferred };
  }
}

type Outcome =
  | { id: number; outcome: "accepted"; latencyMs: number }
  | { id: number; outcome: "released"; notBefore?: number; late?: boolean };

interface QueueMessage {
  body: SendBatchMessage;
  visibleAt: number;
}

/**
 * The BroadcastDO: its claim and settle, and the real Dispatcher (its pump,
 * its cycle, its in-flight target) over this model of the store's rows.
 */
class BroadcastModel {
  /** Fresh pending rows are ids next..N-1; released ones wait in `retry` and go first (lower seqs). */
  private next = 0;
  private readonly retry: number[] = [];
  private queued = 0;
  private sending = 0;
  private readonly batches = new Map<number, number[]>();
  private lastBatch = 0;
  private readonly acceptedIds: Uint8Array;
  readonly dispatcher: Dispatcher;
  accepted = 0;
  duplicates = 0;
  messages = 0;

  constructor(
    private readonly sim: Sim,
    private readonly sc: Scenario,
    enqueue: (body: SendBatchMessage) => void,
  ) {
    this.acceptedIds = new Uint8Array(sc.recipients);
    const storage = { transactionSync: <T>(fn: () => T) => fn() };
    const env = {
      SENDS: {
        sendBatch: async (messages: { body: SendBatchMessage }[]) => {
          await sim.sleep(sc.queueSendMs);
          for (const m of messages) enqueue(m.body);
        },
      },
    };
    this.dispatcher = new Dispatcher(
      storage as unknown as DurableObjectStorage,
      this.store() as unknown as BroadcastStore,
      env as unknown as Bindings,
    );
  }

  get done(): boolean {
    return this.accepted >= this.sc.recipients;
  }

  /** The part of BroadcastStore the Dispatcher reads and writes. */
  private store() {
    const plan = {
      accountId: "account",
      broadcastId: "broadcast",
      sender: { throughputMps: this.sc.mps },
      sendWindow: null,
    };
    return {
      broadcast: () => ({ state: this.done ? "completed" : "sending", plan }),
      counters: () => ({ queued: this.queued, sending: this.sending }),
      queueDue: (_now: number, size: number) => this.queueDue(size),
      // The dispatcher asks how many rows are due (whole waves only): ids stand in for rows.
      countDue: (_now: number, limit: number) =>
        Math.min(limit, this.retry.length + this.sc.recipients - this.next),
      duePending: (_now: number, limit: number) =>
        Array.from(
          { length: Math.min(limit, this.retry.length + this.sc.recipients - this.next) },
          (_, seq) => ({ seq, identifier: "", timezone: null }),
        ),
      unqueueBatch: (batchId: number) => this.unqueue(batchId),
    };
  }

  private queueDue(size: number): { batchId: number; seqs: number[] } | null {
    const due = this.retry.length + this.sc.recipients - this.next;
    // The "whole" what-if: no short message while a whole one is still to come.
    if (this.sc.code.pump === "whole" && size < BATCH_SIZE && due >= BATCH_SIZE) return null;
    const seqs = this.retry.splice(0, size);
    while (seqs.length < size && this.next < this.sc.recipients) seqs.push(this.next++);
    if (seqs.length === 0) return null;
    const batchId = ++this.lastBatch;
    this.batches.set(batchId, seqs);
    this.queued += seqs.length;
    this.messages++;
    return { batchId, seqs };
  }

  private unqueue(batchId: number): void {
    const seqs = this.batches.get(batchId) ?? [];
    this.batches.delete(batchId);
    this.queued -= seqs.length;
    this.retry.unshift(...seqs);
  }

  /** Sending: the pump now, and on every alarm tick. */
  start(): void {
    const tick = () => {
      if (this.done) return;
      void this.dispatcher.pump();
      this.sim.at(this.sim.now + SENDING_TICK_MS, tick);
    };
    tick();
  }

  claim(batchId: number, enqueuedAt: number | null): { ids: number[]; claimedAt: number } {
    const now = this.sim.now;
    if (enqueuedAt !== null) this.dispatcher.noteQueueDelay(now - enqueuedAt);
    const ids = this.batches.get(batchId) ?? [];
    this.batches.delete(batchId);
    this.queued -= ids.length;
    this.sending += ids.length;
    return { ids, claimedAt: now };
  }

  async settle(outcomes: Outcome[]): Promise<"sending" | "completed"> {
    for (const o of outcomes) {
      this.sending--;
      if (o.outcome === "released") {
        this.releaseLater(o.id, o.notBefore);
        continue;
      }
      this.dispatcher.noteLatency(o.latencyMs);
      if (this.acceptedIds[o.id]) this.duplicates++;
      this.acceptedIds[o.id] = 1;
      this.accepted++;
    }
    // afterProgress: complete, or keep the window full (the settle waits for the pump it starts).
    if (!this.done) await this.dispatcher.pump();
    return this.done ? "completed" : "sending";
  }

  private releaseLater(id: number, notBefore?: number): void {
    if (notBefore === undefined || notBefore <= this.sim.now) {
      this.retry.push(id);
      return;
    }
    this.sim.at(notBefore, () => {
      this.retry.push(id);
      void this.dispatcher.pump();
    });
  }
}

// ---- Cloudflare Queues -----------------------------------------------------

/**
 * The queue and its push consumer: a batch goes to a free invocation when
 * max_batch_size messages are deliverable, or when the oldest has waited
 * max_batch_timeout. The concurrency limit changes only when a batch is done
 * ("it will not autoscale while a batch is being processed").
 */
class QueueModel {
  private readonly backlog: QueueMessage[] = [];
  private head = 0;
  private limit: number;
  private running = 0;
  private lastGrowAt = Number.NEGATIVE_INFINITY;
  private timerAt = -1;
  peak = 0;
  invocations = 0;
  invocationMs = 0;

  constructor(
    private readonly sim: Sim,
    private readonly sc: Scenario,
    private readonly consume: (messages: SendBatchMessage[]) => Promise<void>,
  ) {
    this.limit = sc.autoscaler.start;
  }

  get size(): number {
    return this.backlog.length - this.head;
  }

  get inProgress(): number {
    return this.running;
  }

  send(body: SendBatchMessage): void {
    const message = { body, visibleAt: this.sim.now + this.sc.deliveryMs };
    this.backlog.push(message);
    this.sim.at(message.visibleAt, () => this.deliver());
  }

  private deliver(): void {
    while (this.running < this.limit && this.size > 0) {
      const batch = this.takeBatch();
      if (!batch) return;
      void this.invoke(batch);
    }
  }

  private takeBatch(): SendBatchMessage[] | null {
    const { maxBatchSize, maxBatchTimeoutMs } = this.sc;
    const now = this.sim.now;
    const oldest = this.backlog[this.head] as QueueMessage;
    const nth = this.backlog[this.head + maxBatchSize - 1];
    if (!(nth !== undefined && nth.visibleAt <= now)) {
      // Not yet deliverable: its own delivery event comes at visibleAt.
      if (oldest.visibleAt > now) return null;
      const due = oldest.visibleAt + maxBatchTimeoutMs;
      if (now < due) {
        if (this.timerAt !== due) {
          this.timerAt = due;
          this.sim.at(due, () => this.deliver());
        }
        return null;
      }
    }
    const batch: SendBatchMessage[] = [];
    while (batch.length < maxBatchSize && this.size > 0) {
      const m = this.backlog[this.head] as QueueMessage;
      if (m.visibleAt > now) break;
      batch.push(m.body);
      this.head++;
    }
    return batch;
  }

  private async invoke(batch: SendBatchMessage[]): Promise<void> {
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    const started = this.sim.now;
    await this.consume(batch);
    this.running--;
    this.invocations++;
    this.invocationMs += this.sim.now - started;
    this.autoscale();
    this.deliver();
  }

  /** Re-evaluated only here, when a batch is done. */
  private autoscale(): void {
    const a = this.sc.autoscaler;
    if (a.fixed) return;
    if (this.size > 0) {
      if (this.limit < a.max && this.sim.now - this.lastGrowAt >= a.rampMs) {
        this.limit++;
        this.lastGrowAt = this.sim.now;
      }
    } else if (a.shrinkWhenIdle && this.limit > 1) {
      this.limit--;
    }
  }
}

// ---- the sends consumer ----------------------------------------------------

/** sends.ts's Settler: one settle in flight at a time, each carrying whatever arrived meanwhile. */
class Settler {
  private pending: Outcome[] = [];
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly settle: (outcomes: Outcome[]) => Promise<string>,
    private readonly linger: () => Promise<void> = async () => undefined,
  ) {}

  add(outcome: Outcome): void {
    this.pending.push(outcome);
    if (!this.inFlight) this.inFlight = this.flush();
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      await this.linger();
      const outcomes = this.pending;
      this.pending = [];
      await this.settle(outcomes);
    }
    this.inFlight = null;
  }

  async drain(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }
}

const noRelease = () => undefined;

/** consumeSends and startBatch of src/queues/sends.ts, step for step, on the virtual clock. */
class Consumer {
  late = 0;
  /** This run's own departure gate (the gate is per isolate: one per simulated run). */
  private readonly gateKey = `model-${Math.random()}`;
  deferredLater = 0;
  claimedRows = 0;
  waves = 0;
  waveMs = 0;
  sendsInFlight = 0;
  peakSendsInFlight = 0;
  private cpuBusyUntil = 0;
  /** sends.ts's per-isolate average of the reserve round trip (one isolate, here). */
  private reserveTripMs: number | null = null;
  private readonly latency: () => number;
  private readonly timerLate: () => number;

  constructor(
    private readonly sim: Sim,
    private readonly sc: Scenario,
    private readonly broadcast: BroadcastModel,
    private readonly broadcastDo: DoThread,
    private readonly sender: SenderModel,
    private readonly senderDo: DoThread,
    private readonly receiver: Receiver,
  ) {
    this.latency = logNormal(prng(seedFor(sc.seed, "meta")), sc.latency.p50, sc.latency.p99);
    this.timerLate = exponential(prng(seedFor(sc.seed, "timers")), sc.timerLateMs);
  }

  /**
   * One invocation: one Connections for the batch. Each message is acked
   * once it is handed off (Code.handoffWithinMs), its sends leave and its
   * answers settle in ctx.waitUntil; the batch
   * is done for the queue when the handler returns, or (the runtime's
   * default) when the waitUntil promises have resolved too.
   */
  async consume(messages: SendBatchMessage[]): Promise<void> {
    const connections = new Connections(this.sc.connections);
    const waitUntil: Promise<void>[] = [];
    const claimedBefore = this.claimedRows;
    const startedAt = this.sim.now;
    await Promise.all(
      messages.map(async (body) => {
        const { answered } = await this.startBatch(body, connections);
        waitUntil.push(answered);
      }),
    );
    const cpuMs = (this.claimedRows - claimedBefore) * this.sc.localCpuMsPerSend;
    if (cpuMs > 0) {
      // The one local thread: this batch's share of it, from its start (its
      // RPCs are that CPU) or once the thread is free, whichever is later.
      this.cpuBusyUntil = Math.max(startedAt, this.cpuBusyUntil) + cpuMs;
      await this.sim.sleepUntil(this.cpuBusyUntil);
    }
    if (this.sc.batchWaitsForWaitUntil) await Promise.all(waitUntil);
  }

  private reserveLeadMs(): number {
    const { tripFactor, plusMs, initialTripMs } = UNEXPORTED.reserveLead;
    return Math.ceil((this.reserveTripMs ?? initialTripMs) * tripFactor) + plusMs;
  }

  private async startBatch(
    body: SendBatchMessage,
    connections: Connections,
  ): Promise<{ answered: Promise<void> }> {
    const { sim, broadcast, broadcastDo } = this;
    const claim = await broadcastDo.call(() =>
      broadcast.claim(body.batchId, body.enqueuedAt ?? null),
    );
    this.claimedRows += claim.ids.length;
    if (claim.ids.length === 0) return { answered: Promise.resolve() };
    const lingerMs = this.sc.code.settleLingerMs;
    const settler = new Settler(
      (outcomes) => broadcastDo.call(() => broadcast.settle(outcomes)),
      lingerMs > 0 ? () => sim.sleep(lingerMs) : undefined,
    );
    const notAfter = departBy(claim.claimedAt, UNEXPORTED.sendTimeoutMs);
    const answers: Promise<void>[] = [];
    let rest = claim.ids;
    const departures: Promise<void>[] = [];
    let lastSlotAt = 0;
    while (rest.length > 0) {
      // As many connections as are free within a moment (Connections' own patience).
      const releases = await connections.acquire(rest.length);
      const heldAt = sim.now;
      const wave = rest.slice(0, releases.length);
      rest = rest.slice(releases.length);
      const askedAt = sim.now;
      const lead = this.reserveLeadMs();
      const reservation = await this.senderDo.call(() =>
        this.sender.reserve(wave.length, notAfter, lead),
      );
      this.reserveTripMs = ewma(this.reserveTripMs, sim.now - askedAt);
      for (const d of reservation.deferred) {
        releases.pop()?.();
        this.deferredLater++;
        settler.add({ id: wave[d.index] as number, outcome: "released", notBefore: d.at });
      }
      lastSlotAt = Math.max(lastSlotAt, reservation.slots.at(-1)?.at ?? 0);
      const departing = (async () => {
        const first = reservation.slots[0]?.at ?? sim.now;
        if (first - sim.now > UNEXPORTED.stateRecheckAfterMs) {
          // A pause or cancel since the claim must stop the wave: sends.ts re-reads the state at the slot.
          await sim.sleepUntil(first - this.sc.code.recheckLeadMs);
          await broadcastDo.call(() => "sending");
        }
        const waveAnswers: Promise<void>[] = [];
        await Promise.all(
          reservation.slots.map(async (slot) => {
            const id = wave[slot.index] as number;
            const release = releases.pop() ?? noRelease;
            const left = await this.leave(id, slot.at, release, settler);
            if (left) waveAnswers.push(left.answered);
          }),
        );
        // The wave is over for its connections when its last answer is in.
        answers.push(Promise.all(waveAnswers).then(() => this.noteWave(sim.now - heldAt)));
      })();
      departures.push(departing);
      if (this.sc.code.handoffWithinMs === null) await departing;
    }
    // sends.ts also hands off only after the departures when its isolate is
    // behind its slots (more than DEPARTURE_TOLERANCE_MS late on average);
    // timers here are late by timerLateMs (1 ms), so that never happens.
    const handoff = this.sc.code.handoffWithinMs;
    if (handoff !== null && lastSlotAt - handoff > sim.now)
      await sim.sleepUntil(lastSlotAt - handoff);
    const answered = (async () => {
      await Promise.all(departures);
      await Promise.all(answers);
      await settler.drain();
    })();
    return { answered };
  }

  /**
   * Sleeps to the slot, then leaves (answering, once it has, the promise of
   * its answer: wrapped, or the await would wait for the answer too), or
   * gives the slot up if more than the tolerance late.
   */
  private async leave(
    id: number,
    at: number,
    release: () => void,
    settler: Settler,
  ): Promise<{ answered: Promise<void> } | null> {
    const { sim } = this;
    // A timer may fire late (a busy isolate); a slot already past needs no timer.
    if (at > sim.now) await sim.sleepUntil(at + this.timerLate());
    // The real departure gate (src/queues/departures.ts), on the simulation's clock.
    const left = await depart(
      this.gateKey,
      at,
      {
        intervalMs: slotIntervalMs(this.sc.mps),
        cap: this.sc.mps,
        latest: at + MAX_DEPARTURE_DELAY_MS,
      },
      { now: () => sim.now, sleepUntil: (t) => sim.sleepUntil(t) },
    );
    if (left === null) {
      release();
      this.late++;
      settler.add({ id, outcome: "released", late: true });
      return null;
    }
    this.receiver.arrive(sim.now);
    this.sendsInFlight++;
    this.peakSendsInFlight = Math.max(this.peakSendsInFlight, this.sendsInFlight);
    const latencyMs = this.latency();
    const answered = sim.sleep(latencyMs).then(() => {
      // The connection is held until Meta's answer (its headers).
      this.sendsInFlight--;
      release();
      settler.add({ id, outcome: "accepted", latencyMs });
    });
    return { answered };
  }

  private noteWave(ms: number): void {
    this.waves++;
    this.waveMs += ms;
  }
}

// ---- one run ---------------------------------------------------------------

/** No scenario should need this much virtual time; past it the run is reported as stalled. */
const VIRTUAL_LIMIT_MS = 6 * 3600_000;
/** A livelock stops the run: nothing accepted for STALL_MS, or LIVELOCK_GIVE_UPS slots given up per recipient. */
const STALL_MS = 120_000;
const LIVELOCK_GIVE_UPS = 3;

export async function simulate(sc: Scenario): Promise<Result> {
  const sim = new Sim();
  const receiver = new Receiver(sc.mps);
  const broadcastDo = new DoThread(sim, sc, "broadcast-do");
  const senderDo = new DoThread(sim, sc, "sender-do");
  const sender = new SenderModel(sim, sc.mps);
  let queue: QueueModel | null = null;
  const broadcast = new BroadcastModel(sim, sc, (body) => queue?.send(body));
  const consumer = new Consumer(sim, sc, broadcast, broadcastDo, sender, senderDo, receiver);
  queue = new QueueModel(sim, sc, (messages) => consumer.consume(messages));
  const timeline: Result["timeline"] = [];
  const sample = () => {
    if (broadcast.done || !queue) return;
    timeline.push({
      t: sim.now / 1000,
      sent: receiver.inLastSecond(sim.now),
      running: queue.inProgress,
      backlog: queue.size,
      cycleMs: Math.round(broadcast.dispatcher.cycleMs()),
    });
    sim.at(sim.now + 1000, sample);
  };
  // The first events: the broadcast starts sending (inside the run: the virtual clock is in place).
  sim.at(0, () => broadcast.start());
  sim.at(1000, sample);
  const stalled = () =>
    sim.now - (receiver.accepts.at(-1) ?? 0) > STALL_MS ||
    consumer.late > LIVELOCK_GIVE_UPS * sc.recipients;
  await sim.run(() => broadcast.done || stalled(), VIRTUAL_LIMIT_MS);
  const parts = { receiver, broadcast, queue, consumer, broadcastDo, senderDo };
  return { ...summarise(sc, sim, parts), timeline };
}

function summarise(
  sc: Scenario,
  sim: Sim,
  parts: {
    receiver: Receiver;
    broadcast: BroadcastModel;
    queue: QueueModel;
    consumer: Consumer;
    broadcastDo: DoThread;
    senderDo: DoThread;
  },
): Omit<Result, "timeline"> {
  const { receiver, broadcast, queue, consumer, broadcastDo, senderDo } = parts;
  const accepts = receiver.accepts;
  const n = accepts.length;
  const span = n > 1 ? ((accepts[n - 1] as number) - (accepts[0] as number)) / 1000 : 0;
  const achieved = span > 0 ? (n - 1) / span : 0;
  const i10 = Math.floor(n * 0.1);
  const i90 = Math.max(i10 + 1, Math.floor(n * 0.9) - 1);
  const steadySpan = ((accepts[i90] ?? 0) - (accepts[i10] ?? 0)) / 1000;
  const steady = steadySpan > 0 ? (i90 - i10) / steadySpan : 0;
  const seconds = Math.max(sim.now / 1000, 1e-9);
  const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
  const cycle = broadcast.dispatcher.cycleMs();
  return {
    scenario: sc.name,
    mps: sc.mps,
    recipients: sc.recipients,
    p50: sc.latency.p50,
    p99: sc.latency.p99,
    accepted: broadcast.accepted,
    stalled: !broadcast.done,
    rowsPerMessage: round(consumer.claimedRows / Math.max(1, broadcast.messages)),
    achievedMps: round(achieved),
    pctOfCap: round((achieved / sc.mps) * 100),
    steadyPctOfCap: round((steady / sc.mps) * 100),
    peakInvocations: queue.peak,
    peakSendsInFlight: consumer.peakSendsInFlight,
    meanInvocationMs: Math.round(queue.invocationMs / Math.max(1, queue.invocations)),
    meanWaveMs: Math.round(consumer.waveMs / Math.max(1, consumer.waves)),
    lateGiveUps: consumer.late,
    deferredLater: consumer.deferredLater,
    maxInOneSecond: receiver.maxWindow,
    overCap: receiver.overCap,
    rampTo90PctS: receiver.rampAt === null ? null : round(receiver.rampAt / 1000),
    durationS: round(seconds),
    finalCycleMs: Math.round(cycle),
    finalInFlightTarget: broadcast.dispatcher.inFlightTarget(sc.mps),
    broadcastDoRps: Math.round(broadcastDo.requests / seconds),
    senderDoRps: Math.round(senderDo.requests / seconds),
    duplicates: broadcast.duplicates,
  };
}
