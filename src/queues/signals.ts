/**
 * Meta's quality signals, from the chorus-events queue: a paused or disabled
 * template pauses every live broadcast using it; a number's throughput upgrade
 * raises its pace; a flag or a downgrade lowers it to the standard rate and
 * leaves a warning on the sender; the portfolio's messaging limit follows
 * Meta's. A spam-limit error (131048) on a send pauses every live broadcast of
 * that sender (see pauseSender).
 */
import {
  type BroadcastRef,
  liveBroadcastsOfSender,
  liveBroadcastsUsingTemplate,
  setMessagingLimit,
  setTemplateStatus,
  updateNumberQuality,
} from "../db/signals";
import { setTemplateCategory } from "../db/template-category";
import { accountsPausingOnRed, setTemplateQuality } from "../db/template-quality";
import { HIGH_MPS, STANDARD_MPS } from "../domain/messaging-limit";
import { limitOfValue } from "../domain/portfolio-limit";
import { broadcastStub } from "../durable/stubs";
import type { Bindings } from "../env";
import { log } from "../log";
import type {
  AccountEvent,
  CapabilityEvent,
  QualityEvent,
  TemplateQualityEvent,
  TemplateStatusEvent,
} from "../whatsapp/webhooks";
import { applyPreference } from "./preferences";

const TEMPLATE_STOPS = new Set(["PAUSED", "DISABLED"]);
const TEMPLATE_SENDABLE = new Set(["APPROVED", "REINSTATED"]);

export async function applyAccountEvent(env: Bindings, event: AccountEvent): Promise<void> {
  if (event.kind === "template_status") await applyTemplateStatus(env, event);
  else if (event.kind === "quality") await applyQuality(env, event);
  else if (event.kind === "capability") await applyCapability(env, event);
  else if (event.kind === "template_quality") await applyTemplateQuality(env, event);
  else if (event.kind === "template_category")
    // The send path reads the category at each batch (queues/sends.ts): marketing of a
    // Marketing Messages API sender switches path from the next batch on.
    await setTemplateCategory(env.DB, event.wabaId, event.name, event.language, event.category);
  else await applyPreference(env, event);
}

/**
 * `message_template_quality_update`: the rating is kept on the template; RED
 * pauses the live broadcasts using it, with the reason, in accounts whose
 * `pauseOnRedQuality` is on (the default): Meta pauses such a template soon
 * after, and what is sent meanwhile lowers the number's quality.
 */
async function applyTemplateQuality(env: Bindings, e: TemplateQualityEvent): Promise<void> {
  await setTemplateQuality(env.DB, e.wabaId, e.name, e.language, e.score);
  if (e.score !== "RED") return;
  const live = await liveBroadcastsUsingTemplate(env.DB, e.wabaId, e.name, e.language);
  const pausing = await accountsPausingOnRed(env.DB, [...new Set(live.map((r) => r.accountId))]);
  const reason = `Template ${e.name} (${e.language}) quality rated RED by Meta${e.previous ? ` (was ${e.previous})` : ""}`;
  await pauseAll(
    env,
    live.filter((r) => pausing.has(r.accountId)),
    reason,
  );
}

/** `business_capability_update`: the portfolio's new messaging limit (a tier or a number). */
async function applyCapability(env: Bindings, e: CapabilityEvent): Promise<void> {
  const limit = limitOfValue(e.limit);
  if (limit !== undefined) await setMessagingLimit(env.DB, e.wabaId, limit);
}

async function applyTemplateStatus(env: Bindings, e: TemplateStatusEvent): Promise<void> {
  if (TEMPLATE_SENDABLE.has(e.event)) {
    // Broadcasts paused by it stay paused until someone resumes them: a person decides.
    await setTemplateStatus(env.DB, e.wabaId, e.name, e.language, "APPROVED");
    return;
  }
  if (!TEMPLATE_STOPS.has(e.event)) return;
  await setTemplateStatus(env.DB, e.wabaId, e.name, e.language, e.event);
  const reason = `Template ${e.name} (${e.language}) ${e.event.toLowerCase()} by Meta: ${e.reason}`;
  await pauseAll(
    env,
    await liveBroadcastsUsingTemplate(env.DB, e.wabaId, e.name, e.language),
    reason,
  );
}

async function applyQuality(env: Bindings, e: QualityEvent): Promise<void> {
  const at = new Date(e.at).toISOString();
  // The new shape may give the portfolio's limit as a number, the docs as a tier.
  const limit = limitOfValue(e.limit);
  switch (e.event) {
    case "THROUGHPUT_UPGRADE":
      await updateNumberQuality(env.DB, e.wabaId, e.displayPhoneNumber, {
        throughputMps: HIGH_MPS,
      });
      break;
    case "FLAGGED":
    case "DOWNGRADE": {
      const message =
        e.event === "FLAGGED"
          ? "Meta flagged this number's quality: sending is slowed to the standard rate; fewer blocks and reports clear it"
          : "Meta lowered this portfolio's messaging limit: sending is slowed to the standard rate";
      await updateNumberQuality(env.DB, e.wabaId, e.displayPhoneNumber, {
        capMps: STANDARD_MPS,
        warning: { event: e.event, at, message },
      });
      log("warn", "number quality warning", { wabaId: e.wabaId, event: e.event });
      break;
    }
    case "UNFLAGGED":
      await updateNumberQuality(env.DB, e.wabaId, e.displayPhoneNumber, { warning: null });
      break;
  }
  if ((e.event === "UPGRADE" || e.event === "DOWNGRADE") && limit !== undefined) {
    await setMessagingLimit(env.DB, e.wabaId, limit);
  }
}

/** 131048 on a send: the number is spam-limited, so none of its broadcasts should go on. */
export async function pauseSender(
  env: Bindings,
  accountId: string,
  senderId: string,
  reason: string,
): Promise<void> {
  await pauseAll(env, await liveBroadcastsOfSender(env.DB, accountId, senderId), reason);
}

async function pauseAll(env: Bindings, refs: BroadcastRef[], reason: string): Promise<void> {
  await Promise.all(refs.map((r) => broadcastStub(env, r.accountId, r.broadcastId).pause(reason)));
}
