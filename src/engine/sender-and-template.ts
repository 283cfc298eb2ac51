/**
 * What both surfaces resolve before a broadcast can exist: the sender it
 * goes from, and its template (by name and language, APPROVED), analysed.
 * The engine answers what it found; each surface words the refusal in its
 * own contract's terms.
 */
import { database } from "../db/client";
import { getLocation } from "../db/locations";
import type { Sender, Template } from "../db/schema";
import { defaultSender, findSenderByPhone, getSender } from "../db/senders";
import { resolveTemplate } from "../db/templates";
import type { SenderSnapshot } from "../domain/broadcast";
import { analyzeTemplate, type TemplateShape } from "../domain/template";

/** Which sender: by its phone number (Broadcasts API `from`), or a location's, else the default (v1). */
export type SenderChoice = { phoneNumber: string } | { locationId: string | null };

export type SenderAndTemplate =
  | { ok: true; sender: Sender; template: Template; analysis: TemplateShape }
  | { ok: false; problem: "no_sender" }
  | { ok: false; problem: "no_location" }
  | {
      ok: false;
      problem: "no_template";
      sender: Sender;
      /** The languages the template exists in (none: no template of that name). */
      languages: string[];
    }
  | { ok: false; problem: "not_approved"; sender: Sender; template: Template };

async function chooseSender(
  d1: D1Database,
  accountId: string,
  choice: SenderChoice,
): Promise<Sender | "no_location" | null> {
  const db = database(d1);
  if ("phoneNumber" in choice)
    return (await findSenderByPhone(db, accountId, choice.phoneNumber)) ?? null;
  let sender: Sender | null = null;
  if (choice.locationId) {
    const location = await getLocation(db, accountId, choice.locationId);
    if (!location) return "no_location";
    if (location.senderId) sender = (await getSender(db, accountId, location.senderId)) ?? null;
  }
  return sender ?? defaultSender(d1, accountId);
}

export async function resolveSenderAndTemplate(
  d1: D1Database,
  accountId: string,
  choice: SenderChoice,
  wanted: { name: string; language: string },
): Promise<SenderAndTemplate> {
  const sender = await chooseSender(d1, accountId, choice);
  if (sender === "no_location") return { ok: false, problem: "no_location" };
  if (!sender) return { ok: false, problem: "no_sender" };
  const found = await resolveTemplate(
    database(d1),
    accountId,
    sender.wabaId,
    wanted.name,
    wanted.language,
  );
  if (!found.template)
    return { ok: false, problem: "no_template", sender, languages: found.languages };
  const { template } = found;
  if (template.status !== "APPROVED")
    return { ok: false, problem: "not_approved", sender, template };
  const analysis = analyzeTemplate(JSON.parse(template.components), template.parameterFormat);
  return { ok: true, sender, template, analysis };
}

/** What a broadcast keeps of its sender at create (the DO sends from this). */
export function senderSnapshot(sender: Sender): SenderSnapshot {
  return {
    id: sender.id,
    phoneNumber: sender.phoneNumber,
    phoneNumberId: sender.phoneNumberId,
    wabaId: sender.wabaId,
    throughputMps: sender.throughputMps,
  };
}
