/**
 * Cross-account isolation on every audience resource: account B gets a 404
 * for A's ids on get, update and delete (and their sub-resources), never sees
 * them in lists, and cannot reference them; A's data is left untouched.
 */
import { describe, expect, it } from "vitest";
import { api, apiKey, call, createAccount, expectStatus, randomPhone } from "../helpers";

const phone = randomPhone;

async function seedA() {
  const a = await createAccount();
  const location = await call(a, "POST", "/v1/locations", { name: "A-loc" }, 201);
  const contact = await call(
    a,
    "POST",
    "/v1/contacts",
    { phone: phone(), firstName: "Alice", location: { id: location.id } },
    201,
  );
  const segment = await call(
    a,
    "POST",
    "/v1/segments",
    { name: "A-seg", location: { id: location.id } },
    201,
  );
  await call(a, "POST", `/v1/segments/${segment.id}/contacts`, { contactIds: [contact.id] });
  const klass = await call(
    a,
    "POST",
    "/v1/classes",
    { name: "A-class", startsAt: "2030-01-01T10:00:00Z", location: { id: location.id } },
    201,
  );
  await call(a, "POST", `/v1/classes/${klass.id}/enrolments`, { contactId: contact.id }, 201);
  const suppressed = phone();
  await call(a, "POST", "/v1/suppressions", { phone: suppressed, reason: "A" }, 201);
  return { a, location, contact, segment, klass, suppressed };
}

describe("cross-account isolation", () => {
  it("B gets 404 for A's resources on get, update and delete, and A's stay as they were", async () => {
    const { a, location, contact, segment, klass, suppressed } = await seedA();
    const b = await createAccount();
    const denied: [string, string, unknown?][] = [
      ["GET", `/v1/locations/${location.id}`],
      ["PUT", `/v1/locations/${location.id}`, { name: "hijack" }],
      ["DELETE", `/v1/locations/${location.id}`],
      ["GET", `/v1/contacts/${contact.id}`],
      ["PUT", `/v1/contacts/${contact.id}`, { firstName: "hijack" }],
      ["DELETE", `/v1/contacts/${contact.id}`],
      ["GET", `/v1/segments/${segment.id}`],
      ["PUT", `/v1/segments/${segment.id}`, { name: "hijack" }],
      ["DELETE", `/v1/segments/${segment.id}`],
      ["GET", `/v1/segments/${segment.id}/contacts`],
      ["POST", `/v1/segments/${segment.id}/contacts`, { contactIds: [contact.id] }],
      ["DELETE", `/v1/segments/${segment.id}/contacts`, { contactIds: [contact.id] }],
      ["GET", `/v1/classes/${klass.id}`],
      ["PUT", `/v1/classes/${klass.id}`, { name: "hijack" }],
      ["DELETE", `/v1/classes/${klass.id}`],
      ["GET", `/v1/classes/${klass.id}/enrolments`],
      ["POST", `/v1/classes/${klass.id}/enrolments`, { contactId: contact.id }],
      ["PUT", `/v1/classes/${klass.id}/enrolments/${contact.id}`, { status: "CANCELLED" }],
      ["DELETE", `/v1/classes/${klass.id}/enrolments/${contact.id}`],
      ["GET", `/v1/suppressions/${suppressed}`],
      ["DELETE", `/v1/suppressions/${suppressed}`],
    ];
    for (const [method, path, body] of denied) {
      const error = await call(b, method, path, body, 404);
      expect(error.code, `${method} ${path}`).toBe("NOT_FOUND");
    }

    expect(await call(a, "GET", `/v1/locations/${location.id}`)).toEqual(location);
    expect(await call(a, "GET", `/v1/contacts/${contact.id}`)).toEqual(contact);
    expect(await call(a, "GET", `/v1/segments/${segment.id}`)).toMatchObject({
      name: "A-seg",
      contactCount: 1,
    });
    expect(await call(a, "GET", `/v1/classes/${klass.id}`)).toEqual(klass);
    expect(await call(a, "GET", `/v1/classes/${klass.id}/enrolments`)).toMatchObject([
      { contact: { id: contact.id }, status: "BOOKED" },
    ]);
    expect((await call(a, "GET", `/v1/suppressions/${suppressed}`)).reason).toBe("A");
  });

  it("B's lists never show A's resources", async () => {
    const { a } = await seedA();
    const b = await createAccount();
    await call(b, "POST", "/v1/contacts", { phone: phone() }, 201);
    for (const path of [
      "/v1/locations",
      "/v1/contacts",
      "/v1/segments",
      "/v1/classes",
      "/v1/suppressions",
      "/v1/contacts?searchText=Alice",
    ]) {
      const res = await api(path, { headers: apiKey(b.key) });
      const rows = await expectStatus<any[]>(res, 200);
      const expected = path === "/v1/contacts" ? 1 : 0;
      expect(rows, path).toHaveLength(expected);
      expect(res.headers.get("x-total-count"), path).toBe(String(expected));
      const mine = await api(path, { headers: apiKey(a.key) });
      expect(mine.headers.get("x-total-count"), `A ${path}`).toBe("1");
    }
  });

  it("B cannot reference A's location or contacts, nor filter by A's location", async () => {
    const { location, contact } = await seedA();
    const b = await createAccount();
    const ref = { location: { id: location.id } };
    for (const [path, body] of [
      ["/v1/contacts", { phone: phone(), ...ref }],
      ["/v1/segments", { name: "x", ...ref }],
      ["/v1/classes", { name: "x", startsAt: "2030-01-01T10:00:00Z", ...ref }],
    ] as const) {
      expect((await call(b, "POST", path, body, 400)).details, path).toContain("location.id");
    }
    const bulk = await call(b, "POST", "/v1/contacts/bulk", {
      contacts: [{ phone: phone(), ...ref }],
    });
    expect(bulk).toMatchObject({ created: 0, updated: 0 });
    expect(bulk.errors[0].errors[0]).toContain("location.id");
    for (const path of ["/v1/contacts", "/v1/segments", "/v1/classes"]) {
      const error = await call(b, "GET", `${path}?locationId=${location.id}`, undefined, 400);
      expect(error.details, path).toContain("locationId");
    }
    const segment = await call(b, "POST", "/v1/segments", { name: "B" }, 201);
    expect(
      (
        await call(
          b,
          "POST",
          `/v1/segments/${segment.id}/contacts`,
          { contactIds: [contact.id] },
          400,
        )
      ).details,
    ).toContain(contact.id);
    const klass = await call(
      b,
      "POST",
      "/v1/classes",
      { name: "B", startsAt: "2030-01-01T10:00:00Z" },
      201,
    );
    expect(
      (await call(b, "POST", `/v1/classes/${klass.id}/enrolments`, { contactId: contact.id }, 400))
        .details,
    ).toContain("contactId");
    // Same phone in B is a different contact: B's upsert does not touch A's.
    const res = await call(b, "POST", "/v1/contacts/bulk", {
      contacts: [{ phone: contact.phone, firstName: "Bob" }],
    });
    expect(res).toMatchObject({ created: 1, updated: 0 });
  });

  it("every audience route needs a key and is documented with tags and security", async () => {
    for (const path of [
      "/v1/locations",
      "/v1/contacts",
      "/v1/segments",
      "/v1/classes",
      "/v1/suppressions",
    ]) {
      await expectStatus(await api(path), 401);
      await expectStatus(await api(path, { headers: apiKey("chorus_wrong") }), 401);
    }
    const doc = await expectStatus<any>(await api("/openapi.json"), 200);
    const expected: Record<string, string[]> = {
      "/v1/locations": ["get", "post"],
      "/v1/locations/{id}": ["get", "put", "delete"],
      "/v1/contacts": ["get", "post"],
      "/v1/contacts/bulk": ["post"],
      "/v1/contacts/{id}": ["get", "put", "delete"],
      "/v1/segments": ["get", "post"],
      "/v1/segments/{id}": ["get", "put", "delete"],
      "/v1/segments/{id}/contacts": ["get", "post", "delete"],
      "/v1/classes": ["get", "post"],
      "/v1/classes/{id}": ["get", "put", "delete"],
      "/v1/classes/{id}/enrolments": ["get", "post"],
      "/v1/classes/{id}/enrolments/{contactId}": ["put", "delete"],
      "/v1/suppressions": ["get", "post"],
      "/v1/suppressions/{phone}": ["get", "delete"],
    };
    for (const [path, methods] of Object.entries(expected)) {
      for (const method of methods) {
        const op = doc.paths[path]?.[method];
        expect(op, `${method} ${path}`).toBeDefined();
        expect(op.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
        expect(op.security, `${method} ${path}`).toEqual([{ apiKey: [] }]);
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses), `${method} ${path}`).toEqual(
          expect.arrayContaining(["400", "401", "404"]),
        );
      }
    }
    expect(doc.components.schemas.Contact.properties).toHaveProperty("customFields");
  });
});
