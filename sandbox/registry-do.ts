/**
 * SandboxRegistryDO (one instance, named "registry"): which numbers exist,
 * with their WABA and token (for the stats of every number and for the
 * template list's token check), and the templates added to each WABA through
 * POST /__sandbox/templates. Not on the send path: a number DO reads its
 * WABA's templates once and caches them until told they changed.
 */
import { DurableObject } from "cloudflare:workers";
import { DEMO_NUMBER } from "./config";
import type { SandboxEnv } from "./env";
import type { SandboxTemplate } from "./templates";

export class SandboxRegistryDO extends DurableObject<SandboxEnv> {
  constructor(ctx: DurableObjectState, env: SandboxEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS numbers (
        phone_number_id TEXT PRIMARY KEY, waba_id TEXT NOT NULL, access_token TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS numbers_waba ON numbers (waba_id);
      CREATE TABLE IF NOT EXISTS templates (
        waba_id TEXT NOT NULL, name TEXT NOT NULL, language TEXT NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (waba_id, name, language)
      );
    `);
    this.registerDemo();
  }

  private registerDemo(): void {
    this.ctx.storage.sql.exec(
      "INSERT OR IGNORE INTO numbers (phone_number_id, waba_id, access_token) VALUES (?, ?, ?)",
      DEMO_NUMBER.phone_number_id,
      DEMO_NUMBER.waba_id,
      DEMO_NUMBER.access_token,
    );
  }

  register(phoneNumberId: string, wabaId: string, accessToken: string): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO numbers (phone_number_id, waba_id, access_token) VALUES (?, ?, ?)
       ON CONFLICT(phone_number_id) DO UPDATE SET waba_id = excluded.waba_id, access_token = excluded.access_token`,
      phoneNumberId,
      wabaId,
      accessToken,
    );
  }

  numbers(): string[] {
    return this.ctx.storage.sql
      .exec<{ phone_number_id: string }>(
        "SELECT phone_number_id FROM numbers ORDER BY phone_number_id",
      )
      .toArray()
      .map((r) => r.phone_number_id);
  }

  /** The WABA's numbers and their tokens: any of them may read its templates. */
  wabaNumbers(wabaId: string): { phone_number_id: string; access_token: string }[] {
    return this.ctx.storage.sql
      .exec<{ phone_number_id: string; access_token: string }>(
        "SELECT phone_number_id, access_token FROM numbers WHERE waba_id = ?",
        wabaId,
      )
      .toArray();
  }

  /** Adds or replaces one of the WABA's templates; returns the WABA's numbers, whose caches are now stale. */
  addTemplate(wabaId: string, template: SandboxTemplate): string[] {
    this.ctx.storage.sql.exec(
      `INSERT INTO templates (waba_id, name, language, json) VALUES (?, ?, ?, ?)
       ON CONFLICT(waba_id, name, language) DO UPDATE SET json = excluded.json`,
      wabaId,
      template.name,
      template.language,
      JSON.stringify(template),
    );
    return this.wabaNumbers(wabaId).map((n) => n.phone_number_id);
  }

  customTemplates(wabaId: string): SandboxTemplate[] {
    return this.ctx.storage.sql
      .exec<{ json: string }>("SELECT json FROM templates WHERE waba_id = ?", wabaId)
      .toArray()
      .map((r) => JSON.parse(r.json) as SandboxTemplate);
  }

  /** Forgets every number but the demo one (back to its defaults) and every added template; returns the numbers it knew. */
  resetAll(): string[] {
    const known = this.numbers();
    this.ctx.storage.sql.exec("DELETE FROM numbers");
    this.ctx.storage.sql.exec("DELETE FROM templates");
    this.registerDemo();
    return known;
  }
}
