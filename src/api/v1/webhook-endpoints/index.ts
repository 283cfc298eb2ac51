/**
 * /v1/webhook-endpoints: where Chorus pushes recipient status changes,
 * replies and broadcast ends (status callbacks); their secrets, their
 * delivery log, and a replay. Also the account's secret for broadcasts' own
 * status_callback_url.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { getDelivery, listDeliveries, recordAttempt } from "../../../db/callback-deliveries";
import { database } from "../../../db/client";
import {
  accountCallbackSecret,
  deleteEndpoint,
  getEndpoint,
  insertEndpoint,
  listEndpoints,
  updateEndpoint,
} from "../../../db/webhook-endpoints";
import { newCallbackSecret } from "../../../domain/callbacks";
import { bodyAgedOut, CALLBACK_REPLAY_DAYS } from "../../../domain/delivery-log";
import { conflict, gone, notFound } from "../../../errors";
import { attempt } from "../../../queues/callbacks";
import { encryptAccessToken } from "../../../whatsapp/access-token";
import { checkCallbackUrl } from "../../callback-url";
import {
  errorResponse,
  errorResponses,
  IdParam,
  jsonBody,
  jsonContent,
  PageQuery,
} from "../../openapi";
import {
  DeliverySchema,
  EndpointCreateSchema,
  EndpointSchema,
  EndpointUpdateSchema,
  EndpointWithSecretSchema,
  toDeliveryJson,
  toEndpointJson,
} from "./schemas";

const tags = ["webhook-endpoints"];
const security = [{ apiKey: [] }];
const SecretSchema = z.object({ secret: z.string() }).openapi("CallbackSecret");

const list = createRoute({
  method: "get",
  path: "/v1/webhook-endpoints",
  operationId: "v1.webhookEndpoints.list",
  tags,
  security,
  summary: "List the account's callback endpoints",
  request: { query: PageQuery },
  responses: {
    200: jsonContent(z.array(EndpointSchema), "Endpoints; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/webhook-endpoints",
  operationId: "v1.webhookEndpoints.create",
  tags,
  security,
  summary: "Subscribe an endpoint to events (its signing secret is shown once)",
  description:
    "Events: recipient.status, recipient.replied, broadcast.completed, broadcast.cancelled. https only in production.",
  request: { body: jsonBody(EndpointCreateSchema) },
  responses: { 201: jsonContent(EndpointWithSecretSchema, "Created"), ...errorResponses },
});

const get = createRoute({
  method: "get",
  path: "/v1/webhook-endpoints/{id}",
  operationId: "v1.webhookEndpoints.get",
  tags,
  security,
  summary: "One endpoint",
  request: { params: IdParam },
  responses: { 200: jsonContent(EndpointSchema, "The endpoint"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/webhook-endpoints/{id}",
  operationId: "v1.webhookEndpoints.update",
  tags,
  security,
  summary: "Change an endpoint's URL, events or status (only the fields given)",
  request: { params: IdParam, body: jsonBody(EndpointUpdateSchema) },
  responses: { 200: jsonContent(EndpointSchema, "Updated"), ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/webhook-endpoints/{id}",
  operationId: "v1.webhookEndpoints.delete",
  tags,
  security,
  summary: "Delete an endpoint (its pending deliveries are given up)",
  request: { params: IdParam },
  responses: {
    200: jsonContent(z.object({ success: z.literal(true) }), "Deleted"),
    ...errorResponses,
  },
});

const rotate = createRoute({
  method: "post",
  path: "/v1/webhook-endpoints/{id}/rotate-secret",
  operationId: "v1.webhookEndpoints.rotateSecret",
  tags,
  security,
  summary: "Replace the endpoint's signing secret (the new one is shown once)",
  request: { params: IdParam },
  responses: { 200: jsonContent(EndpointWithSecretSchema, "Rotated"), ...errorResponses },
});

const deliveries = createRoute({
  method: "get",
  path: "/v1/webhook-endpoints/{id}/deliveries",
  operationId: "v1.webhookEndpoints.deliveries.list",
  tags,
  security,
  summary: "The endpoint's delivery log, newest first",
  request: { params: IdParam, query: PageQuery },
  responses: {
    200: jsonContent(z.array(DeliverySchema), "Deliveries; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const replay = createRoute({
  method: "post",
  path: "/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/replay",
  operationId: "v1.webhookEndpoints.deliveries.replay",
  tags,
  security,
  summary: "Send a delivery again now (same events, signed anew)",
  description: `A delivery's body is kept ${CALLBACK_REPLAY_DAYS} days after it is made (CALLBACK_REPLAY_DAYS); past that a finished delivery is still listed but answers 410 here.`,
  request: { params: IdParam.extend({ deliveryId: z.string().min(1).max(100) }) },
  responses: {
    200: jsonContent(DeliverySchema, "The delivery after the attempt"),
    ...errorResponses,
    409: errorResponse("The endpoint is disabled: enable it before replaying"),
    410: errorResponse(
      `The delivery's body aged out (kept ${CALLBACK_REPLAY_DAYS} days after it was made): its events cannot be sent again`,
    ),
  },
});

const broadcastSecret = createRoute({
  method: "get",
  path: "/v1/webhook-endpoints/broadcast-secret",
  operationId: "v1.webhookEndpoints.broadcastSecret.get",
  tags,
  security,
  summary: "The secret that signs deliveries to broadcasts' own status_callback_url",
  responses: { 200: jsonContent(SecretSchema, "The secret"), ...errorResponses },
});

const rotateBroadcastSecret = createRoute({
  method: "post",
  path: "/v1/webhook-endpoints/broadcast-secret/rotate",
  operationId: "v1.webhookEndpoints.broadcastSecret.rotate",
  tags,
  security,
  summary: "Replace the status_callback_url signing secret",
  responses: { 200: jsonContent(SecretSchema, "The new secret"), ...errorResponses },
});

export function registerWebhookEndpointRoutes(app: App) {
  app.openapi(broadcastSecret, async (c) => {
    const secret = await accountCallbackSecret(
      c.env.DB,
      c.env.TOKEN_ENCRYPTION_KEY,
      c.get("account").accountId,
    );
    return c.json({ secret }, 200);
  });

  app.openapi(rotateBroadcastSecret, async (c) => {
    const secret = await accountCallbackSecret(
      c.env.DB,
      c.env.TOKEN_ENCRYPTION_KEY,
      c.get("account").accountId,
      true,
    );
    return c.json({ secret }, 200);
  });

  app.openapi(list, async (c) => {
    const { limit, page } = c.req.valid("query");
    const { rows, total } = await listEndpoints(
      database(c.env.DB),
      c.get("account").accountId,
      limit,
      (page - 1) * limit,
    );
    c.header("X-Total-Count", String(total));
    return c.json(rows.map(toEndpointJson), 200);
  });

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    checkCallbackUrl(c.env, body.url, "url");
    const secret = newCallbackSecret();
    const endpoint = await insertEndpoint(database(c.env.DB), {
      accountId: c.get("account").accountId,
      url: body.url,
      events: [...new Set(body.events)],
      secretEnc: await encryptAccessToken(secret, c.env.TOKEN_ENCRYPTION_KEY),
    });
    return c.json({ ...toEndpointJson(endpoint), secret }, 201);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const endpoint = await getEndpoint(database(c.env.DB), c.get("account").accountId, id);
    if (!endpoint) throw notFound(`No webhook endpoint ${id}`);
    return c.json(toEndpointJson(endpoint), 200);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    if (body.url !== undefined) checkCallbackUrl(c.env, body.url, "url");
    const endpoint = await updateEndpoint(database(c.env.DB), c.get("account").accountId, id, {
      ...(body.url !== undefined ? { url: body.url } : {}),
      ...(body.events !== undefined ? { events: JSON.stringify([...new Set(body.events)]) } : {}),
      ...(body.status !== undefined ? { status: body.status, failingSince: null } : {}),
    });
    if (!endpoint) throw notFound(`No webhook endpoint ${id}`);
    return c.json(toEndpointJson(endpoint), 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteEndpoint(database(c.env.DB), c.get("account").accountId, id)))
      throw notFound(`No webhook endpoint ${id}`);
    return c.json({ success: true as const }, 200);
  });

  app.openapi(rotate, async (c) => {
    const { id } = c.req.valid("param");
    const secret = newCallbackSecret();
    const endpoint = await updateEndpoint(database(c.env.DB), c.get("account").accountId, id, {
      secretEnc: await encryptAccessToken(secret, c.env.TOKEN_ENCRYPTION_KEY),
    });
    if (!endpoint) throw notFound(`No webhook endpoint ${id}`);
    return c.json({ ...toEndpointJson(endpoint), secret }, 200);
  });

  app.openapi(deliveries, async (c) => {
    const { id } = c.req.valid("param");
    const { limit, page } = c.req.valid("query");
    const { accountId } = c.get("account");
    const endpoint = await getEndpoint(database(c.env.DB), accountId, id);
    if (!endpoint) throw notFound(`No webhook endpoint ${id}`);
    const { rows, total } = await listDeliveries(
      c.env,
      accountId,
      endpoint,
      limit,
      (page - 1) * limit,
    );
    c.header("X-Total-Count", String(total));
    return c.json(rows.map(toDeliveryJson), 200);
  });

  app.openapi(replay, async (c) => {
    const { id, deliveryId } = c.req.valid("param");
    const { accountId } = c.get("account");
    const delivery = await getDelivery(c.env, accountId, deliveryId);
    if (!delivery || delivery.accountId !== accountId || delivery.endpointId !== id)
      throw notFound(`No delivery ${deliveryId} of webhook endpoint ${id}`);
    const endpoint = await getEndpoint(database(c.env.DB), accountId, id);
    if (!endpoint) throw notFound(`No webhook endpoint ${id}`);
    // Gone for good first: enabling the endpoint would not make it replayable.
    if (bodyAgedOut(delivery))
      throw gone(
        "Delivery body aged out",
        `deliveryId: its body was dropped ${CALLBACK_REPLAY_DAYS} days after it was made (${delivery.createdAt}); the delivery is still listed, its events cannot be sent again`,
      );
    if (endpoint.status === "disabled")
      throw conflict("Endpoint disabled", "status: enable it before replaying");
    // A replay is a fresh attempt: pending again, then tried now (retries follow as usual).
    await recordAttempt(c.env, accountId, delivery.id, { status: "pending", nextAttemptAt: null });
    await attempt(c.env, accountId, delivery.id);
    const after = await getDelivery(c.env, accountId, delivery.id);
    return c.json(toDeliveryJson(after ?? delivery), 200);
  });
}
