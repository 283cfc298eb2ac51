import { describe, expect, it } from "vitest";
import { api, apiKey, call, createAccount, expectStatus, randomPhone } from "../helpers";

const phone = randomPhone;

describe("/v1/classes", () => {
  it("creates with startsAt in UTC, lists in start order with paging and filters, updates, deletes", async () => {
    const account = await createAccount();
    const location = await call(account, "POST", "/v1/locations", { name: "Studio" }, 201);
    const late = await call(
      account,
      "POST",
      "/v1/classes",
      {
        name: "Evening yoga",
        startsAt: "2030-03-01T20:30:00+02:00",
        location: { id: location.id },
      },
      201,
    );
    expect(late).toMatchObject({
      name: "Evening yoga",
      startsAt: "2030-03-01T18:30:00.000Z",
      location: { id: location.id },
    });
    const early = await call(
      account,
      "POST",
      "/v1/classes",
      { name: "Morning spin", startsAt: "2030-03-01T07:00:00Z" },
      201,
    );
    expect(early.location).toBeNull();
    const mid = await call(
      account,
      "POST",
      "/v1/classes",
      { name: "Lunch yoga", startsAt: "2030-03-01T12:00:00Z", location: { id: location.id } },
      201,
    );

    const res = await api("/v1/classes?limit=2", { headers: apiKey(account.key) });
    expect(res.headers.get("x-total-count")).toBe("3");
    expect((await expectStatus<any[]>(res, 200)).map((k) => k.id)).toEqual([early.id, mid.id]);
    const p2 = await call(account, "GET", "/v1/classes?limit=2&page=2");
    expect(p2.map((k: any) => k.id)).toEqual([late.id]);
    const yoga = await call(
      account,
      "GET",
      `/v1/classes?searchText=YOGA&locationId=${location.id}`,
    );
    expect(yoga.map((k: any) => k.id)).toEqual([mid.id, late.id]);

    expect(await call(account, "GET", `/v1/classes/${late.id}`)).toEqual(late);
    const moved = await call(account, "PUT", `/v1/classes/${late.id}`, {
      startsAt: "2030-03-02T09:00:00Z",
      location: null,
    });
    expect(moved).toMatchObject({
      name: "Evening yoga",
      startsAt: "2030-03-02T09:00:00.000Z",
      location: null,
    });

    for (const [body, field] of [
      [{ name: "X" }, "startsAt"],
      [{ name: "X", startsAt: "tomorrow" }, "startsAt"],
      [{ name: "X", startsAt: "2030-03-01T07:00:00" }, "startsAt"],
      [{ name: "X", startsAt: 1893456000 }, "startsAt"],
      [{ startsAt: "2030-03-01T07:00:00Z" }, "name"],
      [{ name: "X", startsAt: "2030-03-01T07:00:00Z", location: { id: "nope" } }, "location.id"],
    ] as const) {
      const error = await call(account, "POST", "/v1/classes", body, 400);
      expect(error.details, JSON.stringify(body)).toContain(field);
    }
    expect(
      (await call(account, "PUT", `/v1/classes/${mid.id}`, { startsAt: "soon" }, 400)).details,
    ).toContain("startsAt");
    expect((await call(account, "GET", "/v1/classes")).length).toBe(3);

    expect(await call(account, "DELETE", `/v1/classes/${early.id}`)).toEqual({ success: true });
    await call(account, "GET", `/v1/classes/${early.id}`, undefined, 404);
  });

  it("enrols contacts, lists and filters enrolments, changes status, removes", async () => {
    const account = await createAccount();
    const klass = await call(
      account,
      "POST",
      "/v1/classes",
      { name: "Pilates", startsAt: "2030-01-01T10:00:00Z" },
      201,
    );
    const people: any[] = [];
    for (let i = 0; i < 3; i++) {
      people.push(await call(account, "POST", "/v1/contacts", { phone: phone() }, 201));
    }
    const path = `/v1/classes/${klass.id}/enrolments`;
    const booked = await call(account, "POST", path, { contactId: people[0].id }, 201);
    expect(booked).toMatchObject({ contact: { id: people[0].id }, status: "BOOKED" });
    expect(Date.parse(booked.createdAt)).not.toBeNaN();
    await call(account, "POST", path, { contactId: people[1].id, status: "WAITLISTED" }, 201);
    await call(account, "POST", path, { contactId: people[2].id, status: "ATTENDED" }, 201);

    const dup = await call(account, "POST", path, { contactId: people[0].id }, 409);
    expect(dup.details).toContain(people[0].id);

    const res = await api(`${path}?limit=2`, { headers: apiKey(account.key) });
    expect(res.headers.get("x-total-count")).toBe("3");
    expect((await expectStatus<any[]>(res, 200)).map((e) => e.contact.id)).toHaveLength(2);
    const waitlisted = await api(`${path}?status=WAITLISTED`, { headers: apiKey(account.key) });
    expect(waitlisted.headers.get("x-total-count")).toBe("1");
    expect((await expectStatus<any[]>(waitlisted, 200))[0].contact.id).toBe(people[1].id);
    expect((await call(account, "GET", `${path}?status=LATE`, undefined, 400)).details).toContain(
      "status",
    );

    const changed = await call(account, "PUT", `${path}/${people[1].id}`, { status: "BOOKED" });
    expect(changed).toMatchObject({ contact: { id: people[1].id }, status: "BOOKED" });
    for (const body of [{ status: "booked" }, { status: "LATE" }, {}, { status: 1 }]) {
      const error = await call(account, "PUT", `${path}/${people[1].id}`, body, 400);
      expect(error.details, JSON.stringify(body)).toContain("status");
    }
    expect(
      (await call(account, "POST", path, { contactId: people[0].id, status: "GONE" }, 400)).details,
    ).toContain("status");
    expect((await call(account, "POST", path, {}, 400)).details).toContain("contactId");

    const other = await createAccount();
    const foreign = await call(other, "POST", "/v1/contacts", { phone: phone() }, 201);
    expect((await call(account, "POST", path, { contactId: foreign.id }, 400)).details).toContain(
      "contactId",
    );
    expect((await call(account, "POST", path, { contactId: "ghost" }, 400)).details).toContain(
      "contactId",
    );

    expect(await call(account, "DELETE", `${path}/${people[2].id}`)).toEqual({ success: true });
    await call(account, "DELETE", `${path}/${people[2].id}`, undefined, 404);
    await call(account, "PUT", `${path}/${people[2].id}`, { status: "BOOKED" }, 404);
    expect((await call(account, "GET", path)).map((e: any) => e.contact.id).sort()).toEqual(
      [people[0].id, people[1].id].sort(),
    );
    await call(account, "GET", "/v1/classes/nope/enrolments", undefined, 404);
    await call(account, "POST", "/v1/classes/nope/enrolments", { contactId: people[0].id }, 404);

    // Deleting the class removes its enrolments, not the contacts.
    await call(account, "DELETE", `/v1/classes/${klass.id}`);
    await call(account, "GET", `/v1/contacts/${people[0].id}`);
    await call(account, "GET", path, undefined, 404);
  });
});
