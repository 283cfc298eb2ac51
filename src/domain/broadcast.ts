/**
 * What the BroadcastDO stores and answers. Both API surfaces translate their
 * requests into a BroadcastPlan and read BroadcastSummary back.
 */
export type BroadcastState =
  | "loading"
  | "draft"
  | "scheduled"
  | "sending"
  | "paused"
  | "completed"
  | "cancelled";

/** Recipient states inside the DO (see domain/status.ts): `queued` = in a batch on the sends queue; `sending` = claimed by a consumer. */
import type { FrequencyCapPolicy } from "./frequency-cap";
import type { MarketingLimitRetry } from "./marketing-limit";
import type { TierPolicy } from "./messaging-limit";
import type { SendWindow, WindowZone } from "./send-window";
import type { RecipientStatus } from "./status";

export type { RecipientStatus };

export const RECIPIENT_STATUSES: readonly RecipientStatus[] = [
  "pending",
  "queued",
  "sending",
  "submitted",
  "sent",
  "delivered",
  "read",
  "failed",
  "rejected",
  "undeliverable",
  "cancelled",
];

export interface SenderSnapshot {
  id: string;
  phoneNumber: string;
  phoneNumberId: string;
  wabaId: string;
  throughputMps: number;
}

export interface BroadcastPlan {
  accountId: string;
  broadcastId: string;
  surface: "broadcasts" | "v1";
  name: string;
  sender: SenderSnapshot;
  /** `category`: Meta's (MARKETING, UTILITY, AUTHENTICATION) at create; absent in older plans. */
  template: { name: string; language: string; category?: string };
  /** Meta's TTL for the template's messages (domain/meta-ttl.ts), read when sending starts; absent before. */
  sendTtlSeconds?: number;
  /** ISO 8601, UTC. When sending starts. */
  scheduledAt: string;
  validUntil: string | null;
  locationId: string | null;
  /** Hash of the create request, for idempotent repeats (null when no key was given). */
  requestHash: string | null;
  /** How many recipient rows the create will load: the commit checks it. */
  expectedRows: number;
  /** The v1 surface's definition (audience, parameters), opaque to the DO. */
  definition: string | null;
  /** Start as a draft (v1) instead of scheduled. */
  draft: boolean;
  /** Inline recipients are known at create; a v1 audience is resolved when sending starts. */
  audienceResolved: boolean;
  /** Local hours each recipient may be messaged in (absent or null: any time). */
  sendWindow?: SendWindow | null;
  /** Whose clock the window reads: each recipient's own, or one IANA zone. */
  windowZone?: WindowZone;
  /** Over the portfolio's messaging limit: hold the excess 24 h (defer, the default) or pause (refuse). */
  tierPolicy?: TierPolicy;
  /** Set once the messaging limit was checked at start (a resume does not check again). */
  tierChecked?: boolean;
  /** What the check found, for people to read (null: within the limit). */
  tierNotice?: string | null;
  /** Where this broadcast's own status callbacks go (besides the account's endpoints). */
  statusCallbackUrl?: string | null;
  /** Set once broadcast.completed/cancelled is on the callbacks queue. */
  endEventSent?: boolean;
  /** A 131049 (per-user marketing limit): try again a day later (default) or fail at once. */
  marketingLimitRetry?: MarketingLimitRetry;
  /** A person at the account's frequency cap: skipped (default), or held until allowed. */
  frequencyCap?: FrequencyCapPolicy;
}

/** One recipient row as the create loads it. */
export interface NewRecipient {
  seq: number;
  identifier: string;
  clientReference: string | null;
  /** Rendered Cloud API `components`, as JSON; null for rejected rows. */
  components: string | null;
  /** Per-recipient name for the v1 logs. */
  name: string | null;
  rejected: string[] | null;
  /** The recipient's own IANA zone when known (a v1 contact's location), for sending windows. */
  timezone?: string | null;
}

export interface Counters {
  pending: number;
  queued: number;
  sending: number;
  submitted: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  rejected: number;
  undeliverable: number;
  cancelled: number;
  replied: number;
}

export interface BroadcastSummary {
  broadcastId: string;
  accountId: string;
  surface: "broadcasts" | "v1";
  name: string;
  state: BroadcastState;
  sender: SenderSnapshot;
  template: { name: string; language: string };
  scheduledAt: string;
  validUntil: string | null;
  locationId: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  pauseReason: string | null;
  definition: string | null;
  requestHash: string | null;
  sendWindow: SendWindow | null;
  windowZone: WindowZone;
  tierPolicy: TierPolicy;
  tierNotice: string | null;
  statusCallbackUrl: string | null;
  counters: Counters;
  /** Of the submitted, how many Meta holds for quality assessment (pacing). */
  held?: number;
}

export interface RecipientView {
  seq: number;
  identifier: string;
  clientReference: string | null;
  name: string | null;
  status: RecipientStatus;
  wamid: string | null;
  errorCode: number | null;
  errorTitle: string | null;
  errorDetails: string | null;
  errors: string[] | null;
  submittedAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  failedAt: string | null;
  repliedAt: string | null;
  replyText: string | null;
  /** ISO 8601: a held pending row goes out no earlier than this. */
  nextSendAt: string | null;
  /** Meta holds the message for quality assessment (pacing): accepted, not yet sent. */
  held?: boolean;
  /** The Cloud API path that accepted the message (absent before it was). */
  endpoint?: "messages" | "marketing_messages";
  /** The person's business-scoped user id (the identifier itself, or from Meta's statuses). */
  userId?: string | null;
  createdAt: string;
  updatedAt: string;
}

export type BeginOutcome =
  | { outcome: "created" }
  | { outcome: "loading" }
  | { outcome: "existing"; summary: BroadcastSummary }
  | { outcome: "conflict" };
