/**
 * The WhatsApp sandbox: a fake of Meta's Cloud API for dev, tests and
 * benchmarks. See sandbox/README.md for the routes, the numbered behaviours
 * and fault injection. Never deployed with Chorus.
 */
import { Hono } from "hono";
import { ERRORS, errorResponse } from "./errors";
import { type SandboxEnv, SandboxNumberDO } from "./number-do";
import { SandboxRegistryDO } from "./registry-do";
import { BUILT_IN_TEMPLATES, type SandboxTemplate } from "./templates";

export { SandboxNumberDO, SandboxRegistryDO };

const app = new Hono<{ Bindings: SandboxEnv }>();

const numberStub = (env: SandboxEnv, id: string) =>
  env.SANDBOX_NUMBER.get(env.SANDBOX_NUMBER.idFromName(id));
const registry = (env: SandboxEnv) =>
  env.SANDBOX_REGISTRY.get(env.SANDBOX_REGISTRY.idFromName("registry"));

app.get("/", (c) =>
  c.json({
    sandbox: "WhatsApp Cloud API (fake)",
    routes: [
      "POST /{version}/{phone-number-id}/messages",
      "GET /{version}/{waba-id}/message_templates",
      "POST /__sandbox/numbers/{phone-number-id}",
      "GET /__sandbox/numbers/{phone-number-id}",
      "POST /__sandbox/numbers/{phone-number-id}/webhooks/drain[?all=true]",
      "GET /__sandbox/messages?phone_number_id=&to=",
      "GET /__sandbox/stats[?phone_number_id=]",
      "POST /__sandbox/templates",
      "POST /__sandbox/reset[?phone_number_id=]",
    ],
  }),
);

// ---- inspection and configuration (for people, tests and benchmarks) ----------

app.post("/__sandbox/numbers/:id", async (c) => {
  const id = c.req.param("id");
  const patch = await c.req.json().catch(() => ({}));
  const cfg = await numberStub(c.env, id).configure(
    id,
    typeof patch === "object" && patch ? patch : {},
  );
  await registry(c.env).register(id, cfg.waba_id, cfg.access_token);
  return c.json(cfg);
});

app.get("/__sandbox/numbers/:id", async (c) => {
  const id = c.req.param("id");
  const cfg = await numberStub(c.env, id).config(id);
  return cfg ? c.json(cfg) : c.json({ error: "unknown number" }, 404);
});

app.post("/__sandbox/numbers/:id/webhooks/drain", async (c) => {
  const id = c.req.param("id");
  const deliveries = await numberStub(c.env, id).drain(id, c.req.query("all") === "true");
  return c.json({ deliveries });
});

app.get("/__sandbox/messages", async (c) => {
  const id = c.req.query("phone_number_id");
  if (!id) return c.json({ error: "phone_number_id is required" }, 400);
  return c.json({ messages: await numberStub(c.env, id).messages(c.req.query("to") ?? null) });
});

app.get("/__sandbox/stats", async (c) => {
  const one = c.req.query("phone_number_id");
  const ids = one ? [one] : await registry(c.env).numbers();
  const numbers = await Promise.all(ids.map((id) => numberStub(c.env, id).statistics(id)));
  return c.json({ numbers });
});

app.post("/__sandbox/templates", async (c) => {
  const body = (await c.req.json().catch(() => null)) as {
    waba_id?: string;
    template?: SandboxTemplate;
  } | null;
  const t = body?.template;
  if (!body?.waba_id || !t?.name || !t.language || !Array.isArray(t.components)) {
    return c.json(
      { error: "expected {waba_id, template: {name, language, status, category, components}}" },
      400,
    );
  }
  const template: SandboxTemplate = {
    id: t.id ?? String(Date.now()),
    name: t.name,
    language: t.language,
    status: t.status ?? "APPROVED",
    category: t.category ?? "MARKETING",
    parameter_format: t.parameter_format ?? "POSITIONAL",
    components: t.components,
  };
  await registry(c.env).addTemplate(body.waba_id, template);
  return c.json(template);
});

app.post("/__sandbox/reset", async (c) => {
  const one = c.req.query("phone_number_id");
  if (one) {
    await numberStub(c.env, one).reset(false);
    return c.json({ reset: [one] });
  }
  const ids = await registry(c.env).numbers();
  await Promise.all(ids.map((id) => numberStub(c.env, id).reset(true)));
  await Promise.all(ids.map((id) => registry(c.env).forget(id)));
  await registry(c.env).clearTemplates();
  return c.json({ reset: ids });
});

// ---- the Cloud API ---------------------------------------------------------------

app.post("/:version/:phoneNumberId/messages", async (c) => {
  const id = c.req.param("phoneNumberId");
  let payload: unknown;
  try {
    payload = await c.req.json();
  } catch {
    return errorResponse(ERRORS.invalidParameter("The request body is not valid JSON"));
  }
  const answer = await numberStub(c.env, id).send(
    id,
    c.req.header("authorization") ?? null,
    payload,
  );
  return new Response(answer.body, {
    status: answer.status,
    headers: { "content-type": "application/json" },
  });
});

app.get("/:version/:wabaId/message_templates", async (c) => {
  const wabaId = c.req.param("wabaId");
  const tokens = await registry(c.env).wabaTokens(wabaId);
  if (tokens.length === 0) return errorResponse(ERRORS.unknownObject(wabaId));
  if (!tokens.some((t) => c.req.header("authorization") === `Bearer ${t}`))
    return errorResponse(ERRORS.badToken());
  const all = [...(await registry(c.env).customTemplates(wabaId)), ...BUILT_IN_TEMPLATES];
  const limit = Math.min(Math.max(Number(c.req.query("limit") ?? 25) || 25, 1), 1000);
  const after = Number(c.req.query("after") ? atob(c.req.query("after") ?? "") : 0) || 0;
  const data = all.slice(after, after + limit);
  const cursor = (n: number) => btoa(String(n));
  const paging: Record<string, unknown> = {
    cursors: { before: cursor(after), after: cursor(after + data.length) },
  };
  if (after + data.length < all.length) {
    const next = new URL(c.req.url);
    next.searchParams.set("limit", String(limit));
    next.searchParams.set("after", cursor(after + data.length));
    paging.next = next.toString();
  }
  return c.json({ data, paging });
});

app.notFound((c) =>
  errorResponse(ERRORS.invalidParameter(`Unknown path ${c.req.method} ${c.req.path}`)),
);

export default app;
