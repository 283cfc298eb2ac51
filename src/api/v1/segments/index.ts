/**
 * /v1/segments: named sets of the account's contacts, and their members
 * (GET/POST/DELETE /v1/segments/{id}/contacts).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import type { AudienceOps } from "../../../db/audience-ops";
import { audienceStore, audienceWriter } from "../../../db/audience-store";
import type { NewSegment } from "../../../db/segments";
import type { Bindings } from "../../../env";
import { badRequest, notFound } from "../../../errors";
import {
  audienceMovingResponse,
  errorResponses,
  IdParam,
  jsonBody,
  jsonContent,
  PageQuery,
} from "../../openapi";
import { ContactSchema, toContactJson } from "../contacts/schemas";
import { listPage } from "../list-page";
import { ensureLocation } from "../locations";
import {
  ContactIdsSchema,
  MembersAddedSchema,
  MembersRemovedSchema,
  SegmentListQuery,
  SegmentSchema,
  SegmentUpdateSchema,
  SegmentWriteSchema,
  toSegmentJson,
} from "./schemas";

const tags = ["segments"];
const security = [{ apiKey: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/segments",
  operationId: "v1.segments.list",
  tags,
  security,
  summary: "List segments",
  description: "Oldest first. Filters: `locationId`, `searchText` (part of the name, any case).",
  request: { query: SegmentListQuery },
  responses: {
    200: jsonContent(z.array(SegmentSchema), "Segments; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/segments",
  operationId: "v1.segments.create",
  tags,
  security,
  summary: "Create a segment",
  request: { body: jsonBody(SegmentWriteSchema) },
  responses: {
    201: jsonContent(SegmentSchema, "Created"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/segments/{id}",
  operationId: "v1.segments.get",
  tags,
  security,
  summary: "Get a segment",
  request: { params: IdParam },
  responses: { 200: jsonContent(SegmentSchema, "The segment"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/segments/{id}",
  operationId: "v1.segments.update",
  tags,
  security,
  summary: "Update a segment (only the fields given)",
  request: { params: IdParam, body: jsonBody(SegmentUpdateSchema) },
  responses: {
    200: jsonContent(SegmentSchema, "Updated"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/segments/{id}",
  operationId: "v1.segments.delete",
  tags,
  security,
  summary: "Delete a segment (its contacts stay)",
  request: { params: IdParam },
  responses: {
    200: jsonContent(z.object({ success: z.literal(true) }), "Deleted"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

const members = createRoute({
  method: "get",
  path: "/v1/segments/{id}/contacts",
  operationId: "v1.segments.contacts.list",
  tags,
  security,
  summary: "List a segment's contacts",
  description: "In contact id order.",
  request: { params: IdParam, query: PageQuery },
  responses: {
    200: jsonContent(z.array(ContactSchema), "Contacts; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const addMembers = createRoute({
  method: "post",
  path: "/v1/segments/{id}/contacts",
  operationId: "v1.segments.contacts.add",
  tags,
  security,
  summary: "Add contacts to a segment (up to 1,000 per call)",
  description:
    "Contacts already in the segment stay. If any id is not a contact of this account, nothing is added and the answer is a 400 listing them.",
  request: { params: IdParam, body: jsonBody(ContactIdsSchema) },
  responses: {
    200: jsonContent(MembersAddedSchema, "Added"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

const removeMembers = createRoute({
  method: "delete",
  path: "/v1/segments/{id}/contacts",
  operationId: "v1.segments.contacts.remove",
  tags,
  security,
  summary: "Remove contacts from a segment (up to 1,000 per call)",
  description:
    "Contacts that are not in the segment are ignored. If any id is not a contact of this account, nothing is removed and the answer is a 400 listing them.",
  request: { params: IdParam, body: jsonBody(ContactIdsSchema) },
  responses: {
    200: jsonContent(MembersRemovedSchema, "Removed"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

async function ensureContacts(store: AudienceOps, accountId: string, contactIds: string[]) {
  const unknown = await store.unknownContactIds(accountId, contactIds);
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 20).join(", ");
    const more = unknown.length > 20 ? ` and ${unknown.length - 20} more` : "";
    throw badRequest(
      "Invalid request body",
      `contactIds: not contacts of this account: ${shown}${more}`,
    );
  }
}

/**
 * Adds or removes members: the segment must be the account's (else a 404)
 * and every id one of its contacts (else a 400 listing them, nothing changed).
 * Answers how many changed and the segment's size after.
 */
async function changeMembers(
  env: Bindings,
  accountId: string,
  id: string,
  contactIds: string[],
  change: "addSegmentContacts" | "removeSegmentContacts",
): Promise<{ changed: number; contactCount: number }> {
  const store = await audienceWriter(env, accountId);
  if (!(await store.getSegment(accountId, id))) throw notFound(`No segment ${id}`);
  await ensureContacts(store, accountId, contactIds);
  const changed = await store[change](accountId, id, contactIds);
  return { changed, contactCount: await store.segmentContactCount(accountId, id) };
}

export function registerSegmentRoutes(app: App) {
  app.openapi(list, async (c) => {
    const { ops } = await audienceStore(c.env, c.get("account").accountId);
    return c.json(await listPage(c, c.req.valid("query"), ops.listSegments, toSegmentJson), 200);
  });

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    if (body.location) await ensureLocation(c.env.DB, accountId, body.location.id, "location.id");
    const segment = await store.insertSegment(accountId, {
      name: body.name,
      locationId: body.location?.id ?? null,
    });
    return c.json(toSegmentJson(segment), 201);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const { accountId } = c.get("account");
    const segment = await (await audienceStore(c.env, accountId)).ops.getSegment(accountId, id);
    if (!segment) throw notFound(`No segment ${id}`);
    return c.json(toSegmentJson(segment), 200);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    if (!(await store.getSegment(accountId, id))) throw notFound(`No segment ${id}`);
    if (body.location) await ensureLocation(c.env.DB, accountId, body.location.id, "location.id");
    const patch: Partial<NewSegment> = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.location !== undefined) patch.locationId = body.location?.id ?? null;
    const segment = await store.updateSegment(accountId, id, patch);
    if (!segment) throw notFound(`No segment ${id}`);
    return c.json(toSegmentJson(segment), 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    if (!(await store.deleteSegment(accountId, id))) throw notFound(`No segment ${id}`);
    return c.json({ success: true as const }, 200);
  });

  app.openapi(members, async (c) => {
    const { id } = c.req.valid("param");
    const { limit, page } = c.req.valid("query");
    const { accountId } = c.get("account");
    const { ops } = await audienceStore(c.env, accountId);
    if (!(await ops.getSegment(accountId, id))) throw notFound(`No segment ${id}`);
    const { rows, total } = await ops.listSegmentContacts(accountId, id, limit, (page - 1) * limit);
    c.header("X-Total-Count", String(total));
    return c.json(rows.map(toContactJson), 200);
  });

  app.openapi(addMembers, async (c) => {
    const { changed, contactCount } = await changeMembers(
      c.env,
      c.get("account").accountId,
      c.req.valid("param").id,
      c.req.valid("json").contactIds,
      "addSegmentContacts",
    );
    return c.json({ added: changed, contactCount }, 200);
  });

  app.openapi(removeMembers, async (c) => {
    const { changed, contactCount } = await changeMembers(
      c.env,
      c.get("account").accountId,
      c.req.valid("param").id,
      c.req.valid("json").contactIds,
      "removeSegmentContacts",
    );
    return c.json({ removed: changed, contactCount }, 200);
  });
}
