/**
 * Templates synced from Meta, looked up by the sender's WABA, name and language.
 */

import { and, asc, count, eq, type SQL, sql } from "drizzle-orm";
import { chooseLanguage } from "../domain/template-language";
import type { MetaTemplate } from "../whatsapp/templates";
import { type Database, nowIso } from "./client";
import { type Template, templates } from "./schema";

export interface TemplateFilter {
  name?: string;
  language?: string;
  status?: string;
  wabaId?: string;
}

function where(accountId: string, f: TemplateFilter): SQL | undefined {
  return and(
    eq(templates.accountId, accountId),
    f.name ? eq(templates.name, f.name) : undefined,
    f.language ? eq(templates.language, f.language) : undefined,
    f.status ? eq(templates.status, f.status.toUpperCase()) : undefined,
    f.wabaId ? eq(templates.wabaId, f.wabaId) : undefined,
  );
}

export async function listTemplates(
  db: Database,
  accountId: string,
  filter: TemplateFilter,
  limit: number,
  offset: number,
) {
  const [rows, total] = await db.batch([
    db
      .select()
      .from(templates)
      .where(where(accountId, filter))
      .orderBy(asc(templates.name), asc(templates.language))
      .limit(limit)
      .offset(offset),
    db.select({ n: count() }).from(templates).where(where(accountId, filter)),
  ]);
  return { rows, total: total[0]?.n ?? 0 };
}

export async function getTemplate(
  db: Database,
  accountId: string,
  id: string,
): Promise<Template | undefined> {
  return db
    .select()
    .from(templates)
    .where(and(eq(templates.accountId, accountId), eq(templates.id, id)))
    .get();
}

/**
 * The template by name in `language`, or in its one approved variant
 * (domain/template-language.ts); else the languages it exists in.
 */
export async function resolveTemplate(
  db: Database,
  accountId: string,
  wabaId: string,
  name: string,
  language: string,
): Promise<{ template: Template } | { template: undefined; languages: string[] }> {
  const all = await db
    .select()
    .from(templates)
    .where(
      and(
        eq(templates.accountId, accountId),
        eq(templates.wabaId, wabaId),
        eq(templates.name, name),
      ),
    )
    .all();
  const choice = chooseLanguage(language, all);
  const template = choice.ok ? all.find((t) => t.language === choice.language) : undefined;
  return template
    ? { template }
    : { template: undefined, languages: choice.ok ? [] : choice.languages };
}

/** Upserts a WABA's templates in one D1 batch (one statement per template keeps every statement under 100 bound parameters). */
export async function upsertTemplates(
  db: Database,
  accountId: string,
  wabaId: string,
  list: MetaTemplate[],
) {
  if (list.length === 0) return;
  const syncedAt = nowIso();
  const statements = list.map((t) =>
    db
      .insert(templates)
      .values({
        id: crypto.randomUUID(),
        accountId,
        wabaId,
        metaId: t.id ?? null,
        name: t.name,
        language: t.language,
        status: t.status.toUpperCase(),
        category: t.category,
        parameterFormat: (t.parameter_format ?? "POSITIONAL").toUpperCase(),
        components: JSON.stringify(t.components),
        sendTtlSeconds: t.message_send_ttl_seconds ?? null,
        syncedAt,
      })
      .onConflictDoUpdate({
        target: [templates.accountId, templates.wabaId, templates.name, templates.language],
        set: {
          metaId: sql`excluded.meta_id`,
          status: sql`excluded.status`,
          category: sql`excluded.category`,
          parameterFormat: sql`excluded.parameter_format`,
          components: sql`excluded.components`,
          sendTtlSeconds: sql`excluded.send_ttl_seconds`,
          syncedAt: sql`excluded.synced_at`,
        },
      }),
  );
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/** The template's Meta TTL in seconds as last synced; null when Meta gave none or the template is unknown. */
export async function templateSendTtl(
  db: Database,
  accountId: string,
  wabaId: string,
  name: string,
  language: string,
): Promise<number | null> {
  const row = await db
    .select({ ttl: templates.sendTtlSeconds })
    .from(templates)
    .where(
      and(
        eq(templates.accountId, accountId),
        eq(templates.wabaId, wabaId),
        eq(templates.name, name),
        eq(templates.language, language),
      ),
    )
    .get();
  return row?.ttl ?? null;
}
