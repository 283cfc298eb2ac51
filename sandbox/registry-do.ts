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
      CREATE TABLE IF NOT EXISTS receivers (
        name TEXT PRIMARY KEY, fail_next INTEGER NOT NULL DEFAULT 0, fail_status INTEGER NOT NULL DEFAULT 503
      );
      CREATE TABLE IF NOT EXISTS receiver_posts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, at INTEGER NOT NULL,
        status INTEGER NOT NULL, headers TEXT NOT NULL, body TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS receiver_posts_name ON receiver_posts (name, id);
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

  // ---- receivers: stand-ins for a customer's callback endpoint ----------------------

  /** Records a POST; answers the status to reply with (a configured failure, else 200). */
  receive(name: string, headers: Record<string, string>, body: string): number {
    const sql = this.ctx.storage.sql;
    const cfg = sql
      .exec<{ fail_next: number; fail_status: number }>(
        "SELECT fail_next, fail_status FROM receivers WHERE name = ?",
        name,
      )
      .toArray()[0];
    const failing = (cfg?.fail_next ?? 0) > 0;
    if (failing) sql.exec("UPDATE receivers SET fail_next = fail_next - 1 WHERE name = ?", name);
    const status = failing ? (cfg?.fail_status ?? 503) : 200;
    sql.exec(
      "INSERT INTO receiver_posts (name, at, status, headers, body) VALUES (?, ?, ?, ?, ?)",
      name,
      Date.now(),
      status,
      JSON.stringify(headers),
      body,
    );
    return status;
  }

  /** The next `failNext` POSTs to this receiver are answered `failStatus`. */
  configureReceiver(name: string, failNext: number, failStatus: number): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO receivers (name, fail_next, fail_status) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET fail_next = excluded.fail_next, fail_status = excluded.fail_status`,
      name,
      failNext,
      failStatus,
    );
  }

  receiverPosts(
    name: string,
  ): { at: string; status: number; headers: Record<string, string>; body: string }[] {
    return this.ctx.storage.sql
      .exec<{ at: number; status: number; headers: string; body: string }>(
        "SELECT at, status, headers, body FROM receiver_posts WHERE name = ? ORDER BY id",
        name,
      )
      .toArray()
      .map((r) => ({
        at: new Date(Number(r.at)).toISOString(),
        status: Number(r.status),
        headers: JSON.parse(r.headers) as Record<string, string>,
        body: r.body,
      }));
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
