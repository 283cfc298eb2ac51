/**
 * Reads a WABA's message templates from the Cloud API, following Meta's paging.
 */
import type { Bindings } from "../env";
import { cloudApiFetch, cloudApiUrl, type MetaError, readMetaError } from "./http";

export interface MetaTemplate {
  id?: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: string;
  components: unknown[];
  /** How long Meta tries to deliver this template's messages; absent: Meta's default for the category. */
  message_send_ttl_seconds?: number;
}

interface TemplatePage {
  data?: unknown[];
  paging?: { next?: string; cursors?: { after?: string } };
}

export class TemplateSyncError extends Error {
  constructor(readonly meta: MetaError) {
    super(`Cloud API refused the template list: ${meta.code} ${meta.title}`);
  }
}

const MAX_PAGES = 200;

/**
 * Asked for by name: whether Meta's default field set includes
 * `message_send_ttl_seconds` is unconfirmed (REFERENCE.md names the field,
 * not the default set).
 */
const FIELDS =
  "id,name,language,status,category,parameter_format,components,message_send_ttl_seconds";

function isTemplate(value: unknown): value is MetaTemplate {
  if (!value || typeof value !== "object") return false;
  const t = value as Record<string, unknown>;
  return (
    typeof t.name === "string" &&
    typeof t.language === "string" &&
    typeof t.status === "string" &&
    Array.isArray(t.components)
  );
}

export async function fetchTemplates(
  env: Bindings,
  wabaId: string,
  accessToken: string,
): Promise<MetaTemplate[]> {
  const out: MetaTemplate[] = [];
  let url: string | undefined =
    `${cloudApiUrl(env, `${encodeURIComponent(wabaId)}/message_templates`)}?limit=100&fields=${FIELDS}`;
  for (let page = 0; url && page < MAX_PAGES; page++) {
    const res = await cloudApiFetch(env, url, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (!res.ok) throw new TemplateSyncError(await readMetaError(res));
    const body = (await res.json()) as TemplatePage;
    for (const item of body.data ?? []) {
      if (isTemplate(item))
        out.push({
          ...item,
          category: item.category ?? "UNKNOWN",
          message_send_ttl_seconds: ttlOf(item.message_send_ttl_seconds),
        });
    }
    url = body.paging?.next;
  }
  return out;
}

/** A positive whole number of seconds, else none (Meta's default applies). */
function ttlOf(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}
