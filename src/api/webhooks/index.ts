/**
 * Meta's webhook endpoint. GET answers the verification handshake; POST
 * accepts events only with a valid X-Hub-Signature-256 over the raw body, and
 * answers 200 only once every event is on the events queue (a failure to
 * enqueue is a 5xx, so Meta retries: nothing is lost).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { ChorusError } from "../../errors";
import { splitEnvelope, verifySignature, type WebhookEvent } from "../../whatsapp/webhooks";
import { errorResponse, errorResponses } from "../openapi";

/** Meta's webhook bodies are a few KB; anything far above is not Meta. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;
/** Queue `sendBatch` takes at most 100 messages and 256 KB per call. */
const SEND_BATCH_MESSAGES = 100;
const SEND_BATCH_BYTES = 200 * 1024;

const verify = createRoute({
  method: "get",
  path: "/webhooks/whatsapp",
  operationId: "webhooks.whatsapp.verify",
  tags: ["webhooks"],
  security: [{ verifyToken: [] }],
  summary: "Meta's verification handshake",
  request: {
    query: z.object({
      "hub.mode": z.string().optional(),
      "hub.verify_token": z.string().optional(),
      "hub.challenge": z.string().optional(),
    }),
  },
  responses: {
    200: {
      description: "The challenge, echoed",
      content: { "text/plain": { schema: z.string() } },
    },
    400: errorResponses[400],
    403: errorResponse("hub.mode is not subscribe, or hub.verify_token does not match"),
  },
});

const receive = createRoute({
  method: "post",
  path: "/webhooks/whatsapp",
  operationId: "webhooks.whatsapp.receive",
  tags: ["webhooks"],
  security: [{ metaSignature: [] }],
  summary: "Meta's status and message events (signed with the app secret)",
  request: { headers: z.object({ "x-hub-signature-256": z.string().optional() }) },
  responses: {
    200: {
      description: "Queued",
      content: { "application/json": { schema: z.object({ received: z.number().int() }) } },
    },
    400: errorResponse("The signed body is not JSON"),
    401: errorResponse("X-Hub-Signature-256 is missing or does not match the body"),
  },
});

export function registerWebhookRoutes(app: App) {
  app.openapi(verify, (c) => {
    const q = c.req.valid("query");
    if (
      q["hub.mode"] === "subscribe" &&
      q["hub.verify_token"] === c.env.WEBHOOK_VERIFY_TOKEN &&
      q["hub.challenge"]
    ) {
      return c.text(q["hub.challenge"], 200);
    }
    throw new ChorusError("FORBIDDEN", "Verification failed", "hub.verify_token does not match");
  });

  app.openapi(receive, async (c) => {
    const declared = Number(c.req.header("content-length") ?? 0);
    if (declared > MAX_WEBHOOK_BYTES) throw tooLarge();
    const raw = await c.req.arrayBuffer();
    if (raw.byteLength > MAX_WEBHOOK_BYTES) throw tooLarge();
    if (
      !(await verifySignature(
        raw,
        c.req.header("x-hub-signature-256") ?? null,
        c.env.META_APP_SECRET,
      ))
    ) {
      throw new ChorusError(
        "UNAUTHORIZED",
        "Invalid signature",
        "X-Hub-Signature-256 is missing or does not match the body",
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      throw new ChorusError("BAD_REQUEST", "Invalid JSON body", "The signed body is not JSON");
    }
    const events = splitEnvelope(body);
    await enqueue(c.env.EVENTS, events);
    return c.json({ received: events.length }, 200);
  });
}

async function enqueue(queue: Queue, events: WebhookEvent[]): Promise<void> {
  let batch: MessageSendRequest<WebhookEvent>[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = JSON.stringify(event).length + 100;
    if (batch.length === SEND_BATCH_MESSAGES || bytes + size > SEND_BATCH_BYTES) {
      await queue.sendBatch(batch);
      batch = [];
      bytes = 0;
    }
    batch.push({ body: event });
    bytes += size;
  }
  if (batch.length > 0) await queue.sendBatch(batch);
}

function tooLarge() {
  return new ChorusError(
    "PAYLOAD_TOO_LARGE",
    "Request body too large",
    `Webhook bodies are limited to ${MAX_WEBHOOK_BYTES} bytes`,
  );
}
