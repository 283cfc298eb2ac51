/**
 * What a send's outcome does to its recipient: the one table from a
 * consumer's report (accepted, failed, halt, reschedule, released,
 * unconfirmed) to the recipient's next status and fields, and the circuit
 * breaker over the broadcast's recent verdicts. Pure: the BroadcastDO applies
 * what this decides.
 */
import type { SendOutcome } from "../queues/messages";
import {
  type MarketingLimitRetry,
  marketingLimitRetryAt,
  marketingLimitWaitTitle,
} from "./marketing-limit";
import { MARKETING_LIMIT_CODE } from "./meta-errors";
import type { RecipientStatus } from "./status";

/** A recipient put back for later (pair rate, throughput, 5xx) this many times fails instead. */
export const MAX_RESCHEDULES = 12;
/** Circuit breaker: over the last BREAKER_WINDOW verdicts, pause above this ratio of failures. */
export const BREAKER_WINDOW = 100;
export const BREAKER_RATIO = 0.5;

/** What the settle knows of the row an outcome is about. */
export interface SettlingRow {
  status: RecipientStatus;
  attempts: number;
  wamid: string | null;
  /** The claim the row is under now (epoch ms, the claim's token), or null. */
  claimedAt: number | null;
  /** Times it was put back for Meta's per-user marketing limit (131049). */
  marketingRetries?: number;
}

/** The broadcast's policy for 131049 (domain/marketing-limit.ts). */
export interface MarketingLimitContext {
  policy: MarketingLimitRetry | undefined;
  validUntil: string | null;
}

/** Fields a settlement sets; absent ones stay as they are. */
export interface RecipientChange {
  wamid?: string | null;
  /** The wamid of a try given up on (131049): its late statuses are not this try's. */
  previousWamid?: string | null;
  marketingRetries?: number;
  /** Meta held the message for quality assessment (pacing); cleared by its next status. */
  heldAt?: string | null;
  /** The Cloud API path that accepted the message: messages or marketing_messages. */
  endpoint?: string;
  submittedAt?: string;
  claimedAt?: null;
  batchId?: null;
  attempts?: number;
  errorCode?: number | null;
  errorTitle?: string | null;
  errorDetails?: string | null;
  failedAt?: string;
  nextSendAt?: number | null;
}

export interface Settlement {
  /** The row's next status (the same status for a change of fields only). */
  to: RecipientStatus;
  change: RecipientChange;
  /** A verdict of Meta's on a send (for the breaker), or null when it was none or a repeat. */
  verdict: "ok" | "failed" | null;
  /** Counts as one accepted send (the send-rate chart). */
  counted: boolean;
  /** The sender or template is at fault: the broadcast pauses with this reason. */
  halt: string | null;
}

const UNSENT: ReadonlySet<RecipientStatus> = new Set(["pending", "queued", "sending"]);

/**
 * The settlement of `outcome` for `row`, or null when it changes nothing.
 * `stopped`: the broadcast is cancelled, so what is given back ends cancelled.
 * `claim`: the token of the claim the outcome comes from. Meta's verdicts
 * (accepted, failed) apply whoever holds the row now; give-backs apply only
 * while the row is still under that claim, so a late report from a consumer
 * whose lease ran out can never hand another consumer's row out a third time.
 */
export function settle(
  row: SettlingRow,
  outcome: SendOutcome,
  ctx: {
    stopped: boolean;
    claim: number | null;
    now: string;
    marketingLimit?: MarketingLimitContext;
  },
): Settlement | null {
  const claimed = row.status === "sending";
  const ours = claimed && (ctx.claim === null || row.claimedAt === ctx.claim);
  const tries = claimed ? row.attempts + 1 : row.attempts;
  const giveBack = ctx.stopped ? "cancelled" : "pending";
  switch (outcome.outcome) {
    case "accepted":
      if (UNSENT.has(row.status)) {
        return {
          to: "submitted",
          change: {
            wamid: outcome.wamid,
            submittedAt: ctx.now,
            claimedAt: null,
            attempts: tries,
            ...(outcome.held ? { heldAt: ctx.now } : {}),
            ...(outcome.endpoint ? { endpoint: outcome.endpoint } : {}),
          },
          verdict: "ok",
          counted: true,
          halt: null,
        };
      }
      // A status webhook beat the send's own answer: keep the wamid all the same.
      if (!row.wamid) {
        return {
          to: row.status,
          change: {
            wamid: outcome.wamid,
            submittedAt: ctx.now,
            ...(outcome.endpoint ? { endpoint: outcome.endpoint } : {}),
          },
          verdict: null,
          counted: false,
          halt: null,
        };
      }
      return null;
    case "unconfirmed":
      // Still claimed: the webhook (by callback data) or the lease decides.
      if (!ours) return null;
      return {
        to: "sending",
        change: {
          attempts: tries,
          errorCode: null,
          errorTitle: "Meta answered without a message id: waiting for its status",
        },
        verdict: null,
        counted: false,
        halt: null,
      };
    case "failed": {
      if (!UNSENT.has(row.status)) return null;
      if (outcome.code === MARKETING_LIMIT_CODE && !ctx.stopped) {
        const later = afterMarketingLimit({ ...row, attempts: tries }, outcome, ctx);
        if (later) return later;
      }
      return {
        to: "failed",
        change: {
          claimedAt: null,
          attempts: tries,
          errorCode: outcome.code,
          errorTitle: outcome.title,
          errorDetails: outcome.details,
          failedAt: ctx.now,
        },
        // A recipient Chorus itself held back (a marketing opt-out at send) is no verdict of Meta's.
        verdict: outcome.byChorus ? null : "failed",
        counted: false,
        halt: null,
      };
    }
    case "halt":
      return {
        to: ours ? giveBack : row.status,
        change: ours
          ? { claimedAt: null, batchId: null, errorCode: outcome.code, errorTitle: outcome.title }
          : {},
        verdict: null,
        counted: false,
        halt: `${outcome.code}: ${outcome.title}`,
      };
    case "reschedule": {
      if (!ours) return null;
      const giveUp = tries >= MAX_RESCHEDULES;
      return {
        to: ctx.stopped ? "cancelled" : giveUp ? "failed" : "pending",
        change: {
          claimedAt: null,
          batchId: null,
          attempts: tries,
          errorCode: outcome.code,
          errorTitle: outcome.title,
          nextSendAt: giveUp ? null : outcome.notBefore,
          ...(giveUp ? { failedAt: ctx.now } : {}),
        },
        verdict: null,
        counted: false,
        halt: null,
      };
    }
    case "released":
      if (!ours) return null;
      return {
        to: giveBack,
        change: { claimedAt: null, batchId: null, nextSendAt: outcome.notBefore ?? null },
        verdict: null,
        counted: false,
        halt: null,
      };
  }
}

/**
 * A 131049 (per-user marketing limit) on a send's answer or in a failed
 * status: back to pending a day later while the broadcast's policy, the
 * retries left and valid_until allow (domain/marketing-limit.ts), else null
 * (the recipient fails as usual). Not a verdict for the breaker: the person's
 * limit says nothing about the sender. The old wamid is kept aside so that its
 * late statuses are not taken for the next try's.
 */
export function afterMarketingLimit(
  row: SettlingRow,
  error: { code: number; title: string; details: string },
  ctx: { now: string; marketingLimit?: MarketingLimitContext },
): Settlement | null {
  if (!ctx.marketingLimit) return null;
  const retried = row.marketingRetries ?? 0;
  const at = marketingLimitRetryAt({
    policy: ctx.marketingLimit.policy,
    retried,
    validUntil: ctx.marketingLimit.validUntil,
    now: Date.parse(ctx.now),
  });
  if (at === null) return null;
  return {
    to: "pending",
    change: {
      claimedAt: null,
      batchId: null,
      attempts: row.attempts,
      wamid: null,
      ...(row.wamid ? { previousWamid: row.wamid } : {}),
      marketingRetries: retried + 1,
      errorCode: error.code,
      errorTitle: marketingLimitWaitTitle(retried),
      errorDetails: error.details,
      nextSendAt: at,
    },
    verdict: null,
    counted: false,
    halt: null,
  };
}

/**
 * The breaker's verdict over the recent verdicts (oldest first): a pause
 * reason once the window is full and more than BREAKER_RATIO of it failed.
 */
export function breakerTrips(recent: readonly boolean[]): string | null {
  if (recent.length < BREAKER_WINDOW) return null;
  const window = recent.slice(-BREAKER_WINDOW);
  const failed = window.filter((ok) => !ok).length;
  if (failed / window.length <= BREAKER_RATIO) return null;
  return `High failure rate: ${failed} of the last ${BREAKER_WINDOW} sends failed`;
}
