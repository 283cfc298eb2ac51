/**
 * The model of one number sending one broadcast: the BroadcastDO's
 * dispatcher, Cloudflare Queues and its autoscaler, the sends consumer, the
 * SenderDO's slots, Meta and the receiver's one-second window. The rules come
 * from src/domain/pacing.ts and the real `Connections`; what the platform does
 * not publish is a named parameter of `Scenario` (see ASSUMPTIONS in
 * bench/capacity.ts for the values and their sources).
 */
import {
  BATCH_SIZE,
  DEPARTURE_TOLERANCE_MS,
  departBy,
  ewma,
  INITIAL_CYCLE_MS,
  inFlightTarget,
  slotIntervalMs,
} from "../../src/domain/pacing.ts";
import { Connections } from "../../src/whatsapp/connections.ts";
import { exponential, logNormal, prng, Sim, seedFor } from "./engine.ts";

/** Two constants of src/queues/sends.ts that it does not export (it imports the Workers runtime). */
export const SENDS_TS = {
  /** SEND_TIMEOUT_MS: the send timeout, which `departBy` subtracts from the lease. */
  sendTimeoutMs: 10_000,
  /** STATE_RECHECK_AFTER_MS: a wave whose first slot is further away re-reads the state first. */
  stateRecheckAfterMs: 1_000,
};
/** broadcast-do.ts's SENDING_TICK_MS: the alarm refills the queue this often while sending. */
const DISPATCH_TICK_MS = 1_000;

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
  /** Each leg of an RPC is log-normal with median rpcMs / 2 and 99th percentile this × that. */
  rpcP99OverP50: number;
  /** CPU time a Durable Object spends on each request; it serves one at a time. */
  doServiceMs: number;
  /** From the BroadcastDO's send to the message being deliverable. */
  deliveryMs: number;
  /** wrangler.toml's max_batch_size for chorus-sends. */
  maxBatchSize: number;
  /** wrangler.toml's max_batch_timeout: a short batch waits this long to fill. */
  maxBatchTimeoutMs: number;
  /** Connections per invocation (0: unlimited, like `wrangler dev` without the clamp). */
  connections: number;
  autoscaler: Autoscaler;
  /** Mean of how late a timer fires (exponential): a busy isolate. */
  timerLateMs: number;
  seed: number;
  /** How the code behaves; DESIGN is the design the brief and pacing.ts describe. */
  code: Code;
}

/**
 * The choices in the code that the simulation can vary, to show what a change
 * would do. DESIGN is the design as described (pacing.ts, sends.ts); each
 * other value is a change someone could make.
 */
export interface Code {
  /**
   * "whole": the dispatcher enqueues only full messages of BATCH_SIZE (a
   * shorter one only for the broadcast's last rows); "partial": it fills any
   * room at once, as broadcast-do.ts's pump does today (`min(BATCH_SIZE, room)`),
   * so that a refill after one settle is a message of one row.
   */
  pump: "whole" | "partial";
  /**
   * The cycle inFlightTarget is fed: "queue+latency" (pacing.ts: the batch's
   * queue delay + Meta's latency) or "claim-to-settle" (the time a row spends
   * in a consumer, which the queue delay cannot feed back into).
   */
  cycle: "queue+latency" | "claim-to-settle";
  /**
   * "wave": a wave takes all its connections at once and the next waits for
   * its slowest answer (sends.ts); "free": a message takes whatever connections
   * are free, reserves that many slots and goes on without waiting.
   */
  wave: "wave" | "free";
  /**
   * sends.ts re-reads the broadcast's state after sleeping to a first slot
   * more than STATE_RECHECK_AFTER_MS away, so the RPC makes that slot late;
   * > 0: re-read this long before the slot instead.
   */
  recheckLeadMs: number;
  /** SenderDO: no slot earlier than now + this (0 as built: a slot may be "now", already late on arrival). */
  slotLeadMs: number;
  /** The Settler waits this long before each settle, to carry more outcomes (0 as built). */
  settleLingerMs: number;
}

export const DESIGN: Code = {
  pump: "whole",
  cycle: "queue+latency",
  wave: "wave",
  recheckLeadMs: 0,
  slotLeadMs: 0,
  settleLingerMs: 0,
};

export interface Result {
  scenario: string;
  mps: number;
  recipients: number;
  p50: number;
  p99: number;
  accepted: number;
  /** Stopped before the end: nothing accepted for STALL_MS, or out of virtual time. */
  stalled: boolean;
  /** Mean recipients per queue message (BATCH_SIZE when the dispatcher sends whole ones). */
  rowsPerMessage: number;
  /** As bench/dispatch.ts: (accepted - 1) / (last accept - first accept). */
  achievedMps: number;
  pctOfCap: number;
  /** Between the 10th and the 90th percentile accept: the rate once ramped. */
  steadyPctOfCap: number;
  peakInvocations: number;
  meanInvocationMs: number;
  /** From a wave holding its connections to its last answer. */
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
  /** Once a second: sends in the last second, invocations running, queue messages, the dispatcher's cycle. */
  timeline: { t: number; sent: number; running: number; backlog: number; cycleMs: number }[];
}

// ---- the receiver ----------------------------------------------------------

/**
 * Meta's end: a sliding one-second window of arrivals, as the sandbox's
 * `SlidingWindow`. Arrival = departure: the one-way trip to Meta is taken as
 * constant, so it shifts every send alike and leaves the windows unchanged.
 */
class Receiver {
  private readonly times: number[] = [];
  private head = 0;
  maxWindow = 0;
  overCap = 0;
  rampAt: number | null = null;
  readonly accepts: number[] = [];

  constructor(private readonly mps: number) {}

  arrive(at: number): void {
    this.times.push(at);
    while ((this.times[this.head] as number) <= at - 1000) this.head++;
    const inWindow = this.times.length - this.head;
    this.maxWindow = Math.max(this.maxWindow, inWindow);
    if (inWindow > this.mps) this.overCap++;
    if (this.rampAt === null && inWindow >= 0.9 * this.mps) this.rampAt = at;
    this.accepts.push(at);
  }

  inLastSecond(now: number): number {
    let n = 0;
    for (
      let i = this.times.length - 1;
      i >= this.head && (this.times[i] as number) > now - 1000;
      i--
    )
      n++;
    return n;
  }
}

// ---- Durable Objects -------------------------------------------------------

/** A Durable Object's single thread: requests are served one at a time. */
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

  /** One RPC: one leg there, the object's turn, one leg back. */
  async call<T>(work: () => T): Promise<T> {
    const { sim, sc } = this;
    await sim.sleep(this.leg());
    this.requests++;
    if (sc.doServiceMs > 0) {
      const start = Math.max(sim.now, this.busyUntil);
      this.busyUntil = start + sc.doServiceMs;
      await sim.sleepUntil(this.busyUntil);
    }
    const result = work();
    await sim.sleep(this.leg());
    return result;
  }
}

interface Slot {
  index: number;
  at: number;
}

/** SenderDO.reserve, without pair spacing (every recipient distinct) or slowdowns (Meta never says 130429). */
class SenderModel {
  private nextSlot = 0;

  constructor(
    private readonly sim: Sim,
    private readonly mps: number,
    private readonly leadMs: number,
  ) {}

  reserve(count: number, notAfter: number): { slots: Slot[]; deferred: Slot[] } {
    const interval = slotIntervalMs(this.mps);
    const slots: Slot[] = [];
    const deferred: Slot[] = [];
    let next = Math.max(this.sim.now + this.leadMs, this.nextSlot);
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
  | { id: number; outcome: "released"; notBefore?: number };

interface QueueMessage {
  batchId: number;
  enqueuedAt: number;
  visibleAt: number;
}

/** The BroadcastDO's dispatcher and its claim/settle, for one broadcast of ids 0..N-1. */
class BroadcastModel {
  /** Fresh pending rows are ids next..N-1; released ones wait in `retry` and go first (lower seqs). */
  private next = 0;
  private readonly retry: number[] = [];
  /** Rows queued or claimed: what inFlightTarget bounds. */
  private inFlight = 0;
  private readonly batches = new Map<number, { ids: number[]; enqueuedAt: number }>();
  /** Per claimed row: when its batch was enqueued and how long it waited on the queue. */
  private readonly claims = new Map<number, { claimedAt: number; queueDelay: number }>();
  private lastBatch = 0;
  private cycleMs: number | null = null;
  private readonly acceptedIds: Uint8Array;
  accepted = 0;
  duplicates = 0;
  messages = 0;

  constructor(
    private readonly sim: Sim,
    private readonly sc: Scenario,
    private readonly enqueue: (message: QueueMessage) => void,
  ) {
    this.acceptedIds = new Uint8Array(sc.recipients);
  }

  get done(): boolean {
    return this.accepted >= this.sc.recipients;
  }

  /** The measured cycle; INITIAL_CYCLE_MS until the first settle (ewma starts at its first value). */
  get cycle(): number {
    return this.cycleMs ?? INITIAL_CYCLE_MS;
  }

  target(): number {
    return inFlightTarget(this.sc.mps, this.cycle);
  }

  get rowsInFlight(): number {
    return this.inFlight;
  }

  /** Starts sending: fills the window now and on every alarm tick. */
  start(): void {
    const tick = () => {
      if (this.done) return;
      this.pump();
      this.sim.at(this.sim.now + DISPATCH_TICK_MS, tick);
    };
    tick();
  }

  /** Keeps inFlightTarget(mps, cycle) rows queued or claimed, in queue messages of BATCH_SIZE. */
  pump(): void {
    let room = this.target() - this.inFlight;
    while (room > 0) {
      // A whole message, or the broadcast's last rows; "partial" fills any room at once.
      const size = Math.min(BATCH_SIZE, this.dueCount);
      if (this.sc.code.pump === "whole" && room < size) return;
      const ids = this.takeDue(Math.min(size, room));
      if (ids.length === 0) return;
      const batchId = ++this.lastBatch;
      const now = this.sim.now;
      this.batches.set(batchId, { ids, enqueuedAt: now });
      this.inFlight += ids.length;
      room -= ids.length;
      this.messages++;
      this.enqueue({ batchId, enqueuedAt: now, visibleAt: now + this.sc.deliveryMs });
    }
  }

  private get dueCount(): number {
    return this.retry.length + this.sc.recipients - this.next;
  }

  private takeDue(n: number): number[] {
    const ids = this.retry.splice(0, n);
    while (ids.length < n && this.next < this.sc.recipients) ids.push(this.next++);
    return ids;
  }

  claim(batchId: number): { ids: number[]; claimedAt: number } {
    const now = this.sim.now;
    const batch = this.batches.get(batchId);
    if (!batch) return { ids: [], claimedAt: now };
    this.batches.delete(batchId);
    const queueDelay = now - batch.enqueuedAt;
    for (const id of batch.ids) this.claims.set(id, { claimedAt: now, queueDelay });
    return { ids: batch.ids, claimedAt: now };
  }

  settle(outcomes: Outcome[]): "sending" {
    let samples = 0;
    let total = 0;
    for (const o of outcomes) {
      this.inFlight--;
      if (o.outcome === "released") {
        this.releaseLater(o.id, o.notBefore);
        continue;
      }
      if (this.acceptedIds[o.id]) this.duplicates++;
      this.acceptedIds[o.id] = 1;
      this.accepted++;
      total += this.cycleSample(o);
      samples++;
    }
    // One measurement per settle: the mean over the sends it carries.
    if (samples > 0) this.cycleMs = ewma(this.cycleMs, total / samples);
    this.pump();
    return "sending";
  }

  /** pacing.ts's cycle: the batch's queue delay + Meta's latency for this send. */
  private cycleSample(o: { id: number; latencyMs: number }): number {
    const claim = this.claims.get(o.id) as { claimedAt: number; queueDelay: number };
    this.claims.delete(o.id);
    if (this.sc.code.cycle === "claim-to-settle") return this.sim.now - claim.claimedAt;
    return claim.queueDelay + o.latencyMs;
  }

  private releaseLater(id: number, notBefore?: number): void {
    this.claims.delete(id);
    if (notBefore === undefined || notBefore <= this.sim.now) {
      this.retry.push(id);
      return;
    }
    this.sim.at(notBefore, () => {
      this.retry.push(id);
      this.pump();
    });
  }
}

// ---- Cloudflare Queues -----------------------------------------------------

/**
 * The queue and its push consumer: a batch goes to a free invocation when
 * max_batch_size messages are deliverable, or when the oldest has waited
 * max_batch_timeout. The concurrency limit changes only when an invocation
 * ends ("it will not autoscale while a batch is being processed").
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
    private readonly consume: (messages: QueueMessage[]) => Promise<void>,
  ) {
    this.limit = sc.autoscaler.start;
  }

  get size(): number {
    return this.backlog.length - this.head;
  }

  /** Invocations running now, and the autoscaler's current limit. */
  concurrency(): { running: number; limit: number } {
    return { running: this.running, limit: this.limit };
  }

  send(message: QueueMessage): void {
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

  private takeBatch(): QueueMessage[] | null {
    const { maxBatchSize, maxBatchTimeoutMs } = this.sc;
    const now = this.sim.now;
    const oldest = this.backlog[this.head] as QueueMessage;
    const nth = this.backlog[this.head + maxBatchSize - 1];
    const full = nth !== undefined && nth.visibleAt <= now;
    if (!full) {
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
    const batch: QueueMessage[] = [];
    while (batch.length < maxBatchSize && this.size > 0) {
      const m = this.backlog[this.head] as QueueMessage;
      if (m.visibleAt > now) break;
      batch.push(m);
      this.head++;
    }
    return batch;
  }

  private async invoke(batch: QueueMessage[]): Promise<void> {
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

  /** Re-evaluated only here, when an invocation ends. */
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

/** consumeSends and sendBatch of src/queues/sends.ts, step for step, on the virtual clock. */
class Consumer {
  late = 0;
  deferredLater = 0;
  claimedRows = 0;
  waves = 0;
  waveMs = 0;
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

  /** One invocation: one Connections, shared by every message of the batch. */
  async consume(messages: QueueMessage[]): Promise<void> {
    const connections = new Connections(this.sc.connections);
    await Promise.all(messages.map((m) => this.sendBatch(m, connections)));
  }

  private async sendBatch(message: QueueMessage, connections: Connections): Promise<void> {
    const { sim, broadcast, broadcastDo } = this;
    const claim = await broadcastDo.call(() => broadcast.claim(message.batchId));
    this.claimedRows += claim.ids.length;
    if (claim.ids.length === 0) return;
    const lingerMs = this.sc.code.settleLingerMs;
    const settler = new Settler(
      (outcomes) => broadcastDo.call(() => broadcast.settle(outcomes)),
      lingerMs > 0 ? () => sim.sleep(lingerMs) : undefined,
    );
    const notAfter = departBy(claim.claimedAt, SENDS_TS.sendTimeoutMs);
    const ids = claim.ids;
    const launched: Promise<void>[] = [];
    for (let w = 0; w < ids.length; ) {
      const wave = ids.slice(w, w + this.waveSize(connections, ids.length - w));
      w += wave.length;
      // Connections first, then slots: never a slot spent waiting for a connection.
      const releases = await connections.acquire(wave.length);
      const heldAt = sim.now;
      const reservation = await this.senderDo.call(() =>
        this.sender.reserve(wave.length, notAfter),
      );
      for (const d of reservation.deferred) {
        releases.pop()?.();
        this.deferredLater++;
        settler.add({ id: wave[d.index] as number, outcome: "released", notBefore: d.at });
      }
      const first = reservation.slots[0]?.at ?? sim.now;
      if (first - sim.now > SENDS_TS.stateRecheckAfterMs) {
        // A pause or cancel since the claim must stop the wave: sends.ts re-reads the state at the slot.
        await sim.sleepUntil(first - this.sc.code.recheckLeadMs);
        await broadcastDo.call(() => "sending");
      }
      const sends = Promise.all(
        reservation.slots.map((slot) =>
          this.sendAt(wave[slot.index] as number, slot.at, releases.pop(), settler),
        ),
      ).then(() => this.noteWave(sim.now - heldAt));
      // As built, the next wave waits for this one's last answer.
      if (this.sc.code.wave === "free") launched.push(sends);
      else await sends;
    }
    await Promise.all(launched);
    await settler.drain();
  }

  /** As built: one wave is all the connections; "free": whatever is free now, at least one. */
  private waveSize(connections: Connections, remaining: number): number {
    if (connections.limit <= 0) return remaining;
    if (this.sc.code.wave === "wave") return Math.min(connections.limit, remaining);
    return Math.max(1, Math.min(connections.limit - connections.held(), remaining));
  }

  /** Sleeps to the slot; leaves, or gives the slot up if more than the tolerance late. */
  private async sendAt(
    id: number,
    at: number,
    release: () => void = noRelease,
    settler: Settler,
  ): Promise<void> {
    const { sim } = this;
    // A timer may fire late (a busy isolate); a slot already past needs no timer.
    if (at > sim.now) await sim.sleepUntil(at + this.timerLate());
    if (sim.now > at + DEPARTURE_TOLERANCE_MS) {
      release();
      this.late++;
      settler.add({ id, outcome: "released" });
      return;
    }
    this.receiver.arrive(sim.now);
    const latencyMs = this.latency();
    // The connection is held until Meta's answer.
    await sim.sleep(latencyMs);
    release();
    settler.add({ id, outcome: "accepted", latencyMs });
  }

  private noteWave(ms: number): void {
    this.waves++;
    this.waveMs += ms;
  }
}

// ---- one run ---------------------------------------------------------------

/** No scenario should need this much virtual time; past it the run is reported as unfinished. */
const VIRTUAL_LIMIT_MS = 6 * 3600_000;
/**
 * A livelock stops the run, which says so: no send accepted for STALL_MS, or
 * more slots given up than LIVELOCK_GIVE_UPS × the recipients.
 */
const STALL_MS = 120_000;
const LIVELOCK_GIVE_UPS = 5;

export async function simulate(sc: Scenario): Promise<Result> {
  const sim = new Sim();
  const receiver = new Receiver(sc.mps);
  const broadcastDo = new DoThread(sim, sc, "broadcast-do");
  const senderDo = new DoThread(sim, sc, "sender-do");
  const sender = new SenderModel(sim, sc.mps, sc.code.slotLeadMs);
  let queue: QueueModel | null = null;
  const broadcast = new BroadcastModel(sim, sc, (m) => queue?.send(m));
  const consumer = new Consumer(sim, sc, broadcast, broadcastDo, sender, senderDo, receiver);
  queue = new QueueModel(sim, sc, (messages) => consumer.consume(messages));
  const timeline: Result["timeline"] = [];
  const sample = () => {
    if (broadcast.done || !queue) return;
    timeline.push({
      t: sim.now / 1000,
      sent: receiver.inLastSecond(sim.now),
      running: queue.concurrency().running,
      backlog: queue.size,
      cycleMs: Math.round(broadcast.cycle),
    });
    sim.at(sim.now + 1000, sample);
  };
  sim.at(1000, sample);
  broadcast.start();
  const stalled = () =>
    sim.now - (receiver.accepts.at(-1) ?? 0) > STALL_MS ||
    consumer.late > LIVELOCK_GIVE_UPS * sc.recipients;
  await sim.run(() => broadcast.done || stalled(), VIRTUAL_LIMIT_MS);
  const result = summarise(sc, sim, {
    receiver,
    broadcast,
    queue,
    consumer,
    broadcastDo,
    senderDo,
  });
  return { ...result, timeline };
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
  const seconds = sim.now / 1000;
  const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
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
    meanInvocationMs: Math.round(queue.invocationMs / Math.max(1, queue.invocations)),
    meanWaveMs: Math.round(consumer.waveMs / Math.max(1, consumer.waves)),
    lateGiveUps: consumer.late,
    deferredLater: consumer.deferredLater,
    maxInOneSecond: receiver.maxWindow,
    overCap: receiver.overCap,
    rampTo90PctS: receiver.rampAt === null ? null : round(receiver.rampAt / 1000),
    durationS: round(seconds),
    finalCycleMs: Math.round(broadcast.cycle),
    finalInFlightTarget: broadcast.target(),
    broadcastDoRps: Math.round(broadcastDo.requests / Math.max(seconds, 1e-9)),
    senderDoRps: Math.round(senderDo.requests / Math.max(seconds, 1e-9)),
    duplicates: broadcast.duplicates,
  };
}
