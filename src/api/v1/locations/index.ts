/**
 * /v1/locations: an account's places. A location may name the sender its
 * broadcasts go from; contacts, segments, classes and senders may belong to one.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { audienceWriter } from "../../../db/audience-store";
import { database } from "../../../db/client";
import {
  deleteUnreferencedLocation,
  getLocation,
  insertLocation,
  listLocations,
  locationSenderCount,
  type NewLocation,
  unknownLocationIds,
  updateLocation,
} from "../../../db/locations";
import { getSender } from "../../../db/senders";
import { badRequest, conflict, notFound } from "../../../errors";
import {
  audienceMovingResponse,
  conflictResponse,
  errorResponses,
  IdParam,
  jsonBody,
  jsonContent,
} from "../../openapi";
import { listPage } from "../list-page";
import {
  LocationListQuery,
  LocationSchema,
  LocationUpdateSchema,
  LocationWriteSchema,
  toLocationJson,
} from "./schemas";

const tags = ["locations"];
const security = [{ apiKey: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/locations",
  operationId: "v1.locations.list",
  tags,
  security,
  summary: "List locations",
  request: { query: LocationListQuery },
  responses: {
    200: jsonContent(
      z.array(LocationSchema),
      "Locations, oldest first; the total is in X-Total-Count",
    ),
    ...errorResponses,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/locations",
  operationId: "v1.locations.create",
  tags,
  security,
  summary: "Create a location",
  request: { body: jsonBody(LocationWriteSchema) },
  responses: { 201: jsonContent(LocationSchema, "Created"), ...errorResponses },
});

const get = createRoute({
  method: "get",
  path: "/v1/locations/{id}",
  operationId: "v1.locations.get",
  tags,
  security,
  summary: "Get a location",
  request: { params: IdParam },
  responses: { 200: jsonContent(LocationSchema, "The location"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/locations/{id}",
  operationId: "v1.locations.update",
  tags,
  security,
  summary: "Update a location (only the fields given)",
  request: { params: IdParam, body: jsonBody(LocationUpdateSchema) },
  responses: { 200: jsonContent(LocationSchema, "Updated"), ...errorResponses },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/locations/{id}",
  operationId: "v1.locations.delete",
  tags,
  security,
  summary: "Delete a location (409 while contacts, senders, segments or classes reference it)",
  request: { params: IdParam },
  responses: {
    200: jsonContent(z.object({ success: z.literal(true) }), "Deleted"),
    ...errorResponses,
    ...audienceMovingResponse,
    ...conflictResponse,
  },
});

export function registerLocationRoutes(app: App) {
  app.openapi(list, async (c) =>
    c.json(
      await listPage(
        c,
        c.req.valid("query"),
        (accountId, filter, limit, offset) =>
          listLocations(database(c.env.DB), accountId, filter, limit, offset),
        toLocationJson,
      ),
      200,
    ),
  );

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const db = database(c.env.DB);
    if (body.sender && !(await getSender(db, accountId, body.sender.id))) {
      throw badRequest(
        "Invalid request body",
        `sender.id: no sender ${body.sender.id} in this account`,
      );
    }
    const location = await insertLocation(db, {
      accountId,
      name: body.name,
      timezone: body.timezone,
      senderId: body.sender?.id ?? null,
    });
    return c.json(toLocationJson(location), 201);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const location = await getLocation(database(c.env.DB), c.get("account").accountId, id);
    if (!location) throw notFound(`No location ${id}`);
    return c.json(toLocationJson(location), 200);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const db = database(c.env.DB);
    if (!(await getLocation(db, accountId, id))) throw notFound(`No location ${id}`);
    if (body.sender && !(await getSender(db, accountId, body.sender.id))) {
      throw badRequest(
        "Invalid request body",
        `sender.id: no sender ${body.sender.id} in this account`,
      );
    }
    const patch: Partial<NewLocation> = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.timezone !== undefined) patch.timezone = body.timezone;
    if (body.sender !== undefined) patch.senderId = body.sender?.id ?? null;
    const location = await updateLocation(db, accountId, id, patch);
    if (!location) throw notFound(`No location ${id}`);
    return c.json(toLocationJson(location), 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    const { accountId } = c.get("account");
    const db = database(c.env.DB);
    // The audience may be in the account's own store, where no foreign key
    // reaches this D1 row: its references are checked there first, and a
    // row that came to name the location meanwhile is cleared after (SET NULL).
    const audience = await audienceWriter(c.env, accountId);
    const inUse = async () => {
      const refs = {
        ...(await audience.locationReferences(accountId, id)),
        senders: await locationSenderCount(db, accountId, id),
      };
      const named = Object.entries(refs)
        .filter(([, n]) => n > 0)
        .map(([what, n]) => `${n} ${n === 1 ? what.replace(/e?s$/, "") : what}`);
      return conflict(
        "Location in use",
        `Location ${id} is referenced by ${named.join(", ") || "other resources"}; move or delete them first`,
      );
    };
    const held = await audience.locationReferences(accountId, id);
    if (held.contacts + held.segments + held.classes > 0) {
      if (!(await getLocation(db, accountId, id))) throw notFound(`No location ${id}`);
      throw await inUse();
    }
    const outcome = await deleteUnreferencedLocation(db, accountId, id);
    if (outcome === "missing") throw notFound(`No location ${id}`);
    if (outcome === "referenced") throw await inUse();
    await audience.clearLocation(accountId, id);
    return c.json({ success: true as const }, 200);
  });
}

/**
 * For the audience resources: a `location{id}` (or `locationId` filter) must be
 * a location of the caller's account, else a 400 naming the field.
 */
export async function ensureLocation(
  d1: D1Database,
  accountId: string,
  locationId: string,
  field: "location.id" | "locationId",
) {
  if ((await unknownLocationIds(d1, accountId, [locationId])).length > 0) {
    throw badRequest(
      field === "locationId" ? "Invalid query" : "Invalid request body",
      `${field}: no location ${locationId} in this account`,
    );
  }
}
