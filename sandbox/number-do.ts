/**
 * SandboxNumberDO: one fake WhatsApp business number, named by its phone
 * number id. It accepts or refuses sends as Meta would, holds the number to
 * its throughput, keeps what was sent for inspection, and sends the status
 * and reply webhooks from an outbox driven by its alarm (or holds them for
 * the drain route when there is nowhere to send them).
 *
 * A send is one RPC and synchronous SQL, with no await between the
 * throughput check and the accept, so concurrent sends cannot overrun the cap.
 */
import { DurableObject } from "cloudflare:workers";
import {
  firstQuickReplyPayload,
  heldForQuality,
  marketingMessagesRefusal,
  noMessageId,
  pausedAtMarketingMessages,
  recipientRefusal,
  rollFault,
  scheduledEvents,
} from "./behaviours";
import {
  applyPatch,
  demoConfig,
  isDemo,
  type NumberConfig,
  qualityChange,
  throughputLevel,
} from "./config";
import { registryStub, type SandboxEnv } from "./env";
import { ERRORS, errorBody, type MetaError } from "./errors";
import { latencyMs } from "./latency";
import { emptyStats, NumberStore, type Stats } from "./number-store";
import { type SandboxTemplate, wabaTemplates } from "./templates";
import { SlidingWindow } from "./throughput";
import {
  BUSINESS_USER_ID,
  parseMessage,
  templateRefusal,
  validateTemplateMessage,
} from "./validate";
import {
  type NumberIdentity,
  newWamid,
  type PlannedPost,
  planPosts,
  type SignedDelivery,
  signedDelivery,
} from "./webhooks";

/** Which Cloud API path a send came in on. */
export type Endpoint = "messages" | "marketing_messages";

/** The Marketing Messages API's own fields (W11); a string names the first wrong one. */
function marketingOptions(
  payload: unknown,
): { product_policy: string; message_activity_sharing: boolean } | string {
  const body = (typeof payload === "object" && payload !== null ? payload : {}) as Record<
    string,
    unknown
  >;
  const policy = body.product_policy ?? "CLOUD_API_FALLBACK";
  if (policy !== "CLOUD_API_FALLBACK" && policy !== "STRICT")
    return "product_policy must be 'CLOUD_API_FALLBACK' or 'STRICT'";
  const sharing = body.message_activity_sharing ?? false;
  if (typeof sharing !== "boolean") return "message_activity_sharing must be a boolean";
  return { product_policy: policy, message_activity_sharing: sharing };
}

/** The HTTP answer to a send. `delay_ms`: how long the Worker waits before answering (a timeout fault). */
export interface SendAnswer {
  status: number;
  body: string;
  delay_ms?: number;
}

/** Events one alarm run delivers at most; the rest go in the next run, straight after. */
const EVENTS_PER_ALARM = 500;
/**
 * Least time between two alarm runs of a number: statuses due within it go
 * in the same POSTs (as Meta groups them), which keeps webhook traffic, and
 * the API's work per event, low at high send rates.
 */
const ALARM_GAP_MS = 50;
const WEBHOOK_TIMEOUT_MS = 10_000;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const digitsOf = (s: string) => s.replace(/\D/g, "");

export class SandboxNumberDO extends DurableObject<SandboxEnv> {
  private readonly store: NumberStore;
  private cfg: NumberConfig | null;
  private stats: Stats;
  private readonly window = new SlidingWindow();
  /** Sends answered since the object started: the latency model's ordinal. */
  private requests = 0;
  private templateCache: { wabaId: string; list: SandboxTemplate[] } | null = null;
  /** Bumped when the WABA's templates change, so a lookup already under way is not cached. */
  private templateGeneration = 0;
  /** The alarm's time as last set or read; undefined until read once. */
  private alarmAt: number | null | undefined = undefined;
  /** When the last alarm run started. */
  private lastAlarmRun = 0;
  /** Outbox rows an alarm run is POSTing right now (the drain route leaves them alone). */
  private readonly inFlight = new Set<number>();

  constructor(ctx: DurableObjectState, env: SandboxEnv) {
    super(ctx, env);
    this.store = new NumberStore(ctx.storage.sql);
    this.cfg = this.store.loadConfig();
    this.stats = this.store.loadStats();
  }

  /**
   * The number's configuration. The demo number exists without setup: its
   * defaults are stored on first use, so that the alarm (which is not told
   * the number's id) finds them too.
   */
  private config(phoneNumberId: string): NumberConfig | null {
    if (!this.cfg && isDemo(phoneNumberId)) {
      this.cfg = demoConfig();
      this.store.saveConfig(this.cfg);
    }
    return this.cfg;
  }

  // ---- configuration --------------------------------------------------------------------

  getConfig(phoneNumberId: string): NumberConfig | null {
    return this.config(phoneNumberId);
  }

  /** Creates or updates the number; `{error}` names the first wrong field. */
  async configure(
    phoneNumberId: string,
    patch: unknown,
  ): Promise<{ config: NumberConfig } | { error: string }> {
    const next = applyPatch(phoneNumberId, this.config(phoneNumberId), patch);
    if (typeof next === "string") return { error: next };
    if (next.waba_id !== this.cfg?.waba_id) this.forgetTemplates();
    this.cfg = next;
    this.store.saveConfig(next);
    // Webhooks held while there was no URL go out once there is one.
    await this.armAlarm(this.store.nextDue());
    return { config: next };
  }

  /** Called when the WABA's own templates change. */
  forgetTemplates(): void {
    this.templateCache = null;
    this.templateGeneration++;
  }

  // ---- sending ------------------------------------------------------------------------

  /**
   * Answers a send; `arrivedAt` is when it reached the sandbox's Worker (the
   * throughput window counts that, as Meta counts at its edge). The answer
   * carries the number's latency model's delay for this request.
   */
  async send(
    phoneNumberId: string,
    authorization: string | null,
    raw: string,
    arrivedAt: number = Date.now(),
    endpoint: Endpoint = "messages",
  ): Promise<SendAnswer> {
    const answer = await this.answerSend(phoneNumberId, authorization, raw, arrivedAt, endpoint);
    const cfg = this.cfg;
    if (!cfg) return answer;
    const delay = latencyMs(cfg.latency, this.requests++);
    return delay > (answer.delay_ms ?? 0) ? { ...answer, delay_ms: delay } : answer;
  }

  private async answerSend(
    phoneNumberId: string,
    authorization: string | null,
    raw: string,
    arrivedAt: number,
    endpoint: Endpoint,
  ): Promise<SendAnswer> {
    const cfg = this.config(phoneNumberId);
    if (!cfg) return answer(ERRORS.unknownObject(phoneNumberId));
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    if (token !== cfg.access_token) return this.refuse(ERRORS.badToken());
    if (cfg.failure_mode === "token_expired") return this.refuse(ERRORS.tokenExpired());
    if (cfg.failure_mode === "account_locked") return this.refuse(ERRORS.accountLocked());
    if (cfg.failure_mode === "spam_limited") return this.refuse(ERRORS.spamLimited());

    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch {
      return this.refuse(ERRORS.invalidParameter("The request body is not valid JSON"));
    }
    const parsed = parseMessage(payload);
    if (!parsed.ok) return this.refuse(parsed.error);
    const message = parsed.value;
    // W11: the Marketing Messages API takes templates only, and its two options.
    const marketingApi = endpoint === "marketing_messages" ? marketingOptions(payload) : null;
    if (typeof marketingApi === "string") return this.refuse(ERRORS.invalidParameter(marketingApi));
    if (marketingApi && !message.template)
      return this.refuse(
        ERRORS.invalidParameter("The Marketing Messages API sends templates only"),
      );

    let template: SandboxTemplate | undefined;
    if (message.template) {
      const { name, language, components } = message.template;
      template = (await this.templates(cfg.waba_id)).find(
        (t) => t.name === name && t.language === language,
      );
      const refusal = templateRefusal(template, name, language);
      if (refusal) return this.refuse(refusal);
      if (cfg.failure_mode === "template_paused") return this.refuse(ERRORS.templatePaused(name));
      // W15: marketing is disabled on the Cloud API for this business: /messages refuses it.
      if (
        cfg.failure_mode === "marketing_api_required" &&
        !marketingApi &&
        template?.category.toUpperCase() === "MARKETING"
      )
        return this.refuse(ERRORS.marketingApiRequired());
      const problem = template ? validateTemplateMessage(template, components) : null;
      if (problem) return this.refuse(problem);
      if (marketingApi && template && template.category.toUpperCase() !== "MARKETING")
        return this.refuse(ERRORS.notMarketingTemplate(template.category.toUpperCase()));
    }

    // From here to the accept there is no await: the window cannot change under us.
    const now = arrivedAt;
    if (this.window.count(now) >= cfg.mps) {
      this.stats.over_cap++;
      return this.refuse(ERRORS.throughput(cfg.mps), true);
    }
    if (cfg.pair_rate_limit_ms > 0) {
      const last = this.store.lastAcceptedTo(message.digits);
      if (last !== null && now - last < cfg.pair_rate_limit_ms) {
        this.stats.pair_rate_limited++;
        return this.refuse(ERRORS.pairRateLimited());
      }
    }
    const pair = this.store.recordAttempt(message.digits, message.callback);
    const refusal =
      recipientRefusal(message.digits, pair.attempts, message.userId) ??
      (marketingApi ? marketingMessagesRefusal(message.digits, pair.attempts) : null);
    if (refusal) return this.refuse(refusal);
    const fault = rollFault(cfg.faults, Math.random());
    if (fault === "error_500") return this.refuse(ERRORS.unavailable());
    if (fault === "throttle") return this.refuse(ERRORS.throughput(cfg.mps), true);
    // A timeout never accepts the message, so a client that retries after it sends no duplicate.
    if (fault === "timeout") return { ...this.refuse(ERRORS.timeout()), delay_ms: cfg.timeout_ms };

    const inWindow = this.window.add(now);
    const wamid = newWamid();
    const s = this.stats;
    s.accepted++;
    s.max_per_second = Math.max(s.max_per_second, inWindow);
    s.first_accepted_at ??= now;
    s.last_accepted_at = now;
    if (message.callback && pair.accepted > 0) s.duplicates++;
    const events = scheduledEvents(
      {
        wamid,
        digits: message.digits,
        userId: message.userId,
        callback: message.callback,
        acceptedAt: now,
        // W11: Meta prices what its Marketing Messages API delivers as marketing_lite.
        category: !template
          ? "service"
          : marketingApi
            ? "marketing_lite"
            : template.category.toLowerCase(),
        businessDigits: digitsOf(cfg.display_phone_number),
        attempt: pair.attempts,
        quickReplyPayload: firstQuickReplyPayload(message.template?.components),
      },
      cfg.delays,
    );
    this.store.recordAccepted(
      {
        wamid,
        to_input: message.to,
        wa_id: message.digits,
        callback: message.callback,
        type: message.type,
        template: template?.name ?? null,
        language: template?.language ?? null,
        components: message.template ? JSON.stringify(message.template.components) : null,
        accepted_at: now,
        endpoint,
        product_policy: marketingApi ? marketingApi.product_policy : null,
        message_activity_sharing: marketingApi
          ? Number(marketingApi.message_activity_sharing)
          : null,
      },
      events,
    );
    this.store.saveStats(s);
    await this.armAlarm(Math.min(...events.map((e) => e.due)));
    return {
      status: 200,
      body: JSON.stringify({
        messaging_product: "whatsapp",
        // W16: for a user-id recipient the contact echoes it (Meta's exact answer is unconfirmed).
        contacts: [
          message.userId
            ? { input: message.userId, user_id: message.userId }
            : { input: message.to, wa_id: message.digits },
        ],
        // 9999: accepted, but the answer carries no message id.
        messages: noMessageId(message.digits)
          ? []
          : [
              {
                id: wamid,
                message_status: heldForQuality(message.digits, template?.category)
                  ? "held_for_quality_assessment"
                  : marketingApi && pausedAtMarketingMessages(message.digits)
                    ? "paused"
                    : "accepted",
              },
            ],
      }),
    };
  }

  private refuse(error: MetaError, throughput = false): SendAnswer {
    if (throughput) this.stats.rejected_throughput++;
    else this.stats.rejected_other++;
    this.store.saveStats(this.stats);
    return answer(error);
  }

  /** The WABA's templates: built-ins and its own, cached until they change. */
  private async templates(wabaId: string): Promise<SandboxTemplate[]> {
    if (this.templateCache?.wabaId === wabaId) return this.templateCache.list;
    const generation = this.templateGeneration;
    const list = wabaTemplates(await registryStub(this.env).customTemplates(wabaId));
    if (generation === this.templateGeneration) this.templateCache = { wabaId, list };
    return list;
  }

  // ---- webhooks -----------------------------------------------------------------------

  private webhookUrl(cfg: NumberConfig): string | null {
    return cfg.webhook_url || this.env.WEBHOOK_URL || null;
  }

  private identity(cfg: NumberConfig): NumberIdentity {
    return {
      phoneNumberId: cfg.phone_number_id,
      wabaId: cfg.waba_id,
      displayNumber: digitsOf(cfg.display_phone_number),
    };
  }

  private plan(cfg: NumberConfig, rows: Parameters<typeof planPosts>[0]): PlannedPost[] {
    return planPosts(rows, {
      shuffle: cfg.shuffle_webhooks,
      duplicateRate: cfg.duplicate_webhook_rate,
      random: Math.random,
    });
  }

  /** Makes sure the alarm fires by `due` when webhooks have somewhere to go. */
  private async armAlarm(due: number | null): Promise<void> {
    const cfg = this.cfg;
    if (due === null || !cfg || !this.webhookUrl(cfg)) return;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= due) return;
    // Not sooner than ALARM_GAP_MS after the last run, so that due events pile up into bigger POSTs.
    const at = Math.max(due, this.lastAlarmRun + ALARM_GAP_MS);
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /**
   * For tests and scripts: the signed deliveries of the due events (every
   * event with `all`), taken out of the outbox. Null for an unknown number.
   */
  async drain(phoneNumberId: string, all: boolean): Promise<SignedDelivery[] | null> {
    const cfg = this.config(phoneNumberId);
    if (!cfg) return null;
    const rows = this.store
      .due(all ? null : Date.now(), 100_000)
      .filter((r) => !this.inFlight.has(r.id));
    const posts = this.plan(cfg, rows);
    // Taken out before the first await, so that two drains never hand out the same event.
    this.store.remove(rows.map((r) => r.id));
    this.stats.webhooks_drained += rows.length;
    this.stats.webhooks_duplicated += posts
      .filter((p) => p.duplicate)
      .reduce((n, p) => n + p.events.length, 0);
    this.store.saveStats(this.stats);
    const identity = this.identity(cfg);
    return Promise.all(posts.map((p) => signedDelivery(identity, p.events, this.env.APP_SECRET)));
  }

  /** POSTs the due webhooks; a failed POST is retried with exponential backoff, like Meta. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    this.lastAlarmRun = Date.now();
    const cfg = this.cfg;
    const url = cfg ? this.webhookUrl(cfg) : null;
    if (!cfg || !url) return;
    const rows = this.store.due(Date.now(), EVENTS_PER_ALARM);
    const attempts = new Map(rows.map((r) => [r.id, r.attempts]));
    const posts = this.plan(cfg, rows);
    for (const r of rows) this.inFlight.add(r.id);
    const identity = this.identity(cfg);
    const results = await Promise.all(
      posts.map(async (p) =>
        post(
          url,
          await signedDelivery(identity, p.events, this.env.APP_SECRET),
          this.env.WEBHOOK_SERVICE,
        ),
      ),
    );
    for (const r of rows) this.inFlight.delete(r.id);

    const s = this.stats;
    const { max_attempts, base_ms } = cfg.webhook_retry;
    posts.forEach((p, i) => {
      const ok = results[i] === true;
      if (p.duplicate) {
        if (ok) s.webhooks_duplicated += p.events.length;
        return;
      }
      if (ok) {
        this.store.remove(p.ids);
        s.webhooks_delivered += p.ids.length;
        return;
      }
      const failures = Math.max(...p.ids.map((id) => attempts.get(id) ?? 0)) + 1;
      if (failures >= max_attempts) {
        this.store.remove(p.ids);
        s.webhooks_failed += p.ids.length;
      } else {
        this.store.reschedule(p.ids, failures, Date.now() + base_ms * 2 ** (failures - 1));
        s.webhooks_retried += p.ids.length;
      }
    });
    if (posts.length > 0) this.store.saveStats(s);
    const next = this.store.nextDue();
    if (next !== null) {
      this.alarmAt = Math.max(next, Date.now() + ALARM_GAP_MS);
      await this.ctx.storage.setAlarm(this.alarmAt);
    }
  }

  // ---- the number's own fields and Meta's signals about it ------------------------------

  /** `GET /{version}/{phone-number-id}?fields=…`, as Graph answers it. */
  phoneNumber(
    phoneNumberId: string,
    authorization: string | null,
    fields: string | null,
  ): SendAnswer {
    const cfg = this.config(phoneNumberId);
    if (!cfg) return answer(ERRORS.unknownObject(phoneNumberId));
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    if (token !== cfg.access_token) return answer(ERRORS.badToken());
    const all: Record<string, unknown> = {
      display_phone_number: cfg.display_phone_number,
      verified_name: "Chorus Sandbox",
      quality_rating: cfg.quality_rating,
      // W5: the portfolio's limit (v24.0+), and the deprecated field beside it.
      whatsapp_business_manager_messaging_limit: cfg.messaging_limit_tier,
      messaging_limit_tier: cfg.messaging_limit_tier,
      throughput: { level: throughputLevel(cfg) },
    };
    const asked = fields ? fields.split(",").map((f) => f.trim()) : Object.keys(all);
    const body: Record<string, unknown> = { id: phoneNumberId };
    for (const f of asked) if (f in all) body[f] = all[f];
    return { status: 200, body: JSON.stringify(body) };
  }

  /**
   * W19: `GET /{version}/{waba-id}?fields=owner_business_info`, as Graph
   * answers for a WhatsApp Business Account: the business portfolio that owns
   * it. Asked of one of the WABA's numbers (they share its token).
   */
  wabaNode(
    phoneNumberId: string,
    wabaId: string,
    authorization: string | null,
    fields: string | null,
  ): SendAnswer {
    const cfg = this.config(phoneNumberId);
    if (!cfg || cfg.waba_id !== wabaId) return answer(ERRORS.unknownObject(wabaId));
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    if (token !== cfg.access_token) return answer(ERRORS.badToken());
    const all: Record<string, unknown> = {
      name: "Chorus Sandbox",
      owner_business_info: { id: cfg.business_id ?? `3${wabaId}`, name: "Chorus Sandbox Business" },
    };
    const asked = fields ? fields.split(",").map((f) => f.trim()) : Object.keys(all);
    const body: Record<string, unknown> = { id: wabaId };
    for (const f of asked) if (f in all) body[f] = all[f];
    return { status: 200, body: JSON.stringify(body) };
  }

  /**
   * Meta changed something about the number: apply it and send the
   * `phone_number_quality_update` webhook it would send.
   */
  async qualityEvent(
    phoneNumberId: string,
    input: unknown,
  ): Promise<{ config: NumberConfig; webhook: Record<string, unknown> } | { error: string }> {
    const cfg = this.config(phoneNumberId);
    if (!cfg) return { error: "unknown phone number id" };
    const change = qualityChange(cfg, input);
    if ("error" in change) return change;
    this.cfg = change.config;
    this.store.saveConfig(change.config);
    return {
      config: change.config,
      webhook: await this.emit("phone_number_quality_update", change.value),
    };
  }

  /** Queues a WABA-level webhook through this number's webhook path; answers its `value`. */
  async emit(field: string, value: Record<string, unknown>): Promise<Record<string, unknown>> {
    const now = Date.now();
    this.store.enqueue(now, { kind: "account", field, value });
    await this.armAlarm(now);
    return { field, value };
  }

  /**
   * W18: a message a person sends the number, now, through its webhook path
   * (`contacts` + `messages`, as scripted replies go). Answers what was queued.
   */
  async inbound(
    contact: Record<string, unknown>,
    message: Record<string, unknown>,
  ): Promise<{ contact: Record<string, unknown>; message: Record<string, unknown> }> {
    const now = Date.now();
    this.store.enqueue(now, { kind: "message", contact, message });
    await this.armAlarm(now);
    return { contact, message };
  }

  // ---- inspection ---------------------------------------------------------------------

  messages(phoneNumberId: string, to: string | null) {
    if (!this.config(phoneNumberId)) return null;
    const waId = to === null ? null : BUSINESS_USER_ID.test(to) ? to : digitsOf(to);
    return {
      messages: this.store.messages(waId).map((m) => ({
        phone_number_id: phoneNumberId,
        wamid: m.wamid,
        to: m.to_input,
        wa_id: m.wa_id,
        // W16: the user id a message went to as `recipient` (its `to` is then "").
        recipient: m.to_input === "" && BUSINESS_USER_ID.test(m.wa_id) ? m.wa_id : null,
        type: m.type,
        biz_opaque_callback_data: m.callback,
        template: m.template,
        language: m.language,
        // As JSON text: `unknown` does not survive the RPC's types (the router parses it).
        components_json: m.components,
        accepted_at: iso(m.accepted_at),
        // W11: which path took it, and the Marketing Messages API's options as sent.
        endpoint: m.endpoint ?? "messages",
        product_policy: m.product_policy,
        message_activity_sharing:
          m.message_activity_sharing === null ? null : m.message_activity_sharing === 1,
        attempts: m.attempts,
      })),
      attempts: this.store.attempts(waId).map((a) => ({
        phone_number_id: phoneNumberId,
        to: a.wa_id,
        biz_opaque_callback_data: a.callback,
        attempts: a.attempts,
        accepted: a.accepted,
      })),
    };
  }

  statistics(phoneNumberId: string) {
    if (!this.config(phoneNumberId)) return null;
    const s = this.stats;
    return {
      phone_number_id: phoneNumberId,
      ...s,
      first_accepted_at: iso(s.first_accepted_at),
      last_accepted_at: iso(s.last_accepted_at),
      webhooks_pending: this.store.pending(),
    };
  }

  /** Forgets what was sent and counted; `forgetConfig` also drops the configuration (the demo number's returns to its defaults). */
  async reset(forgetConfig: boolean): Promise<void> {
    this.store.wipe();
    this.stats = emptyStats();
    this.window.reset();
    this.forgetTemplates();
    if (forgetConfig) {
      this.store.deleteConfig();
      this.cfg = null;
    }
    this.alarmAt = null;
    await this.ctx.storage.deleteAlarm();
  }
}

function answer(error: MetaError): SendAnswer {
  return { status: error.status, body: JSON.stringify(errorBody(error)) };
}

/**
 * One webhook POST; true when answered 2xx. Through the WEBHOOK_SERVICE
 * binding when there is one (the dispatch benchmark runs both Workers in one
 * process), else over the network.
 */
async function post(
  url: string,
  delivery: SignedDelivery,
  service: Fetcher | undefined,
): Promise<boolean> {
  try {
    const res = await (service ? service.fetch.bind(service) : fetch)(url, {
      method: "POST",
      headers: delivery.headers,
      body: delivery.body,
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}
