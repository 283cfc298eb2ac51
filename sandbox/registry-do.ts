/**
 * SandboxRegistryDO (one instance, named "registry"): which numbers exist
 * (for /__sandbox/stats and for the template list's token check) and the
 * templates added per WABA through POST /__sandbox/templates.
 */
import { DurableObject } from "cloudflare:workers";
import { DEMO_NUMBER, type SandboxEnv } from "./number-do";
import type { SandboxTemplate } from "./templates";

export class SandboxRegistryDO extends DurableObject<SandboxEnv> {
  constructor(ctx: DurableObjectState, env: SandboxEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS numbers (phone_number_id TEXT PRIMARY KEY, waba_id TEXT NOT NULL, access_token TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS numbers_waba_idx ON numbers (waba_id);
      CREATE TABLE IF NOT EXISTS templates (waba_id TEXT NOT NULL, name TEXT NOT NULL, language TEXT NOT NULL, json TEXT NOT NULL,
        PRIMARY KEY (waba_id, name, language));
    `);
    this.register(DEMO_NUMBER.phone_number_id, DEMO_NUMBER.waba_id, DEMO_NUMBER.access_token);
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

  forget(phoneNumberId: string): void {
    if (phoneNumberId !== DEMO_NUMBER.phone_number_id) {
      this.ctx.storage.sql.exec("DELETE FROM numbers WHERE phone_number_id = ?", phoneNumberId);
    }
  }

  numbers(): string[] {
    return this.ctx.storage.sql
      .exec<{ phone_number_id: string }>(
        "SELECT phone_number_id FROM numbers ORDER BY phone_number_id",
      )
      .toArray()
      .map((r) => r.phone_number_id);
  }

  /** Tokens of the WABA's numbers: any of them may read its templates. */
  wabaTokens(wabaId: string): string[] {
    return this.ctx.storage.sql
      .exec<{ access_token: string }>("SELECT access_token FROM numbers WHERE waba_id = ?", wabaId)
      .toArray()
      .map((r) => r.access_token);
  }

  addTemplate(wabaId: string, template: SandboxTemplate): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO templates (waba_id, name, language, json) VALUES (?, ?, ?, ?)
       ON CONFLICT(waba_id, name, language) DO UPDATE SET json = excluded.json`,
      wabaId,
      template.name,
      template.language,
      JSON.stringify(template),
    );
  }

  customTemplates(wabaId: string): SandboxTemplate[] {
    return this.ctx.storage.sql
      .exec<{ json: string }>(
        "SELECT json FROM templates WHERE waba_id = ? ORDER BY name, language",
        wabaId,
      )
      .toArray()
      .map((r) => JSON.parse(r.json) as SandboxTemplate);
  }

  clearTemplates(): void {
    this.ctx.storage.sql.exec("DELETE FROM templates");
  }
}
