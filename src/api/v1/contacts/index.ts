/**
 * /v1/contacts: the account's audience, one contact per phone number, and
 * POST /v1/contacts/bulk to upsert up to 10,000 of them by phone in one call.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../../app";
import { audienceStore, audienceWriter } from "../../../db/audience-store";
import {
  type ContactInput,
  contactValues,
  isUniqueViolation,
  mergeContact,
} from "../../../db/contacts";
import { unknownLocationIds } from "../../../db/locations";
import { ChorusError, conflict, fieldPath, notFound } from "../../../errors";
import {
  audienceMovingResponse,
  conflictResponse,
  errorResponse,
  errorResponses,
  IdParam,
  jsonBody,
  jsonContent,
} from "../../openapi";
import { ErasureReportSchema } from "../erasures";
import { erasePerson } from "../erasures/erase-person";
import { listPage } from "../list-page";
import { ensureLocation } from "../locations";
import {
  BulkContactRowSchema,
  BulkContactsSchema,
  BulkResultSchema,
  ContactListQuery,
  ContactSchema,
  ContactUpdateSchema,
  type ContactWrite,
  ContactWriteSchema,
  e164,
  shownPhone,
  toContactJson,
} from "./schemas";

const tags = ["contacts"];
const security = [{ apiKey: [] }];
/** 10,000 contacts with generous custom fields fit easily. */

const list = createRoute({
  method: "get",
  path: "/v1/contacts",
  operationId: "v1.contacts.list",
  tags,
  security,
  summary: "List contacts",
  description:
    "Oldest first. Filters: `locationId` (a location of this account), `searchText` (part of the name, first or last name, or phone; any case), `optedIn` (`true`/`false`).",
  request: { query: ContactListQuery },
  responses: {
    200: jsonContent(z.array(ContactSchema), "Contacts; the total is in X-Total-Count"),
    ...errorResponses,
  },
});

const create = createRoute({
  method: "post",
  path: "/v1/contacts",
  operationId: "v1.contacts.create",
  tags,
  security,
  summary: "Create a contact (409 if the phone is already a contact of this account)",
  request: { body: jsonBody(ContactWriteSchema) },
  responses: {
    201: jsonContent(ContactSchema, "Created"),
    ...errorResponses,
    ...audienceMovingResponse,
    ...conflictResponse,
  },
});

const bulk = createRoute({
  method: "post",
  path: "/v1/contacts/bulk",
  operationId: "v1.contacts.bulkUpsert",
  tags,
  security,
  summary: "Upsert up to 10,000 contacts by phone",
  description:
    "A row whose phone is already a contact of this account updates that contact (only the fields the row gives); any other creates one. A row that fails validation, names an unknown location, or repeats an earlier row's phone is listed in `errors` and not written; every other row is written, all in one transaction.",
  request: { body: jsonBody(BulkContactsSchema) },
  responses: {
    200: jsonContent(BulkResultSchema, "What was written, and the rows that were not"),
    ...errorResponses,
    ...audienceMovingResponse,
    413: errorResponse("Body over 32 MB"),
  },
});

const get = createRoute({
  method: "get",
  path: "/v1/contacts/{id}",
  operationId: "v1.contacts.get",
  tags,
  security,
  summary: "Get a contact",
  request: { params: IdParam },
  responses: { 200: jsonContent(ContactSchema, "The contact"), ...errorResponses },
});

const update = createRoute({
  method: "put",
  path: "/v1/contacts/{id}",
  operationId: "v1.contacts.update",
  tags,
  security,
  summary: "Update a contact (only the fields given; 409 if the new phone is another contact's)",
  request: { params: IdParam, body: jsonBody(ContactUpdateSchema) },
  responses: {
    200: jsonContent(ContactSchema, "Updated"),
    ...errorResponses,
    ...audienceMovingResponse,
    ...conflictResponse,
  },
});

const remove = createRoute({
  method: "delete",
  path: "/v1/contacts/{id}",
  operationId: "v1.contacts.delete",
  tags,
  security,
  summary: "Delete a contact, with its segment memberships and enrolments",
  description:
    "With `erase=true`, also erases the person from every broadcast of the account (as POST /v1/erasures does for their number) and reports what was erased.",
  request: {
    params: IdParam,
    query: z.object({
      erase: z
        .enum(["true", "false"])
        .optional()
        .openapi({ description: "Also erase the person from every broadcast" }),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ success: z.literal(true), erased: ErasureReportSchema.optional() }),
      "Deleted",
    ),
    ...errorResponses,
    ...audienceMovingResponse,
  },
});

function toInput(body: ContactWrite): ContactInput {
  return {
    phone: body.phone,
    userId: body.userId,
    name: body.name,
    firstName: body.firstName,
    lastName: body.lastName,
    locationId: body.location === undefined ? undefined : (body.location?.id ?? null),
    optedIn: body.optedIn,
    customFields: body.customFields,
  };
}

const phoneTaken = (phone: string) =>
  conflict(
    "Contact already exists",
    shownPhone(phone) === null
      ? `userId: ${phone} is already a contact of this account`
      : `phone: ${e164(phone)} is already a contact of this account`,
  );

export function registerContactRoutes(app: App) {
  app.openapi(list, async (c) => {
    const { ops } = await audienceStore(c.env, c.get("account").accountId);
    return c.json(await listPage(c, c.req.valid("query"), ops.listContacts, toContactJson), 200);
  });

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    // A contact known only by a user id is kept (and sent to) under it.
    const address = body.phone ?? body.userId;
    if (!address)
      throw new ChorusError(
        "BAD_REQUEST",
        "Invalid request body",
        "phone: required unless userId is given",
      );
    if (body.location) await ensureLocation(c.env.DB, accountId, body.location.id, "location.id");
    if (await store.findContactByPhone(accountId, address)) throw phoneTaken(address);
    try {
      const contact = await store.insertContact(
        accountId,
        mergeContact(undefined, { ...toInput(body), phone: address }),
      );
      return c.json(toContactJson(contact), 201);
    } catch (err) {
      if (isUniqueViolation(err)) throw phoneTaken(address);
      throw err;
    }
  });

  app.openapi(bulk, async (c) => {
    const { contacts } = c.req.valid("json");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    const errors: { index: number; phone: string | null; errors: string[] }[] = [];
    const valid: {
      index: number;
      given: string;
      input: ContactInput & { phone: string };
      locationId?: string;
    }[] = [];
    const seen = new Map<string, number>();
    contacts.forEach((raw, index) => {
      const parsed = BulkContactRowSchema.safeParse(raw);
      if (!parsed.success) {
        const given =
          raw && typeof raw === "object" && "phone" in raw
            ? (raw as { phone: unknown }).phone
            : null;
        errors.push({
          index,
          phone: typeof given === "string" || typeof given === "number" ? String(given) : null,
          errors: parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`),
        });
        return;
      }
      const given = (raw as { phone: string }).phone;
      const first = seen.get(parsed.data.phone);
      if (first !== undefined) {
        errors.push({
          index,
          phone: given,
          errors: [`phone: the same number as contacts[${first}]; each phone may appear once`],
        });
        return;
      }
      seen.set(parsed.data.phone, index);
      valid.push({
        index,
        given,
        input: { ...toInput(parsed.data), phone: parsed.data.phone },
        locationId: parsed.data.location?.id,
      });
    });

    const unknown = new Set(
      await unknownLocationIds(
        c.env.DB,
        accountId,
        valid.flatMap((row) => (row.locationId === undefined ? [] : [row.locationId])),
      ),
    );
    const writable = valid.filter((row) => {
      if (row.locationId === undefined || !unknown.has(row.locationId)) return true;
      errors.push({
        index: row.index,
        phone: row.given,
        errors: [`location.id: no location ${row.locationId} in this account`],
      });
      return false;
    });
    errors.sort((a, b) => a.index - b.index);

    const { created, updated } = await store.bulkUpsertContacts(
      accountId,
      writable.map((row) => row.input),
    );
    return c.json({ created, updated, errors }, 200);
  });

  app.openapi(get, async (c) => {
    const { id } = c.req.valid("param");
    const { accountId } = c.get("account");
    const contact = await (await audienceStore(c.env, accountId)).ops.getContact(accountId, id);
    if (!contact) throw notFound(`No contact ${id}`);
    return c.json(toContactJson(contact), 200);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    const current = await store.getContact(accountId, id);
    if (!current) throw notFound(`No contact ${id}`);
    if (body.location) await ensureLocation(c.env.DB, accountId, body.location.id, "location.id");
    if (body.phone !== undefined && body.phone !== current.phone) {
      if (await store.findContactByPhone(accountId, body.phone)) throw phoneTaken(body.phone);
    }
    try {
      const contact = await store.updateContact(
        accountId,
        id,
        mergeContact(contactValues(current), toInput(body)),
      );
      if (!contact) throw notFound(`No contact ${id}`);
      return c.json(toContactJson(contact), 200);
    } catch (err) {
      if (body.phone !== undefined && isUniqueViolation(err)) throw phoneTaken(body.phone);
      throw err;
    }
  });

  app.openapi(remove, async (c) => {
    const { id } = c.req.valid("param");
    const { erase } = c.req.valid("query");
    const { accountId } = c.get("account");
    const store = await audienceWriter(c.env, accountId);
    if (erase === "true") {
      const contact = await store.getContact(accountId, id);
      if (!contact) throw notFound(`No contact ${id}`);
      const erased = await erasePerson(c.env, accountId, contact.phone);
      return c.json({ success: true as const, erased }, 200);
    }
    if (!(await store.deleteContact(accountId, id))) throw notFound(`No contact ${id}`);
    return c.json({ success: true as const }, 200);
  });
}
