/**
 * The v1 surface's broadcast definition: who it goes to (the audience type
 * and its source) and its broadcast-wide parameters, kept with the broadcast
 * and read when sending starts. Plain data only.
 */
import type { TierPolicy } from "./messaging-limit";
import type { SendWindow } from "./send-window";
import type { V1Parameters, V1Plan } from "./v1-parameters";

export const AUDIENCE_TYPES = ["client", "segment", "class", "retarget"] as const;
export type AudienceType = (typeof AUDIENCE_TYPES)[number];

/** A contact's standing in a class (the enrolments table keeps one per contact and class). */
export const ENROLMENT_STATUSES = [
  "BOOKED",
  "ATTENDED",
  "NO_SHOW",
  "CANCELLED",
  "WAITLISTED",
] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/** Whom a class broadcast goes to: every enrolment, or those of one status. */
export const CLASS_STATUSES = ["ALL", ...ENROLMENT_STATUSES] as const;
export type TargetClassStatus = (typeof CLASS_STATUSES)[number];

export const ENGAGEMENT_TYPES = [
  "sent",
  "delivered",
  "read",
  "replied",
  "failed",
  "not_read",
  "not_replied",
] as const;
export type EngagementType = (typeof ENGAGEMENT_TYPES)[number];

export interface V1Definition extends V1Parameters {
  type: AudienceType;
  segments: { id: string }[];
  targetClass: { id: string } | null;
  targetClassStatus: TargetClassStatus | null;
  retargetBroadcast: { id: string } | null;
  retargetEngagementType: EngagementType | null;
  location: { id: string } | null;
  /** The parameters compiled against the template at create (or last edit). */
  plan: V1Plan;
  /** The sending window in force (its own or the account's default), for reading back. */
  sendWindow?: SendWindow | null;
  timezone?: string;
  tierPolicy?: TierPolicy;
  statusCallbackUrl?: string | null;
}

/**
 * Which recipient statuses (in the D1 projection) count as each engagement
 * of an earlier broadcast. `replied` and `not_replied` also look at the reply.
 */
export function engagementFilter(engagement: EngagementType): {
  statuses: string[];
  replied: boolean | null;
} {
  const reached = ["submitted", "sent", "delivered", "read"];
  switch (engagement) {
    case "sent":
      return { statuses: reached, replied: null };
    case "delivered":
      return { statuses: ["delivered", "read"], replied: null };
    case "read":
      return { statuses: ["read"], replied: null };
    case "replied":
      return { statuses: reached, replied: true };
    case "failed":
      return { statuses: ["failed", "undeliverable"], replied: null };
    case "not_read":
      return { statuses: ["submitted", "sent", "delivered"], replied: null };
    case "not_replied":
      return { statuses: reached, replied: false };
  }
}
