/**
 * /v1/senders: an account's WhatsApp business numbers. The access token is
 * write-only: encrypted before it is stored, and never part of a response.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { database } from "../../../db/client";
import {
  deleteSender,
  findSenderByPhone,
  getSender,
  insertSender,
  listSenders,
  locationExists,
  type NewSender,
  updateSender,
} from "../../../db/senders";
import { badRequest, conflict, notFound } from "../../../errors";
import { encryptAccessToken } from "../../../whatsapp/access-token";
import {
  conflictResponse,
  errorResponses,
  IdParam,
  jsonBody,
  jsonContent,
  PageQuery,
} from "../../openapi";
import { SenderSchema, SenderUpdateSchema, SenderWriteSchema, toSenderJson } from "./schemas";

const tags = ["senders"];
const security = [{ apiKey: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/senders",
  operationId: "v1.senders.list",
  tags,
  security,
  summary: "List senders",
  request: { query: PageQuery },
  responses: {
    200: jsonContent(z.array(SenderSchema), "Senders; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/senders",
  operationId: "v1.senders.create",
  tags,
  security,
  summary: "Register a sender",
  request: { body: jsonBody(SenderWriteSchema) },
  responses: { 201: jsonContent(SenderSchema, "Created"), ...errorResponses, ...conflictResponse },
});

const get = createRoute({
  method: "get",
  path: "/v1/senders/{id}",
  operationId: "v1.senders.get",
  tags,
  security,
  summary: "Get a sender",
  request: { params: IdParam },
  responses: { 200: jsonContent(SenderSchema, "The sender"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/senders/{id}",
  operationId: "v1.senders.update",
  tags,
  security,
  summary: "Update a sender",
  request: { params: IdParam, body: jsonBody(SenderUpdateSchema) },
  responses: { 200: jsonContent(SenderSchema, "Updated"), ...errorResponses, ...conflictResponse },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/senders/{id}",
  operationId: "v1.senders.delete",
  tags,
  security,
  summary: "Delete a sender",
  request: { params: IdParam },
  responses: {
    200: jsonContent(z.object({ success: z.literal(true) }), "Deleted"),
    ...errorResponses,
  },
});

export function registerSenderRoutes(app: App) {
  app.openapi(list, async (c) => {
    const { limit, page } = c.req.valid("query");
    const { rows, total } = await listSenders(
      database(c.env.DB),
      c.get("account").accountId,
      limit,
      (page - 1) * limit,
    );
    c.header("X-Total-Count", String(total));
    return c.json(rows.map(toSenderJson), 200);
  });

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const db = database(c.env.DB);
    if (body.location && !(await locationExists(db, accountId, body.location.id))) {
      throw badRequest(
        "Invalid request body",
        `location.id: no location ${body.location.id} in this account`,
      );
    }
    if (await findSenderByPhone(db, accountId, body.phoneNumber)) {
      throw conflict(
        "Sender already exists",
        `phoneNumber: ${body.phoneNumber} is already a sender of this account`,
      );
    }
    const sender = await insertSender(db, {
      accountId,
      phoneNumber: body.phoneNumber,
      phoneNumberId: body.phoneNumberId,
      wabaId: body.wabaId,
      accessTokenEnc: await encryptAccessToken(body.accessToken, c.env.TOKEN_ENCRYPTION_KEY),
      throughputMps: body.throughputMps,
      marketingApi: body.marketingApi,
      marketingProductPolicy: body.productPolicy,
      marketingActivitySharing: body.messageActivitySharing,
      messagingLimit: body.messagingLimit ?? null,
      isDefault: body.isDefault,
      locationId: body.location?.id ?? null,
    });
    return c.json(toSenderJson(sender), 201);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const sender = await getSender(database(c.env.DB), c.get("account").accountId, id);
    if (!sender) throw notFound(`No sender ${id}`);
    return c.json(toSenderJson(sender), 200);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const db = database(c.env.DB);
    const current = await getSender(db, accountId, id);
    if (!current) throw notFound(`No sender ${id}`);
    if (body.location && !(await locationExists(db, accountId, body.location.id))) {
      throw badRequest(
        "Invalid request body",
        `location.id: no location ${body.location.id} in this account`,
      );
    }
    if (body.phoneNumber && body.phoneNumber !== current.phoneNumber) {
      if (await findSenderByPhone(db, accountId, body.phoneNumber)) {
        throw conflict(
          "Sender already exists",
          `phoneNumber: ${body.phoneNumber} is already a sender of this account`,
        );
      }
    }
    const patch: Partial<NewSender> = {
      phoneNumber: body.phoneNumber,
      phoneNumberId: body.phoneNumberId,
      wabaId: body.wabaId,
      throughputMps: body.throughputMps,
      marketingApi: body.marketingApi,
      marketingProductPolicy: body.productPolicy,
      marketingActivitySharing: body.messageActivitySharing,
      messagingLimit: body.messagingLimit,
      isDefault: body.isDefault,
    };
    if (body.accessToken !== undefined) {
      patch.accessTokenEnc = await encryptAccessToken(body.accessToken, c.env.TOKEN_ENCRYPTION_KEY);
    }
    if (body.location !== undefined) patch.locationId = body.location?.id ?? null;
    for (const key of Object.keys(patch) as (keyof NewSender)[]) {
      if (patch[key] === undefined) delete patch[key];
    }
    const sender = await updateSender(db, accountId, id, patch);
    if (!sender) throw notFound(`No sender ${id}`);
    return c.json(toSenderJson(sender), 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteSender(database(c.env.DB), c.get("account").accountId, id)))
      throw notFound(`No sender ${id}`);
    return c.json({ success: true as const }, 200);
  });
}
