/**
 * How the v1 surface shows a broadcast (from its DO's summary, or from its D1
 * row in lists) and its recipients (the logs).
 */
import type { BroadcastRow } from "../../../db/schema";
import type { BroadcastSummary, RecipientView } from "../../../domain/broadcast";
import { countersView } from "../../../domain/counters";
import { isoTime } from "../../../domain/message-status";
import { splitPhone } from "../../../domain/phone";
import type { V1Definition } from "../../../domain/v1-broadcast";
import type { V1Broadcast } from "./schemas";

interface Counts {
  all: number;
  rejected: number;
  submitted: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  replied: number;
  /** Held by Meta for quality assessment; only the DO's summary knows it. */
  held?: number;
}

interface Shown {
  id: string;
  name: string;
  status: string;
  scheduledAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  template: { name: string; language: string };
  pauseReason: string | null;
  definition: string | null;
}

function v1Object(b: Shown, c: Counts): V1Broadcast {
  const d = JSON.parse(b.definition ?? "null") as V1Definition | null;
  return {
    id: b.id,
    name: b.name,
    type: d?.type ?? "client",
    status: b.status,
    segments: d?.segments ?? [],
    targetClass: d?.targetClass ?? null,
    targetClassStatus: d?.targetClassStatus ?? null,
    retargetBroadcast: d?.retargetBroadcast ?? null,
    retargetEngagementType: d?.retargetEngagementType ?? null,
    scheduleDateTime: isoTime(b.scheduledAt),
    startedAt: isoTime(b.startedAt),
    completedAt: isoTime(b.completedAt),
    template: { name: b.template.name, language: b.template.language },
    headerMediaUrl: d?.headerMediaUrl ?? null,
    headerMediaId: d?.headerMediaId ?? null,
    headerDocumentFilename: d?.headerDocumentFilename ?? null,
    headerTextParameters: d?.headerTextParameters ?? [],
    bodyTextParameters: d?.bodyTextParameters ?? [],
    buttonUrlParameters: d?.buttonUrlParameters ?? [],
    locationParameters: d?.locationParameters ?? null,
    flowParameters: d?.flowParameters ?? null,
    currencyParameters: d?.currencyParameters ?? [],
    dateTimeParameters: d?.dateTimeParameters ?? [],
    expirationTimeMs: d?.expirationTimeMs ?? null,
    catalogThumbnailProductId: d?.catalogThumbnailProductId ?? null,
    productSections: d?.productSections ?? [],
    productRetailerId: d?.productRetailerId ?? null,
    catalogId: d?.catalogId ?? null,
    location: d?.location ?? null,
    sendWindow: d?.sendWindow ?? null,
    timezone: d?.timezone ?? "recipient",
    tierPolicy: d?.tierPolicy ?? "defer",
    statusCallbackUrl: d?.statusCallbackUrl ?? null,
    processedStats: {
      totalCount: c.all,
      successCount: c.submitted,
      failureCount: c.failed + c.rejected,
    },
    deliveryStats: {
      sentCount: c.sent,
      deliveredCount: c.delivered,
      readCount: c.read,
      failedCount: c.failed,
      repliedCount: c.replied,
      ...(c.held !== undefined ? { heldCount: c.held } : {}),
    },
    pauseReason: b.pauseReason,
  };
}

export function fromSummary(s: BroadcastSummary): V1Broadcast {
  const c = countersView(s.counters);
  return v1Object(
    {
      id: s.broadcastId,
      name: s.name,
      status: s.state,
      scheduledAt: s.scheduledAt,
      startedAt: s.startedAt,
      completedAt: s.completedAt,
      template: { name: s.template.name, language: s.template.language },
      pauseReason: s.pauseReason,
      definition: s.definition,
    },
    { ...c, all: c.recipients, held: s.held ?? 0 },
  );
}

export function fromRow(r: BroadcastRow): V1Broadcast {
  return v1Object(
    {
      id: r.id,
      name: r.name,
      status: r.status,
      scheduledAt: r.scheduledAt,
      startedAt: r.startedAt,
      completedAt: r.completedAt,
      template: { name: r.templateName, language: r.templateLanguage },
      pauseReason: r.pauseReason,
      definition: r.definition,
    },
    {
      all: r.total + r.rejected,
      rejected: r.rejected,
      submitted: r.submitted,
      sent: r.sent,
      delivered: r.delivered,
      read: r.read,
      failed: r.failed,
      replied: r.replied,
    },
  );
}

type LogStatus = "pending" | "sent" | "delivered" | "read" | "replied" | "failed";

function logStatus(r: RecipientView): LogStatus {
  if (r.repliedAt) return "replied";
  switch (r.status) {
    case "pending":
    case "queued":
    case "sending":
      return "pending";
    case "submitted":
    case "sent":
      return "sent";
    case "delivered":
      return "delivered";
    case "read":
      return "read";
    default:
      return "failed";
  }
}

function logError(r: RecipientView): string | null {
  if (r.errors?.length) return r.errors.join("; ");
  if (r.status === "cancelled") return "Broadcast cancelled";
  if (r.status === "failed" || r.status === "undeliverable") return r.errorTitle;
  // Held for later because of Meta's answer (131049 until tomorrow…): why it waits.
  if (r.status === "pending" && r.nextSendAt && r.errorCode !== null) return r.errorTitle;
  return null;
}

export function logRow(broadcast: { id: string; name: string }, r: RecipientView) {
  const { countryCode, national } = splitPhone(r.identifier);
  return {
    broadcast,
    recepientName: r.name,
    countryCode,
    phone: national,
    status: logStatus(r),
    reply: r.replyText,
    error: logError(r),
    ...(r.endpoint ? { endpoint: r.endpoint } : {}),
    ...(r.userId ? { userId: r.userId } : {}),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
