/**
 * /v1/classes: scheduled classes and who is enrolled in them
 * (/v1/classes/{id}/enrolments), for `class` broadcasts.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { audienceStore, audienceWriter } from "../../../db/audience-store";
import type { NewClass } from "../../../db/classes";
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
import { ensureLocation } from "../locations";
import {
  ClassListQuery,
  ClassSchema,
  ClassUpdateSchema,
  ClassWriteSchema,
  EnrolmentCreateSchema,
  EnrolmentListQuery,
  EnrolmentParams,
  EnrolmentSchema,
  EnrolmentUpdateSchema,
  toClassJson,
  toEnrolmentJson,
} from "./schemas";

const tags = ["classes"];
const security = [{ apiKey: [] }];

const list = createRoute({
  method: "get",
  path: "/v1/classes",
  operationId: "v1.classes.list",
  tags,
  security,
  summary: "List classes",
  description: "In start order. Filters: `locationId`, `searchText` (part of the name, any case).",
  request: { query: ClassListQuery },
  responses: {
    200: jsonContent(z.array(ClassSchema), "Classes; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/classes",
  operationId: "v1.classes.create",
  tags,
  security,
  summary: "Create a class",
  request: { body: jsonBody(ClassWriteSchema) },
  responses: {
    201: jsonContent(ClassSchema, "Created"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/classes/{id}",
  operationId: "v1.classes.get",
  tags,
  security,
  summary: "Get a class",
  request: { params: IdParam },
  responses: { 200: jsonContent(ClassSchema, "The class"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/classes/{id}",
  operationId: "v1.classes.update",
  tags,
  security,
  summary: "Update a class (only the fields given)",
  request: { params: IdParam, body: jsonBody(ClassUpdateSchema) },
  responses: {
    200: jsonContent(ClassSchema, "Updated"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/classes/{id}",
  operationId: "v1.classes.delete",
  tags,
  security,
  summary: "Delete a class and its enrolments",
  request: { params: IdParam },
  responses: {
    200: jsonContent(z.object({ success: z.literal(true) }), "Deleted"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

const enrolmentList = createRoute({
  method: "get",
  path: "/v1/classes/{id}/enrolments",
  operationId: "v1.classes.enrolments.list",
  tags,
  security,
  summary: "List a class's enrolments",
  description: "In enrolment order; `status` filters.",
  request: { params: IdParam, query: EnrolmentListQuery },
  responses: {
    200: jsonContent(z.array(EnrolmentSchema), "Enrolments; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const enrol = createRoute({
  method: "post",
  path: "/v1/classes/{id}/enrolments",
  operationId: "v1.classes.enrolments.create",
  tags,
  security,
  summary: "Enrol a contact in a class (409 if already enrolled: PUT changes the status)",
  request: { params: IdParam, body: jsonBody(EnrolmentCreateSchema) },
  responses: {
    201: jsonContent(EnrolmentSchema, "Enrolled"),
    ...errorResponses,
    ...audienceMovingResponse,
    ...conflictResponse,
  },
});

const enrolmentUpdate = createRoute({
  method: "put",
  path: "/v1/classes/{id}/enrolments/{contactId}",
  operationId: "v1.classes.enrolments.update",
  tags,
  security,
  summary: "Change an enrolment's status",
  request: { params: EnrolmentParams, body: jsonBody(EnrolmentUpdateSchema) },
  responses: {
    200: jsonContent(EnrolmentSchema, "Updated"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

const enrolmentRemove = createRoute({
  method: "delete",
  path: "/v1/classes/{id}/enrolments/{contactId}",
  operationId: "v1.classes.enrolments.delete",
  tags,
  security,
  summary: "Remove a contact from a class",
  request: { params: EnrolmentParams },
  responses: {
    200: jsonContent(z.object({ success: z.literal(true) }), "Removed"),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

export function registerClassRoutes(app: App) {
  app.openapi(list, async (c) => {
    const { ops } = await audienceStore(c.env, c.get("account").accountId);
    return c.json(await listPage(c, c.req.valid("query"), ops.listClasses, toClassJson), 200);
  });

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    if (body.location) await ensureLocation(c.env.DB, accountId, body.location.id, "location.id");
    const k = await store.insertClass(accountId, {
      name: body.name,
      startsAt: body.startsAt,
      locationId: body.location?.id ?? null,
    });
    return c.json(toClassJson(k), 201);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const { accountId } = c.get("account");
    const k = await (await audienceStore(c.env, accountId)).ops.getClass(accountId, id);
    if (!k) throw notFound(`No class ${id}`);
    return c.json(toClassJson(k), 200);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    if (!(await store.getClass(accountId, id))) throw notFound(`No class ${id}`);
    if (body.location) await ensureLocation(c.env.DB, accountId, body.location.id, "location.id");
    const patch: Partial<NewClass> = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.startsAt !== undefined) patch.startsAt = body.startsAt;
    if (body.location !== undefined) patch.locationId = body.location?.id ?? null;
    const k = await store.updateClass(accountId, id, patch);
    if (!k) throw notFound(`No class ${id}`);
    return c.json(toClassJson(k), 200);
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    if (!(await store.deleteClass(accountId, id))) throw notFound(`No class ${id}`);
    return c.json({ success: true as const }, 200);
  });

  app.openapi(enrolmentList, async (c) => {
    const { id } = c.req.valid("param");
    const { limit, page, status } = c.req.valid("query");
    const { accountId } = c.get("account");
    const { ops } = await audienceStore(c.env, accountId);
    if (!(await ops.getClass(accountId, id))) throw notFound(`No class ${id}`);
    const { rows, total } = await ops.listEnrolments(
      accountId,
      id,
      status,
      limit,
      (page - 1) * limit,
    );
    c.header("X-Total-Count", String(total));
    return c.json(rows.map(toEnrolmentJson), 200);
  });

  app.openapi(enrol, async (c) => {
    const { id } = c.req.valid("param");
    const { contactId, status } = c.req.valid("json");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    if (!(await store.getClass(accountId, id))) throw notFound(`No class ${id}`);
    const outcome = await store.insertEnrolment(accountId, id, contactId, status);
    if (outcome === "exists") {
      throw conflict(
        "Already enrolled",
        `contactId: ${contactId} is already enrolled in class ${id}; PUT /v1/classes/${id}/enrolments/${contactId} changes the status`,
      );
    }
    if (outcome === "missing") {
      throw badRequest(
        "Invalid request body",
        `contactId: no contact ${contactId} in this account`,
      );
    }
    const enrolment = await store.getEnrolment(accountId, id, contactId);
    if (!enrolment) throw notFound(`No enrolment of ${contactId} in class ${id}`);
    return c.json(toEnrolmentJson(enrolment), 201);
  });

  app.openapi(enrolmentUpdate, async (c) => {
    const { id, contactId } = c.req.valid("param");
    const { status } = c.req.valid("json");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    const enrolment = await store.updateEnrolment(accountId, id, contactId, status);
    if (!enrolment) throw notFound(`No enrolment of ${contactId} in class ${id}`);
    return c.json(toEnrolmentJson(enrolment), 200);
  });

  app.openapi(enrolmentRemove, async (c) => {
    const { id, contactId } = c.req.valid("param");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    const removed = await store.deleteEnrolment(accountId, id, contactId);
    if (!removed) throw notFound(`No enrolment of ${contactId} in class ${id}`);
    return c.json({ success: true as const }, 200);
  });
}
