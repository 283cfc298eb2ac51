/**
 * SandboxNumberDO: one fake WhatsApp business number (named by its phone
 * number id). It accepts or refuses sends as Meta would, enforces the number's
 * throughput over a sliding one-second window, keeps what was sent for
 * inspection, and sends the status and reply webhooks back from an outbox
 * driven by its alarm (or holds them for tests to drain).
 */
import { DurableObject } from "cloudflare:workers";
import { ERRORS, errorBody, type MetaError } from "./errors";
import { BUILT_IN_TEMPLATES, type SandboxTemplate } from "./templates";
import { validateTemplateMessage } from "./validate";
import { envelope, newWamid, type OutboxEvent, sign } from "./webhooks";

export interface SandboxEnv {
  APP_SECRET: string;
  WEBHOOK_URL?: string;
  SANDBOX_NUMBER: DurableObjectNamespace<SandboxNumberDO>;
  SANDBOX_REGISTRY: DurableObjectNamespace<import("./registry-do").SandboxRegistryDO>;
}

export type FailureMode = "token_expired" | "account_locked" | "template_paused" | null;

export interface NumberConfig {
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string;
  access_token: string;
  mps: number;
  webhook_url: string | null;
  delays: { sent_ms: number; delivered_ms: number; read_ms: number };
  failure_mode: FailureMode;
  faults: { error_500_rate: number; timeout_rate: number; throttle_rate: number };
  timeout_ms: number;
  shuffle_webhooks: boolean;
  duplicate_webhook_rate: number;
}

export const DEMO_NUMBER = {
  phone_number_id: "100000000000001",
  waba_id: "200000000000001",
  display_phone_number: "447576209857",
  access_token: "sandbox-demo-token",
} as const;

export function defaultConfig(phoneNumberId: string): NumberConfig {
  const demo = phoneNumberId === DEMO_NUMBER.phone_number_id;
  return {
    phone_number_id: phoneNumberId,
    waba_id: demo ? DEMO_NUMBER.waba_id : "",
    display_phone_number: demo ? DEMO_NUMBER.display_phone_number : "",
    access_token: demo ? DEMO_NUMBER.access_token : "",
    mps: 80,
    webhook_url: null,
    delays: { sent_ms: 100, delivered_ms: 300, read_ms: 600 },
    failure_mode: null,
    faults: { error_500_rate: 0, timeout_rate: 0, throttle_rate: 0 },
    timeout_ms: 15_000,
    shuffle_webhooks: false,
    duplicate_webhook_rate: 0,
  };
}

interface Stats {
  accepted: number;
  rejected_throughput: number;
  rejected_other: number;
  max_per_second: number;
  duplicates: number;
  first_accepted_at: number | null;
  last_accepted_at: number | null;
  webhooks_delivered: number;
  webhooks_failed: number;
}

const EMPTY_STATS: Stats = {
  accepted: 0,
  rejected_throughput: 0,
  rejected_other: 0,
  max_per_second: 0,
  duplicates: 0,
  first_accepted_at: null,
  last_accepted_at: null,
  webhooks_delivered: 0,
  webhooks_failed: 0,
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stats (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  wamid TEXT PRIMARY KEY, to_number TEXT NOT NULL, callback TEXT, template TEXT, language TEXT,
  components TEXT, accepted_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_to_idx ON messages (to_number);
CREATE TABLE IF NOT EXISTS attempts (key TEXT PRIMARY KEY, attempts INTEGER NOT NULL, accepted INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, due_at INTEGER NOT NULL, event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS outbox_due_idx ON outbox (due_at);
`;

const MAX_EVENTS_PER_POST = 50;
const MAX_WEBHOOK_ATTEMPTS = 6;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** The HTTP answer to a send: status and JSON text (plain data crosses the RPC boundary untouched). */
export interface SendAnswer {
  status: number;
  body: string;
}

export class SandboxNumberDO extends DurableObject<SandboxEnv> {
  private cfg: NumberConfig | null = null;
  private stats: Stats;
  /** Accept times within the last second: the sliding throughput window. */
  private window: number[] = [];
  private customTemplates: { at: number; list: SandboxTemplate[] } | null = null;

  constructor(ctx: DurableObjectState, env: SandboxEnv) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
    const cfg = ctx.storage.sql.exec<{ json: string }>("SELECT json FROM config").toArray()[0];
    this.cfg = cfg ? (JSON.parse(cfg.json) as NumberConfig) : null;
    const stats = ctx.storage.sql.exec<{ json: string }>("SELECT json FROM stats").toArray()[0];
    this.stats = stats ? (JSON.parse(stats.json) as Stats) : { ...EMPTY_STATS };
  }

  // ---- configuration -------------------------------------------------------

  config(phoneNumberId: string): NumberConfig | null {
    if (!this.cfg && phoneNumberId === DEMO_NUMBER.phone_number_id)
      this.saveConfig(defaultConfig(phoneNumberId));
    return this.cfg;
  }

  configure(phoneNumberId: string, patch: Obj): NumberConfig {
    const base = this.config(phoneNumberId) ?? defaultConfig(phoneNumberId);
    const next: NumberConfig = {
      ...base,
      ...(typeof patch.waba_id === "string" ? { waba_id: patch.waba_id } : {}),
      ...(typeof patch.display_phone_number === "string"
        ? { display_phone_number: patch.display_phone_number }
        : {}),
      ...(typeof patch.access_token === "string" ? { access_token: patch.access_token } : {}),
      ...(typeof patch.mps === "number" && patch.mps > 0 ? { mps: patch.mps } : {}),
      ...("webhook_url" in patch
        ? {
            webhook_url:
              typeof patch.webhook_url === "string" && patch.webhook_url ? patch.webhook_url : null,
          }
        : {}),
      ...(isObj(patch.delays) ? { delays: { ...base.delays, ...numbers(patch.delays) } } : {}),
      ...("failure_mode" in patch ? { failure_mode: failureMode(patch.failure_mode) } : {}),
      ...(isObj(patch.faults) ? { faults: { ...base.faults, ...numbers(patch.faults) } } : {}),
      ...(typeof patch.timeout_ms === "number" ? { timeout_ms: patch.timeout_ms } : {}),
      ...(typeof patch.shuffle_webhooks === "boolean"
        ? { shuffle_webhooks: patch.shuffle_webhooks }
        : {}),
      ...(typeof patch.duplicate_webhook_rate === "number"
        ? { duplicate_webhook_rate: patch.duplicate_webhook_rate }
        : {}),
    };
    this.saveConfig(next);
    return next;
  }

  private saveConfig(cfg: NumberConfig): void {
    this.cfg = cfg;
    this.ctx.storage.sql.exec(
      "INSERT INTO config (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
      JSON.stringify(cfg),
    );
  }

  private saveStats(): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO stats (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json",
      JSON.stringify(this.stats),
    );
  }

  // ---- sending ---------------------------------------------------------------

  async send(
    phoneNumberId: string,
    authorization: string | null,
    payload: unknown,
  ): Promise<SendAnswer> {
    const cfg = this.config(phoneNumberId);
    if (!cfg) return this.refuse(ERRORS.unknownObject(phoneNumberId), false);
    if (authorization !== `Bearer ${cfg.access_token}`)
      return this.refuse(ERRORS.badToken(), false);
    if (cfg.failure_mode === "token_expired") return this.refuse(ERRORS.badToken());
    if (cfg.failure_mode === "account_locked") return this.refuse(ERRORS.accountLocked());
    if (!isObj(payload))
      return this.refuse(ERRORS.invalidParameter("The request body must be a JSON object"));
    if (payload.messaging_product !== "whatsapp") {
      return this.refuse(ERRORS.invalidParameter("messaging_product must be 'whatsapp'"));
    }
    const to = typeof payload.to === "string" ? payload.to : "";
    const digits = to.replace(/^\+/, "");
    if (!/^\d{6,15}$/.test(digits))
      return this.refuse(ERRORS.invalidParameter("to: a phone number is required"));
    const type = payload.type ?? "text";
    if (type !== "template" && type !== "text")
      return this.refuse(
        ERRORS.invalidParameter(`type '${String(type)}' is not supported by the sandbox`),
      );
    const callback =
      typeof payload.biz_opaque_callback_data === "string"
        ? payload.biz_opaque_callback_data
        : null;
    if (callback && callback.length > 512)
      return this.refuse(
        ERRORS.invalidParameter("biz_opaque_callback_data is over 512 characters"),
      );

    const key = `${digits}|${callback ?? ""}`;
    const attempt = this.countAttempt(key);

    // Deterministic behaviours by recipient number (sandbox/README.md).
    if (digits.endsWith("2222")) return this.refuse(ERRORS.marketingLimit());
    if (digits.endsWith("3333") && attempt <= 2) return this.refuse(ERRORS.unavailable());

    // Random fault injection (off by default).
    const roll = Math.random();
    const f = cfg.faults;
    if (roll < f.error_500_rate) return this.refuse(ERRORS.unavailable());
    if (roll < f.error_500_rate + f.timeout_rate) {
      await new Promise((resolve) => setTimeout(resolve, cfg.timeout_ms));
      return this.refuse(ERRORS.timeout());
    }
    if (roll < f.error_500_rate + f.timeout_rate + f.throttle_rate)
      return this.refuse(ERRORS.throughput(), true, true);

    let template: SandboxTemplate | null = null;
    if (type === "template") {
      const t = isObj(payload.template) ? payload.template : null;
      const name = typeof t?.name === "string" ? t.name : "";
      const language =
        isObj(t?.language) && typeof t.language.code === "string" ? t.language.code : "";
      if (!name || !language)
        return this.refuse(
          ERRORS.invalidParameter("template.name and template.language.code are required"),
        );
      template =
        (await this.templates(cfg.waba_id)).find(
          (x) => x.name === name && x.language === language,
        ) ?? null;
      if (template?.status !== "APPROVED")
        return this.refuse(ERRORS.templateMissing(name, language));
      if (cfg.failure_mode === "template_paused") return this.refuse(ERRORS.templatePaused());
      const problem = validateTemplateMessage(template, t);
      if (problem) return this.refuse(problem);
    }

    // Throughput: at most `mps` accepted sends in any sliding one-second window.
    const now = Date.now();
    while (this.window.length && (this.window[0] ?? 0) <= now - 1000) this.window.shift();
    if (this.window.length >= cfg.mps) return this.refuse(ERRORS.throughput(), true, true);
    this.window.push(now);

    const wamid = newWamid();
    const s = this.stats;
    s.accepted++;
    s.max_per_second = Math.max(s.max_per_second, this.window.length);
    s.first_accepted_at ??= now;
    s.last_accepted_at = now;
    const sql = this.ctx.storage.sql;
    if (callback) {
      const prior = sql
        .exec<{ accepted: number }>("SELECT accepted FROM attempts WHERE key = ?", key)
        .one().accepted;
      if (prior > 0) s.duplicates++;
    }
    sql.exec("UPDATE attempts SET accepted = accepted + 1 WHERE key = ?", key);
    const t = isObj(payload.template) ? payload.template : {};
    sql.exec(
      "INSERT INTO messages (wamid, to_number, callback, template, language, components, accepted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      wamid,
      to,
      callback,
      template?.name ?? null,
      template?.language ?? null,
      JSON.stringify(t.components ?? null),
      now,
    );
    this.saveStats();
    this.scheduleWebhooks(cfg, wamid, digits, callback, now);
    await this.armAlarm(cfg);
    return {
      status: 200,
      body: JSON.stringify({
        messaging_product: "whatsapp",
        contacts: [{ input: to, wa_id: digits }],
        messages: [{ id: wamid, message_status: "accepted" }],
      }),
    };
  }

  private countAttempt(key: string): number {
    return this.ctx.storage.sql
      .exec<{ attempts: number }>(
        "INSERT INTO attempts (key, attempts, accepted) VALUES (?, 1, 0) ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1 RETURNING attempts",
        key,
      )
      .one().attempts;
  }

  private refuse(error: MetaError, count = true, throughput = false): SendAnswer {
    if (count) {
      if (throughput) this.stats.rejected_throughput++;
      else this.stats.rejected_other++;
      this.saveStats();
    }
    return { status: error.status, body: JSON.stringify(errorBody(error)) };
  }

  private async templates(wabaId: string): Promise<SandboxTemplate[]> {
    if (!this.customTemplates || Date.now() - this.customTemplates.at > 2000) {
      const registry = this.env.SANDBOX_REGISTRY.get(
        this.env.SANDBOX_REGISTRY.idFromName("registry"),
      );
      this.customTemplates = { at: Date.now(), list: await registry.customTemplates(wabaId) };
    }
    return [...this.customTemplates.list, ...BUILT_IN_TEMPLATES];
  }

  // ---- webhooks --------------------------------------------------------------

  private scheduleWebhooks(
    cfg: NumberConfig,
    wamid: string,
    to: string,
    callback: string | null,
    at: number,
  ): void {
    const d = cfg.delays;
    const status = (name: string, due: number, extra: Obj = {}) =>
      this.enqueue(due, {
        kind: "status",
        status: {
          id: wamid,
          status: name,
          timestamp: String(Math.floor(due / 1000)),
          recipient_id: to,
          ...(callback && name !== "failed" ? { biz_opaque_callback_data: callback } : {}),
          ...(name === "sent" || name === "delivered"
            ? {
                conversation: { id: `conv${wamid.slice(-12)}`, origin: { type: "marketing" } },
                pricing: { billable: true, pricing_model: "PMP", category: "marketing" },
              }
            : {}),
          ...extra,
        },
      });
    status("sent", at + d.sent_ms);
    if (to.endsWith("1111")) {
      // Meta does not promise biz_opaque_callback_data on failures: Chorus must find the message by wamid.
      status("failed", at + d.delivered_ms, {
        errors: [
          {
            code: 131026,
            title: "Message undeliverable",
            message: "Message undeliverable",
            error_data: {
              details: "The recipient is not a WhatsApp user, or has not accepted the terms.",
            },
          },
        ],
      });
      return;
    }
    status("delivered", at + d.delivered_ms);
    if (to.endsWith("4444")) return;
    status("read", at + d.read_ms);
    const replyAt = at + d.read_ms + 100;
    const contact = { profile: { name: `Sandbox ${to.slice(-4)}` }, wa_id: to };
    if (to.endsWith("5555")) {
      this.enqueue(replyAt, {
        kind: "message",
        contact,
        message: {
          from: to,
          id: newWamid(),
          timestamp: String(Math.floor(replyAt / 1000)),
          type: "text",
          text: { body: "STOP" },
        },
      });
    } else if (to.endsWith("6666")) {
      this.enqueue(replyAt, {
        kind: "message",
        contact,
        message: {
          from: to,
          id: newWamid(),
          timestamp: String(Math.floor(replyAt / 1000)),
          type: "button",
          button: { text: "Yes", payload: "Yes" },
          context: { from: cfg.display_phone_number, id: wamid },
        },
      });
    }
  }

  private enqueue(due: number, event: OutboxEvent): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO outbox (due_at, event) VALUES (?, ?)",
      due,
      JSON.stringify(event),
    );
  }

  private webhookUrl(cfg: NumberConfig): string | null {
    return cfg.webhook_url || this.env.WEBHOOK_URL || null;
  }

  private async armAlarm(cfg: NumberConfig): Promise<void> {
    if (!this.webhookUrl(cfg)) return; // held for tests to drain
    const next = this.ctx.storage.sql
      .exec<{ due: number | null }>("SELECT MIN(due_at) AS due FROM outbox")
      .one().due;
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || next < current) await this.ctx.storage.setAlarm(next);
  }

  /** Takes due events out of the outbox, in delivery order (shuffled and duplicated when configured). */
  private takeDue(
    all: boolean,
    limit: number,
  ): { ids: number[]; events: OutboxEvent[]; attempts: number[] } {
    const rows = this.ctx.storage.sql
      .exec<{ id: number; event: string; attempts: number }>(
        `SELECT id, event, attempts FROM outbox ${all ? "" : "WHERE due_at <= ?"} ORDER BY due_at, id LIMIT ?`,
        ...(all ? [limit] : [Date.now(), limit]),
      )
      .toArray();
    const cfg = this.cfg;
    const events = rows.map((r) => JSON.parse(r.event) as OutboxEvent);
    const order = events.map((_, i) => i);
    if (cfg?.duplicate_webhook_rate) {
      for (let i = 0; i < events.length; i++)
        if (Math.random() < cfg.duplicate_webhook_rate) order.push(i);
    }
    if (cfg?.shuffle_webhooks) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
    }
    return {
      ids: rows.map((r) => r.id),
      events: order.map((i) => events[i] as OutboxEvent),
      attempts: rows.map((r) => r.attempts),
    };
  }

  private identity(cfg: NumberConfig) {
    return {
      phoneNumberId: cfg.phone_number_id,
      wabaId: cfg.waba_id,
      displayNumber: cfg.display_phone_number,
    };
  }

  private async signedPosts(cfg: NumberConfig, events: OutboxEvent[]) {
    const posts: { body: string; headers: Record<string, string> }[] = [];
    for (let i = 0; i < events.length; i += MAX_EVENTS_PER_POST) {
      const body = envelope(this.identity(cfg), events.slice(i, i + MAX_EVENTS_PER_POST));
      posts.push({
        body,
        headers: {
          "content-type": "application/json",
          "x-hub-signature-256": await sign(body, this.env.APP_SECRET),
        },
      });
    }
    return posts;
  }

  /** For tests: the signed deliveries of every due event (every event with `all`), removed from the outbox. */
  async drain(
    phoneNumberId: string,
    all: boolean,
  ): Promise<{ body: string; headers: Record<string, string> }[]> {
    const cfg = this.config(phoneNumberId);
    if (!cfg) return [];
    const { ids, events } = this.takeDue(all, 100_000);
    this.deleteOutbox(ids);
    return this.signedPosts(cfg, events);
  }

  private deleteOutbox(ids: number[]): void {
    for (let i = 0; i < ids.length; i += 90) {
      const chunk = ids.slice(i, i + 90);
      this.ctx.storage.sql.exec(
        `DELETE FROM outbox WHERE id IN (${chunk.map(() => "?").join(",")})`,
        ...chunk,
      );
    }
  }

  override async alarm(): Promise<void> {
    const cfg = this.cfg;
    if (!cfg) return;
    const url = this.webhookUrl(cfg);
    if (!url) return;
    const { ids, events, attempts } = this.takeDue(false, 1000);
    if (ids.length) {
      const posts = await this.signedPosts(cfg, events);
      const results = await Promise.all(
        posts.map((p) =>
          fetch(url, { method: "POST", headers: p.headers, body: p.body })
            .then(async (r) => {
              await r.body?.cancel();
              return r.ok;
            })
            .catch(() => false),
        ),
      );
      const delivered = results.every(Boolean);
      if (delivered) {
        this.deleteOutbox(ids);
        this.stats.webhooks_delivered += events.length;
      } else {
        // Like Meta: retry the whole delivery later with backoff, then give up.
        const attempt = Math.max(...attempts) + 1;
        if (attempt >= MAX_WEBHOOK_ATTEMPTS) {
          this.deleteOutbox(ids);
          this.stats.webhooks_failed += ids.length;
        } else {
          const due = Date.now() + 1000 * 2 ** (attempt - 1);
          for (const id of ids)
            this.ctx.storage.sql.exec(
              "UPDATE outbox SET attempts = ?, due_at = ? WHERE id = ?",
              attempt,
              due,
              id,
            );
        }
      }
      this.saveStats();
    }
    const next = this.ctx.storage.sql
      .exec<{ due: number | null }>("SELECT MIN(due_at) AS due FROM outbox")
      .one().due;
    if (next !== null) await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 20));
  }

  // ---- inspection ----------------------------------------------------------------

  messages(to: string | null) {
    const sql = this.ctx.storage.sql;
    const rows = to
      ? sql
          .exec<Record<string, SqlStorageValue>>(
            "SELECT * FROM messages WHERE to_number = ? OR to_number = ? ORDER BY accepted_at",
            to,
            `+${to.replace(/^\+/, "")}`,
          )
          .toArray()
      : sql
          .exec<Record<string, SqlStorageValue>>("SELECT * FROM messages ORDER BY accepted_at")
          .toArray();
    const attempts = new Map(
      sql
        .exec<{ key: string; attempts: number }>("SELECT key, attempts FROM attempts")
        .toArray()
        .map((r) => [r.key, r.attempts]),
    );
    return rows.map((r) => {
      const digits = String(r.to_number).replace(/^\+/, "");
      return {
        wamid: r.wamid,
        to: r.to_number,
        biz_opaque_callback_data: r.callback,
        template: r.template,
        language: r.language,
        components: r.components ? JSON.parse(String(r.components)) : null,
        accepted_at: new Date(Number(r.accepted_at)).toISOString(),
        attempts: attempts.get(`${digits}|${r.callback ?? ""}`) ?? 1,
      };
    });
  }

  statistics(phoneNumberId: string) {
    const pending = this.ctx.storage.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox")
      .one().n;
    const s = this.stats;
    return {
      phone_number_id: phoneNumberId,
      accepted: s.accepted,
      rejected_throughput: s.rejected_throughput,
      rejected_other: s.rejected_other,
      max_per_second: s.max_per_second,
      duplicates: s.duplicates,
      first_accepted_at: s.first_accepted_at ? new Date(s.first_accepted_at).toISOString() : null,
      last_accepted_at: s.last_accepted_at ? new Date(s.last_accepted_at).toISOString() : null,
      webhooks_delivered: s.webhooks_delivered,
      webhooks_failed: s.webhooks_failed,
      webhooks_pending: pending,
    };
  }

  /** Wipes what was sent and counted; `everything` also forgets the configuration. */
  async reset(everything: boolean): Promise<void> {
    const sql = this.ctx.storage.sql;
    sql.exec("DELETE FROM messages");
    sql.exec("DELETE FROM attempts");
    sql.exec("DELETE FROM outbox");
    sql.exec("DELETE FROM stats");
    this.stats = { ...EMPTY_STATS };
    this.window = [];
    if (everything) {
      sql.exec("DELETE FROM config");
      this.cfg = null;
    }
    await this.ctx.storage.deleteAlarm();
  }
}

function numbers(o: Obj): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o))
    if (typeof v === "number" && Number.isFinite(v) && v >= 0) out[k] = v;
  return out;
}

function failureMode(v: unknown): FailureMode {
  return v === "token_expired" || v === "account_locked" || v === "template_paused" ? v : null;
}
