/**
 * Turns a v1 broadcast request into the engine's BroadcastPlan: the audience
 * references checked against the account, the sender (the location's, else
 * the account's default), the template, and the parameters compiled against it.
 */
import type { Context } from "hono";
import { getAccount } from "../../../db/accounts";
import { audienceStore } from "../../../db/audience-store";
import { broadcastExists } from "../../../db/broadcast-lists";
import { database } from "../../../db/client";
import type { BroadcastPlan } from "../../../domain/broadcast";
import { languagesHint } from "../../../domain/template-language";
import type { V1Definition } from "../../../domain/v1-broadcast";
import { planV1Parameters } from "../../../domain/v1-parameters";
import { resolveSenderAndTemplate, senderSnapshot } from "../../../engine/sender-and-template";
import type { AppEnv } from "../../../env";
import { badRequest } from "../../../errors";
import { checkCallbackUrl } from "../../callback-url";
import { resolveSendWindow } from "../../send-window";
import type { V1BroadcastWrite } from "./schemas";

const invalid = (details: string) => badRequest("Invalid request body", details);

async function checkAudience(c: Context<AppEnv>, body: V1BroadcastWrite): Promise<void> {
  const { accountId } = c.get("account");
  switch (body.type) {
    case "segment": {
      const ids = (body.segments ?? []).map((s) => s.id);
      if (ids.length === 0)
        throw invalid("segments: a segment broadcast needs at least one segment");
      const { ops } = await audienceStore(c.env, accountId);
      const unknown = await ops.unknownSegmentIds(accountId, ids);
      if (unknown.length)
        throw invalid(`segments: no segment ${unknown.join(", ")} in this account`);
      return;
    }
    case "class": {
      if (!body.targetClass) throw invalid("targetClass: a class broadcast needs targetClass");
      const { ops } = await audienceStore(c.env, accountId);
      if (!(await ops.getClass(accountId, body.targetClass.id))) {
        throw invalid(`targetClass.id: no class ${body.targetClass.id} in this account`);
      }
      return;
    }
    case "retarget": {
      if (!body.retargetBroadcast)
        throw invalid("retargetBroadcast: a retarget broadcast needs retargetBroadcast");
      if (!body.retargetEngagementType)
        throw invalid("retargetEngagementType: required for a retarget broadcast");
      if (!(await broadcastExists(c.env.DB, accountId, body.retargetBroadcast.id)))
        throw invalid(
          `retargetBroadcast.id: no broadcast ${body.retargetBroadcast.id} in this account`,
        );
      return;
    }
    case "client":
      return;
  }
}

export async function buildV1Plan(
  c: Context<AppEnv>,
  body: V1BroadcastWrite,
  broadcastId: string,
): Promise<BroadcastPlan> {
  const { accountId } = c.get("account");
  const db = database(c.env.DB);
  await checkAudience(c, body);
  if (body.statusCallbackUrl) checkCallbackUrl(c.env, body.statusCallbackUrl, "statusCallbackUrl");

  const language = body.template.language;
  const found = await resolveSenderAndTemplate(
    c.env.DB,
    accountId,
    { locationId: body.location?.id ?? null },
    { name: body.template.name, language },
  );
  if (!found.ok) {
    switch (found.problem) {
      case "no_location":
        throw invalid(`location.id: no location ${body.location?.id} in this account`);
      case "no_sender":
        throw invalid(
          "location: no sender to send from; give the location a sender or make one of the account's senders the default",
        );
      case "no_template":
        throw invalid(
          `template: no template '${body.template.name}' in language '${language}' for sender ${found.sender.phoneNumber}${languagesHint(found.languages)}`,
        );
      case "not_approved":
        throw invalid(
          `template: '${found.template.name}' (${found.template.language}) is ${found.template.status}, not APPROVED`,
        );
    }
  }
  const { sender, template } = found;
  const params = {
    headerMediaUrl: body.headerMediaUrl ?? null,
    headerMediaId: body.headerMediaId ?? null,
    headerDocumentFilename: body.headerDocumentFilename ?? null,
    headerTextParameters: body.headerTextParameters ?? null,
    bodyTextParameters: body.bodyTextParameters ?? null,
    buttonUrlParameters: body.buttonUrlParameters ?? null,
    locationParameters: body.locationParameters ?? null,
    flowParameters: body.flowParameters ?? null,
    currencyParameters: body.currencyParameters ?? null,
    dateTimeParameters: body.dateTimeParameters ?? null,
    expirationTimeMs: body.expirationTimeMs ?? null,
    catalogThumbnailProductId: body.catalogThumbnailProductId ?? null,
    productSections: body.productSections ?? null,
    productRetailerId: body.productRetailerId ?? null,
    catalogId: body.catalogId ?? null,
  };
  const planned = planV1Parameters(found.analysis, params);
  if (!planned.ok) throw invalid(planned.errors.join("; "));

  const account = await getAccount(db, accountId);
  const windows = resolveSendWindow({ window: body.sendWindow, zone: body.timezone }, account);
  const definition: V1Definition = {
    ...params,
    type: body.type,
    segments: body.type === "segment" ? (body.segments ?? []) : [],
    targetClass: body.type === "class" ? (body.targetClass ?? null) : null,
    targetClassStatus: body.type === "class" ? (body.targetClassStatus ?? "ALL") : null,
    retargetBroadcast: body.type === "retarget" ? (body.retargetBroadcast ?? null) : null,
    retargetEngagementType: body.type === "retarget" ? (body.retargetEngagementType ?? null) : null,
    location: body.location ?? null,
    plan: planned.plan,
    sendWindow: windows.sendWindow,
    timezone: windows.windowZone,
    tierPolicy: body.tierPolicy ?? "defer",
    statusCallbackUrl: body.statusCallbackUrl ?? null,
  };
  const now = Date.now();
  const requested = body.scheduleDateTime ? Date.parse(body.scheduleDateTime) : now;
  return {
    accountId,
    broadcastId,
    surface: "v1",
    name: body.name,
    sender: senderSnapshot(sender),
    template: { name: template.name, language: template.language, category: template.category },
    scheduledAt: new Date(Math.max(requested, now)).toISOString(),
    validUntil: null,
    locationId: body.location?.id ?? null,
    requestHash: null,
    expectedRows: 0,
    definition: JSON.stringify(definition),
    draft: body.status === "draft",
    audienceResolved: false,
    ...windows,
    tierPolicy: body.tierPolicy ?? "defer",
    statusCallbackUrl: body.statusCallbackUrl ?? null,
    marketingLimitRetry: body.marketingLimitRetry ?? "next_day",
    frequencyCap: body.frequencyCap ?? "skip",
  };
}
