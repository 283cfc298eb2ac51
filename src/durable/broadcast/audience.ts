/**
 * Resolving a v1 broadcast's audience when sending starts (not at create):
 * page by page from the account's audience store into the BroadcastDO's recipients, each contact's
 * parameters rendered through the same component builder as inline
 * recipients. Rows are keyed by a sequence that follows the source's stable
 * order, so a resolution cut short by a crash is simply run again.
 */
import { type AudiencePage, fetchAudiencePage } from "../../db/audience";
import type { EnrolmentStatus } from "../../db/audience-schema";
import { fetchRetargetPage } from "../../db/retarget";
import type { NewRecipient } from "../../domain/broadcast";
import type { V1Definition } from "../../domain/v1-broadcast";
import { renderForContact } from "../../domain/v1-parameters";
import type { Bindings } from "../../env";

export function audiencePages(
  env: Bindings,
  accountId: string,
  definition: V1Definition,
): (cursor: string | null) => Promise<AudiencePage> {
  switch (definition.type) {
    case "client":
      return (cursor) =>
        fetchAudiencePage(
          env,
          accountId,
          { type: "client", locationId: definition.location?.id ?? null },
          cursor,
        );
    case "segment":
      return (cursor) =>
        fetchAudiencePage(
          env,
          accountId,
          { type: "segment", segmentIds: definition.segments.map((s) => s.id) },
          cursor,
        );
    case "class":
      return (cursor) =>
        fetchAudiencePage(
          env,
          accountId,
          {
            type: "class",
            classId: definition.targetClass?.id ?? "",
            status: (definition.targetClassStatus ?? "ALL") as EnrolmentStatus | "ALL",
          },
          cursor,
        );
    case "retarget":
      return (cursor) =>
        fetchRetargetPage(
          env,
          accountId,
          definition.retargetBroadcast?.id ?? "",
          definition.retargetEngagementType ?? "sent",
          cursor,
        );
  }
}

/**
 * Streams the audience as recipient rows, `load` taking each page's rows and
 * answering whether to go on (false: the broadcast stopped meanwhile).
 * Returns how many rows were loaded.
 */
export async function resolveAudience(
  env: Bindings,
  accountId: string,
  definition: V1Definition,
  load: (rows: NewRecipient[]) => boolean,
): Promise<number> {
  const page = audiencePages(env, accountId, definition);
  const seen = new Set<string>();
  let seq = 0;
  let cursor: string | null = null;
  do {
    const { contacts, cursor: next }: AudiencePage = await page(cursor);
    const rows: NewRecipient[] = [];
    for (const contact of contacts) {
      if (seen.has(contact.phone)) continue;
      seen.add(contact.phone);
      const rendered = renderForContact(definition.plan, contact);
      rows.push({
        seq: seq++,
        identifier: contact.phone,
        clientReference: contact.id.startsWith("phone:") ? null : contact.id,
        name:
          contact.name ?? ([contact.firstName, contact.lastName].filter(Boolean).join(" ") || null),
        components: rendered.ok ? JSON.stringify(rendered.components) : null,
        rejected: rendered.ok ? null : rendered.errors,
        timezone: contact.timezone,
      });
    }
    if (rows.length > 0 && !load(rows)) return seq;
    cursor = next;
  } while (cursor !== null);
  return seq;
}
