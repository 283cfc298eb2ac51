/**
 * The one create path both surfaces call. A broadcast is made in its own
 * Durable Object in four steps: begin (the plan, with a loading deadline),
 * load (the recipient rows, in chunks), commit (counters, state, alarm,
 * summary), or abort (nothing half-written stays behind; the loading
 * deadline's alarm would wipe it too).
 *
 * Idempotency (the Broadcasts API's `client_unique_identifier`): the key
 * names the broadcast id, so every repeat, concurrent or later, reaches the
 * same DO, which keeps the request's hash and the first answer given.
 */
import type { BroadcastPlan, BroadcastSummary, NewRecipient } from "../domain/broadcast";
import { sha256Hex } from "../domain/crypto";
import { broadcastStub } from "../durable/stubs";
import type { Bindings } from "../env";

/** Recipients per load call into the DO: well under RPC and memory limits. */
const LOAD_CHUNK = 5_000;

export interface CreateAnchor {
  broadcastId: string;
  /** The client's key, when it gave one. */
  key: string | null;
  /** SHA-256 of the request, with a key: a repeat must match it. */
  requestHash: string | null;
}

/** The same client key always names the same broadcast: the DO is the idempotency anchor. */
export async function idempotentBroadcastId(accountId: string, key: string): Promise<string> {
  const hex = await sha256Hex(`${accountId}\u0000${key}`);
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export async function createAnchor(
  accountId: string,
  key: string | null,
  request: unknown,
): Promise<CreateAnchor> {
  if (!key) return { broadcastId: crypto.randomUUID(), key: null, requestHash: null };
  return {
    broadcastId: await idempotentBroadcastId(accountId, key),
    key,
    requestHash: await sha256Hex(JSON.stringify(request)),
  };
}

export type EarlierCreate =
  | { kind: "none" }
  /** The key was used with another request. */
  | { kind: "conflict" }
  /** The first create's answer, to give again exactly. */
  | { kind: "answered"; answer: unknown };

/**
 * What a keyed create already made. `none` also when the first create is
 * still committing: the create path answers the repeat, and keepFirstAnswer
 * keeps whichever answer came first.
 */
export async function earlierCreate(
  env: Bindings,
  accountId: string,
  anchor: CreateAnchor,
): Promise<EarlierCreate> {
  if (!anchor.key) return { kind: "none" };
  const stub = broadcastStub(env, accountId, anchor.broadcastId);
  const first = await stub.summary();
  if (!first) return { kind: "none" };
  if (first.requestHash !== anchor.requestHash) return { kind: "conflict" };
  const kept = await stub.firstAnswer(null);
  return kept ? { kind: "answered", answer: JSON.parse(kept) } : { kind: "none" };
}

/** The answer every repeat of a keyed create gives: the first one kept. */
export async function keepFirstAnswer(
  env: Bindings,
  accountId: string,
  anchor: CreateAnchor,
  answer: unknown,
): Promise<unknown> {
  if (!anchor.key) return answer;
  const kept = await broadcastStub(env, accountId, anchor.broadcastId).firstAnswer(
    JSON.stringify(answer),
  );
  return kept ? JSON.parse(kept) : answer;
}

export type CreateOutcome =
  | { ok: true; summary: BroadcastSummary }
  /** The broadcast id is taken by another request. */
  | { ok: false; reason: "conflict" };

/**
 * begin → load → commit, or abort. `recipients` are the rows known at create
 * (`plan.expectedRows` of them; none for a v1 audience, resolved when sending
 * starts). A repeat of a committed keyed create answers its summary.
 */
export async function createBroadcast(
  env: Bindings,
  plan: BroadcastPlan,
  recipients: NewRecipient[],
): Promise<CreateOutcome> {
  const stub = broadcastStub(env, plan.accountId, plan.broadcastId);
  const begun = await stub.begin(plan);
  if (begun.outcome === "conflict") return { ok: false, reason: "conflict" };
  if (begun.outcome === "existing") return { ok: true, summary: begun.summary };
  try {
    // Chunks travel concurrently (the DO applies them one at a time);
    // rows are keyed by seq, so order does not matter.
    const chunks: NewRecipient[][] = [];
    for (let i = 0; i < recipients.length; i += LOAD_CHUNK)
      chunks.push(recipients.slice(i, i + LOAD_CHUNK));
    const loads = await Promise.all(chunks.map((chunk) => stub.load(chunk)));
    if (loads.some((l) => !l.ok)) throw new Error("The broadcast vanished while loading");
    const committed = await stub.commit();
    if (!committed.ok) throw new Error(committed.error);
    return { ok: true, summary: committed.summary };
  } catch (err) {
    // Nothing half-written: an uncommitted broadcast is wiped (the DO's alarm would too).
    if (begun.outcome === "created") await stub.abort().catch(() => undefined);
    throw err;
  }
}
