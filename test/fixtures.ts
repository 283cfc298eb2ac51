/**
 * An account with one of every resource (sender, location, contact, segment
 * with a member, class with an enrolment, suppression, both kinds of
 * broadcast), and the ids that fill each route's path parameters: for the
 * sweeps that walk /openapi.json (isolation, fuzzing).
 */
import { mobileNumber } from "./domain/phones";
import { createBroadcast, helloBody, type Setup, setup } from "./engine";
import { api, apiKey, expectStatus, jsonInit } from "./helpers";

export interface PopulatedAccount {
  s: Setup;
  contactId: string;
  /** The account's resource for each path parameter, by route prefix. */
  ids: Record<string, Record<string, string>>;
}

export async function populatedAccount(): Promise<PopulatedAccount> {
  const s = await setup();
  const key = apiKey(s.account.key);
  await expectStatus(
    await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key)),
    200,
  );
  const post = async (path: string, body: unknown, status = 201) =>
    expectStatus<any>(await api(path, jsonInit("POST", body, key)), status);
  const location = await post("/v1/locations", { name: "A" });
  const contact = await post("/v1/contacts", {
    phone: mobileNumber(Math.floor(Math.random() * 1_000_000)),
    firstName: "Alice",
  });
  const segment = await post("/v1/segments", { name: "A" });
  await post(`/v1/segments/${segment.id}/contacts`, { contactIds: [contact.id] }, 200);
  const cls = await post("/v1/classes", { name: "A", startsAt: "2030-01-01T09:00:00Z" });
  await post(`/v1/classes/${cls.id}/enrolments`, { contactId: contact.id, status: "BOOKED" });
  const suppressed = mobileNumber(Math.floor(Math.random() * 1_000_000) + 1_000_000);
  await post("/v1/suppressions", { phone: suppressed, reason: "A" });
  const templates = await expectStatus<any[]>(
    await api("/v1/templates?limit=1", { headers: key }),
    200,
  );
  const v1 = await post(
    "/v1/broadcasts",
    {
      name: "A",
      type: "client",
      status: "draft",
      template: { name: "hello_world", language: "en" },
    },
    200,
  );
  const endpoint = await post("/v1/webhook-endpoints", {
    url: "http://receiver.test/__sandbox/receivers/fixture",
    events: ["broadcast.completed"],
  });
  const inline = await createBroadcast(
    s,
    helloBody(s.sender.phoneNumber, [mobileNumber(5)], {
      scheduled_for: new Date(Date.now() + 3_600_000).toISOString(),
    }),
  );
  return {
    s,
    contactId: contact.id,
    ids: {
      "/v1/senders/": { id: s.sender.id },
      "/v1/templates/": { id: templates[0].id },
      "/v1/locations/": { id: location.id },
      "/v1/contacts/": { id: contact.id },
      "/v1/segments/": { id: segment.id },
      "/v1/classes/": { id: cls.id, contactId: contact.id },
      "/v1/suppressions/": { phone: `+${suppressed}` },
      "/v1/broadcasts/": { id: v1.id },
      "/broadcasts/": { uuid: inline.uuid },
      "/v1/webhook-endpoints/": { id: endpoint.id, deliveryId: "no-delivery-yet" },
      "/admin/accounts/": { id: s.account.accountId, keyId: s.account.keyId },
    },
  };
}

export interface Route {
  method: string;
  path: string;
  /** The operation object of /openapi.json. */
  operation: Record<string, any>;
}

/** Every operation of the app's OpenAPI document, and the document (for $refs). */
export async function openApiRoutes(): Promise<{ doc: any; routes: Route[] }> {
  const doc = await expectStatus<any>(await api("/openapi.json"), 200);
  const routes = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(
    ([path, ops]) =>
      Object.entries(ops).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        operation,
      })),
  );
  return { doc, routes };
}

/** The path with each parameter filled from `ids` (by the longest matching prefix). */
export function fillPath(path: string, ids: Record<string, Record<string, string>>): string {
  const prefix = Object.keys(ids).find((p) => path.startsWith(p));
  if (!prefix) throw new Error(`No resource for ${path}: add one to test/fixtures.ts`);
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = ids[prefix]?.[name];
    if (!value) throw new Error(`No value for {${name}} in ${path}: add one to test/fixtures.ts`);
    return encodeURIComponent(value);
  });
}
