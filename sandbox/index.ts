/**
 * The WhatsApp sandbox: a fake of Meta's Cloud API for dev, tests and
 * benchmarks. This file only routes; see sandbox/README.md for the routes,
 * the behaviours by recipient number, fault injection and the outbox.
 * Never deployed with Chorus.
 */

import { type Context, Hono } from "hono";
import { isDemo } from "./config";
import { numberStub, registryStub, type SandboxEnv } from "./env";
import { ERRORS, errorResponse } from "./errors";
import { SandboxNumberDO } from "./number-do";
import { paginate } from "./paging";
import { SandboxRegistryDO } from "./registry-do";
import { parseTemplate, wabaTemplates } from "./templates";
import { BUSINESS_USER_ID } from "./validate";
import { newWamid } from "./webhooks";

export { SandboxNumberDO, SandboxRegistryDO };

type Env = { Bindings: SandboxEnv };
const app = new Hono<Env>();

/** A Graph API version segment: v23.0. */
const VERSION = ":version{v[0-9]+\\.[0-9]+}";

const problem = (c: Context<Env>, message: string, status: 400 | 404 = 400) =>
  c.json({ error: message }, status);

async function jsonBody(c: Context<Env>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

const field = (body: unknown, key: string): unknown =>
  typeof body === "object" && body !== null ? (body as Record<string, unknown>)[key] : undefined;

app.get("/", (c) =>
  c.json({
    sandbox: "WhatsApp Cloud API (fake); see sandbox/README.md",
    routes: [
      "POST /{version}/{phone-number-id}/messages",
      "POST /{version}/{phone-number-id}/marketing_messages",
      "GET /{version}/{waba-id}/message_templates?limit=&after=&before=&name=&status=&language=",
      "GET /{version}/{phone-number-id}?fields=messaging_limit_tier,throughput,quality_rating,…",
      "GET /{version}/{waba-id}?fields=owner_business_info",
      "GET|POST /__sandbox/numbers/{phone-number-id}",
      "POST /__sandbox/numbers/{phone-number-id}/quality",
      "POST /__sandbox/templates/status",
      "POST /__sandbox/numbers/{phone-number-id}/user_preferences",
      "POST /__sandbox/numbers/{phone-number-id}/capability",
      "POST /__sandbox/templates/quality",
      "POST /__sandbox/templates/category",
      "POST /__sandbox/numbers/{phone-number-id}/webhooks/drain[?all=true]",
      "GET /__sandbox/messages[?phone_number_id=&to=]",
      "GET /__sandbox/stats[?phone_number_id=]",
      "GET|POST /__sandbox/templates",
      "POST /__sandbox/reset[?phone_number_id=]",
      "POST /__sandbox/receivers/{name}  (a callback endpoint: records, or fails when told)",
      "GET /__sandbox/receivers/{name}",
      "POST /__sandbox/receivers/{name}/config",
    ],
  }),
);

// ---- the Cloud API ------------------------------------------------------------------------

app.post(`/${VERSION}/:phoneNumberId/messages`, async (c) => {
  // Stamped on arrival: the number's throughput window counts sends where they reach it.
  const arrivedAt = Date.now();
  const answer = await numberStub(c.env, c.req.param("phoneNumberId")).send(
    c.req.param("phoneNumberId"),
    c.req.header("authorization") ?? null,
    await c.req.text(),
    arrivedAt,
  );
  // Latency and timeout faults: the answer waits here, not in the Durable Object, which keeps serving.
  if (answer.delay_ms) await new Promise((resolve) => setTimeout(resolve, answer.delay_ms));
  return new Response(answer.body, {
    status: answer.status,
    headers: { "content-type": "application/json" },
  });
});

/** W11: Meta's Marketing Messages API: marketing templates only, with product_policy and message_activity_sharing. */
app.post(`/${VERSION}/:phoneNumberId/marketing_messages`, async (c) => {
  const arrivedAt = Date.now();
  const answer = await numberStub(c.env, c.req.param("phoneNumberId")).send(
    c.req.param("phoneNumberId"),
    c.req.header("authorization") ?? null,
    await c.req.text(),
    arrivedAt,
    "marketing_messages",
  );
  if (answer.delay_ms) await new Promise((resolve) => setTimeout(resolve, answer.delay_ms));
  return new Response(answer.body, {
    status: answer.status,
    headers: { "content-type": "application/json" },
  });
});

app.get(`/${VERSION}/:wabaId/message_templates`, async (c) => {
  const wabaId = c.req.param("wabaId");
  const registry = registryStub(c.env);
  const [numbers, custom] = await Promise.all([
    registry.wabaNumbers(wabaId),
    registry.customTemplates(wabaId),
  ]);
  if (numbers.length === 0) return errorResponse(ERRORS.unknownObject(wabaId));
  const token = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
  if (!numbers.some((n) => n.access_token === token)) return errorResponse(ERRORS.badToken());
  const name = c.req.query("name")?.toLowerCase();
  const status = c.req.query("status")?.toUpperCase().split(",");
  const language = c.req.query("language");
  const templates = wabaTemplates(custom).filter(
    (t) =>
      (!name || t.name.includes(name)) &&
      (!status || status.includes(t.status)) &&
      (!language || t.language === language),
  );
  const page = paginate(templates, new URL(c.req.url));
  return "data" in page ? c.json(page) : errorResponse(page);
});

app.get(`/${VERSION}/:phoneNumberId`, async (c) => {
  const id = c.req.param("phoneNumberId");
  // W19: a WABA id answers the WhatsApp Business Account node (its owner portfolio).
  const wabaNumbers = await registryStub(c.env).wabaNumbers(id);
  const first = wabaNumbers[0];
  const answer = first
    ? await numberStub(c.env, first.phone_number_id).wabaNode(
        first.phone_number_id,
        id,
        c.req.header("authorization") ?? null,
        c.req.query("fields") ?? null,
      )
    : await numberStub(c.env, id).phoneNumber(
        id,
        c.req.header("authorization") ?? null,
        c.req.query("fields") ?? null,
      );
  return new Response(answer.body, {
    status: answer.status,
    headers: { "content-type": "application/json" },
  });
});

// ---- Meta's signals ---------------------------------------------------------------------------

app.post("/__sandbox/numbers/:id/quality", async (c) => {
  const id = c.req.param("id");
  const result = await numberStub(c.env, id).qualityEvent(id, await jsonBody(c));
  return "error" in result ? problem(c, result.error) : c.json(result);
});

/**
 * W4: a person tapped "Stop promotions" (or resumed them): Meta's
 * `user_preferences` webhook, signed, through the number's webhook path.
 */
app.post("/__sandbox/numbers/:id/user_preferences", async (c) => {
  const id = c.req.param("id");
  const body = await jsonBody(c);
  const waId = field(body, "wa_id");
  const userId = field(body, "user_id");
  const value = field(body, "value");
  const timestamp = field(body, "timestamp") ?? Math.floor(Date.now() / 1000);
  if (
    (waId !== undefined && typeof waId !== "string") ||
    (userId !== undefined && typeof userId !== "string") ||
    (waId === undefined && userId === undefined) ||
    (value !== "stop" && value !== "resume") ||
    typeof timestamp !== "number"
  )
    return problem(c, 'expected {wa_id?, user_id?, value: "stop"|"resume", timestamp?: <unix s>}');
  const number = numberStub(c.env, id);
  const config = await number.getConfig(id);
  if (!config) return problem(c, "unknown phone number id", 404);
  const who = {
    ...(waId !== undefined ? { wa_id: waId } : {}),
    ...(userId !== undefined ? { user_id: userId } : {}),
  };
  const webhook = await number.emit("user_preferences", {
    messaging_product: "whatsapp",
    metadata: { display_phone_number: config.display_phone_number, phone_number_id: id },
    contacts: [{ profile: { name: "Sandbox User" }, ...who }],
    user_preferences: [
      {
        ...who,
        detail:
          value === "stop"
            ? "User requested to stop marketing messages"
            : "User requested to resume marketing messages",
        category: "marketing_messages",
        value,
        timestamp,
      },
    ],
  });
  return c.json({ webhook });
});

/**
 * W18: a person writes to the number: a text (`text`), or a quick-reply tap
 * (`button: {text, payload}`), from a phone (`from`), a business-scoped user
 * id (`from_user_id`, 2026: Meta may send it with no `from`), or both;
 * `context_id` is the wamid it answers. A signed `messages` webhook.
 */
app.post("/__sandbox/numbers/:id/inbound", async (c) => {
  const id = c.req.param("id");
  const body = await jsonBody(c);
  const from = field(body, "from");
  const userId = field(body, "from_user_id");
  const text = field(body, "text");
  const button = field(body, "button");
  const contextId = field(body, "context_id");
  const timestamp = field(body, "timestamp") ?? Math.floor(Date.now() / 1000);
  const isText = (v: unknown) => typeof v === "string" && v !== "";
  const tap =
    typeof button === "object" && button !== null ? (button as Record<string, unknown>) : undefined;
  if (
    (from !== undefined && (!isText(from) || !/^\d{5,15}$/.test(String(from)))) ||
    (userId !== undefined && (!isText(userId) || !BUSINESS_USER_ID.test(String(userId)))) ||
    (from === undefined && userId === undefined) ||
    (text === undefined) === (button === undefined) ||
    (text !== undefined && !isText(text)) ||
    (button !== undefined && (!tap || !isText(tap.text) || !isText(tap.payload))) ||
    (contextId !== undefined && !isText(contextId)) ||
    typeof timestamp !== "number"
  )
    return problem(
      c,
      "expected {from?: <digits>, from_user_id?: <CC.id>, text | button: {text, payload}, context_id?, timestamp?: <unix s>} with from or from_user_id",
    );
  const number = numberStub(c.env, id);
  const config = await number.getConfig(id);
  if (!config) return problem(c, "unknown phone number id", 404);
  const who = {
    ...(from !== undefined ? { wa_id: from } : {}),
    ...(userId !== undefined ? { user_id: userId } : {}),
  };
  const message = {
    ...(from !== undefined ? { from } : {}),
    ...(userId !== undefined ? { from_user_id: userId } : {}),
    id: newWamid(),
    timestamp: String(timestamp),
    ...(tap
      ? { type: "button", button: { text: tap.text, payload: tap.payload } }
      : { type: "text", text: { body: text } }),
    ...(contextId !== undefined
      ? { context: { from: config.display_phone_number, id: contextId } }
      : {}),
  };
  return c.json(await number.inbound({ profile: { name: "Sandbox User" }, ...who }, message));
});

/**
 * W6: Meta changed the portfolio's messaging limit: a signed
 * `business_capability_update` webhook, the limit as given (a TIER_* string or a number).
 */
app.post("/__sandbox/numbers/:id/capability", async (c) => {
  const id = c.req.param("id");
  const body = await jsonBody(c);
  const limit = field(body, "max_daily_conversations_per_business");
  const perPhone = field(body, "max_daily_conversation_per_phone");
  if (
    (typeof limit !== "string" && typeof limit !== "number") ||
    (perPhone !== undefined && typeof perPhone !== "number")
  )
    return problem(
      c,
      "expected {max_daily_conversations_per_business: TIER_* | number, max_daily_conversation_per_phone?: number}",
    );
  const number = numberStub(c.env, id);
  if (!(await number.getConfig(id))) return problem(c, "unknown phone number id", 404);
  const webhook = await number.emit("business_capability_update", {
    max_daily_conversations_per_business: limit,
    ...(perPhone !== undefined ? { max_daily_conversation_per_phone: perPhone } : {}),
  });
  return c.json({ webhook });
});

const QUALITY_SCORES = ["GREEN", "YELLOW", "RED", "UNKNOWN"] as const;

/** W9: Meta re-rated a template: a signed `message_template_quality_update` webhook. */
app.post("/__sandbox/templates/quality", async (c) => {
  const body = await jsonBody(c);
  const id = field(body, "phone_number_id");
  const name = field(body, "name");
  const language = field(body, "language");
  const score = QUALITY_SCORES.find((q) => q === field(body, "new_quality_score"));
  const previous = field(body, "previous_quality_score") ?? "GREEN";
  if (
    typeof id !== "string" ||
    typeof name !== "string" ||
    typeof language !== "string" ||
    !score ||
    typeof previous !== "string"
  )
    return problem(
      c,
      `expected {phone_number_id, name, language, new_quality_score: ${QUALITY_SCORES.join("|")}, previous_quality_score?}`,
    );
  const number = numberStub(c.env, id);
  const config = await number.getConfig(id);
  if (!config) return problem(c, "unknown phone number id", 404);
  const current = wabaTemplates(await registryStub(c.env).customTemplates(config.waba_id)).find(
    (t) => t.name === name && t.language === language,
  );
  if (!current)
    return problem(c, `no template ${name} (${language}) in WABA ${config.waba_id}`, 404);
  const webhook = await number.emit("message_template_quality_update", {
    previous_quality_score: previous,
    new_quality_score: score,
    message_template_id: Number(current.id),
    message_template_name: name,
    message_template_language: language,
  });
  return c.json({ webhook });
});

const CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;

/**
 * A template of a number's WABA, to change as Meta would (W14, template
 * status): `replace` stores the new version and makes every number of the
 * WABA read templates again.
 */
async function numberTemplate(env: SandboxEnv, id: string, name: string, language: string) {
  const number = numberStub(env, id);
  const config = await number.getConfig(id);
  if (!config) return { ok: false as const, missing: "unknown phone number id" };
  const registry = registryStub(env);
  const current = wabaTemplates(await registry.customTemplates(config.waba_id)).find(
    (t) => t.name === name && t.language === language,
  );
  if (!current)
    return {
      ok: false as const,
      missing: `no template ${name} (${language}) in WABA ${config.waba_id}`,
    };
  const replace = async (next: typeof current) => {
    const stale = await registry.addTemplate(config.waba_id, next);
    await Promise.all(stale.map((n) => numberStub(env, n).forgetTemplates()));
  };
  return { ok: true as const, number, current, replace };
}

/**
 * W14: Meta recategorised a template: its category changes in the WABA and a
 * signed `template_category_update` webhook goes through the number's path.
 */
app.post("/__sandbox/templates/category", async (c) => {
  const body = await jsonBody(c);
  const id = field(body, "phone_number_id");
  const name = field(body, "name");
  const language = field(body, "language");
  const category = CATEGORIES.find((k) => k === field(body, "new_category"));
  if (
    typeof id !== "string" ||
    typeof name !== "string" ||
    typeof language !== "string" ||
    !category
  )
    return problem(
      c,
      `expected {phone_number_id, name, language, new_category: ${CATEGORIES.join("|")}}`,
    );
  const found = await numberTemplate(c.env, id, name, language);
  if (!found.ok) return problem(c, found.missing, 404);
  const { number, current } = found;
  await found.replace({ ...current, category });
  const webhook = await number.emit("template_category_update", {
    message_template_id: Number(current.id),
    message_template_name: name,
    message_template_language: language,
    previous_category: current.category.toUpperCase(),
    new_category: category,
  });
  return c.json({ template: { ...current, category }, webhook });
});

const TEMPLATE_EVENTS = ["PAUSED", "DISABLED", "APPROVED", "REINSTATED"] as const;

/** Meta paused, disabled or reinstated a template of the number's WABA: it changes, and the webhook goes. */
app.post("/__sandbox/templates/status", async (c) => {
  const body = await jsonBody(c);
  const id = field(body, "phone_number_id");
  const name = field(body, "name");
  const language = field(body, "language");
  const event = TEMPLATE_EVENTS.find((e) => e === field(body, "event"));
  if (typeof id !== "string" || typeof name !== "string" || typeof language !== "string" || !event)
    return problem(
      c,
      `expected {phone_number_id, name, language, event: ${TEMPLATE_EVENTS.join("|")}, reason?}`,
    );
  const found = await numberTemplate(c.env, id, name, language);
  if (!found.ok) return problem(c, found.missing, 404);
  const { number, current } = found;
  const status = event === "REINSTATED" ? "APPROVED" : event;
  await found.replace({ ...current, status });
  const reason = field(body, "reason");
  const webhook = await number.emit("message_template_status_update", {
    event,
    message_template_id: Number(current.id),
    message_template_name: name,
    message_template_language: language,
    reason: typeof reason === "string" && reason ? reason : "NONE",
    ...(event === "PAUSED"
      ? {
          other_info: {
            title: "FIRST_PAUSE",
            description:
              "Your message template has been paused for 3 hours until 2026-11-23 because it continued to have issues.",
          },
        }
      : {}),
  });
  return c.json({ template: { ...current, status }, webhook });
});

// ---- configuration and inspection -----------------------------------------------------------

app.get("/__sandbox/numbers/:id", async (c) => {
  const config = await numberStub(c.env, c.req.param("id")).getConfig(c.req.param("id"));
  return config ? c.json(config) : problem(c, "unknown phone number id", 404);
});

app.post("/__sandbox/numbers/:id", async (c) => {
  const id = c.req.param("id");
  const result = await numberStub(c.env, id).configure(id, await jsonBody(c));
  if ("error" in result) return problem(c, result.error);
  const { config } = result;
  await registryStub(c.env).register(id, config.waba_id, config.access_token);
  return c.json(config);
});

app.post("/__sandbox/numbers/:id/webhooks/drain", async (c) => {
  const id = c.req.param("id");
  const deliveries = await numberStub(c.env, id).drain(id, c.req.query("all") === "true");
  return deliveries ? c.json({ deliveries }) : problem(c, "unknown phone number id", 404);
});

app.get("/__sandbox/messages", async (c) => {
  const one = c.req.query("phone_number_id");
  const to = c.req.query("to") ?? null;
  const ids = one ? [one] : await registryStub(c.env).numbers();
  const each = await Promise.all(ids.map((id) => numberStub(c.env, id).messages(id, to)));
  if (one && !each[0]) return problem(c, "unknown phone number id", 404);
  return c.json({
    messages: each.flatMap((m) =>
      (m?.messages ?? []).map(({ components_json, ...rest }) => ({
        ...rest,
        components: components_json === null ? null : JSON.parse(components_json),
      })),
    ),
    attempts: each.flatMap((m) => m?.attempts ?? []),
  });
});

app.get("/__sandbox/stats", async (c) => {
  const one = c.req.query("phone_number_id");
  const ids = one ? [one] : await registryStub(c.env).numbers();
  const numbers = await Promise.all(ids.map((id) => numberStub(c.env, id).statistics(id)));
  if (one && !numbers[0]) return problem(c, "unknown phone number id", 404);
  return c.json({ numbers: numbers.filter((n) => n !== null) });
});

app.get("/__sandbox/templates", async (c) => {
  const wabaId = c.req.query("waba_id");
  if (!wabaId) return problem(c, "waba_id is required");
  return c.json({ data: wabaTemplates(await registryStub(c.env).customTemplates(wabaId)) });
});

app.post("/__sandbox/templates", async (c) => {
  const body = await jsonBody(c);
  const wabaId = field(body, "waba_id");
  if (typeof wabaId !== "string" || !/^\d+$/.test(wabaId))
    return problem(c, "expected {waba_id: digits, template: {name, language, components, …}}");
  const template = parseTemplate(field(body, "template"));
  if (typeof template === "string") return problem(c, template);
  const stale = await registryStub(c.env).addTemplate(wabaId, template);
  await Promise.all(stale.map((id) => numberStub(c.env, id).forgetTemplates()));
  return c.json(template);
});

// ---- receivers: a customer's callback endpoint, for Chorus's status callbacks --------------

app.post("/__sandbox/receivers/:name/config", async (c) => {
  const body = await jsonBody(c);
  const failNext = field(body, "fail_next");
  const failStatus = field(body, "fail_status") ?? 503;
  if (typeof failNext !== "number" || typeof failStatus !== "number" || failNext < 0)
    return problem(c, "expected {fail_next: n ≥ 0, fail_status?: http status}");
  await registryStub(c.env).configureReceiver(c.req.param("name"), failNext, failStatus);
  return c.json({ name: c.req.param("name"), fail_next: failNext, fail_status: failStatus });
});

app.post("/__sandbox/receivers/:name", async (c) => {
  const headers: Record<string, string> = {};
  for (const key of ["content-type", "chorus-signature", "chorus-event-id", "chorus-delivery-id"]) {
    const value = c.req.header(key);
    if (value !== undefined) headers[key] = value;
  }
  const status = await registryStub(c.env).receive(
    c.req.param("name"),
    headers,
    await c.req.text(),
  );
  return c.json({ received: status === 200 }, status as 200);
});

app.get("/__sandbox/receivers/:name", async (c) =>
  c.json({ posts: await registryStub(c.env).receiverPosts(c.req.param("name")) }),
);

app.post("/__sandbox/reset", async (c) => {
  const one = c.req.query("phone_number_id");
  if (one) {
    // One number: its messages, counters and outbox; the demo number's settings too.
    await numberStub(c.env, one).reset(isDemo(one));
    return c.json({ reset: [one] });
  }
  const ids = await registryStub(c.env).resetAll();
  await Promise.all(ids.map((id) => numberStub(c.env, id).reset(true)));
  return c.json({ reset: ids });
});

// The dispatch benchmark runs the API behind the sandbox in one process: what
// is not the sandbox's goes on to it (PASS_THROUGH is bound only there).
app.notFound((c) =>
  c.env.PASS_THROUGH
    ? c.env.PASS_THROUGH.fetch(c.req.raw)
    : errorResponse(ERRORS.unknownPath(c.req.path)),
);

app.onError((err) => {
  console.error("sandbox error", err);
  return errorResponse({ ...ERRORS.unavailable(), details: `Sandbox error: ${String(err)}` });
});

export default app;
