import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { BroadcastDO } from "../../src/durable/broadcast-do";
import { broadcastStub } from "../../src/durable/stubs";
import { gateD1 } from "../d1-gate";
import { mobileNumber } from "../domain/phones";
import { deliverWebhooks, future, type Setup, sandboxMessages, setup } from "../engine";
import { api, apiKey, createAccount, expectStatus, jsonInit } from "../helpers";
import { d1Rows, projectionRows } from "../scaling/projection";

const key = (s: Setup) => apiKey(s.account.key);

async function defaultSetup(): Promise<Setup> {
  const s = await setup();
  await expectStatus(
    await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key(s))),
    200,
  );
  return s;
}

async function contacts(s: Setup, rows: Record<string, unknown>[]) {
  const out = await expectStatus(
    await api("/v1/contacts/bulk", jsonInit("POST", { contacts: rows }, key(s))),
    200,
  );
  expect(out.errors).toEqual([]);
  const all = await expectStatus(await api("/v1/contacts?limit=100", { headers: key(s) }), 200);
  return Object.fromEntries(all.map((c: any) => [c.phone.replace("+", ""), c.id])) as Record<
    string,
    string
  >;
}

const booking = (extra: Record<string, unknown> = {}) => ({
  name: "Class reminder",
  type: "client",
  template: { name: "class_booking_flow", language: "en" },
  bodyTextParameters: ["{{contact.firstName}}"],
  ...extra,
});

async function createV1(s: Setup, body: unknown) {
  return expectStatus(await api("/v1/broadcasts", jsonInit("POST", body, key(s))), 200);
}

async function waitV1(s: Setup, id: string, status: string) {
  let last: any;
  await vi
    .waitUntil(
      async () => {
        last = await expectStatus(await api(`/v1/broadcasts/${id}`, { headers: key(s) }), 200);
        return last.status === status;
      },
      { timeout: 20_000, interval: 200 },
    )
    .catch(() => {
      throw new Error(`v1 broadcast ${id} did not become ${status}: ${JSON.stringify(last)}`);
    });
  return last;
}

async function logs(s: Setup, id: string) {
  return expectStatus<any[]>(
    await api(`/v1/broadcasts/${id}/logs?limit=100`, { headers: key(s) }),
    200,
  );
}

describe("/v1/broadcasts CRUD", () => {
  it("creates a draft with every field of the seed's object, lists, gets, renames and deletes it", async () => {
    const s = await defaultSetup();
    const created = await createV1(
      s,
      booking({ status: "draft", scheduleDateTime: "2030-01-01T09:00:00Z" }),
    );
    expect(created).toMatchObject({
      id: expect.any(String),
      name: "Class reminder",
      type: "client",
      status: "draft",
      segments: [],
      targetClass: null,
      retargetBroadcast: null,
      scheduleDateTime: "2030-01-01T09:00:00Z",
      startedAt: null,
      completedAt: null,
      template: { name: "class_booking_flow", language: "en" },
      headerMediaUrl: null,
      bodyTextParameters: ["{{contact.firstName}}"],
      location: null,
      processedStats: { totalCount: 0, successCount: 0, failureCount: 0 },
      deliveryStats: {
        sentCount: 0,
        deliveredCount: 0,
        readCount: 0,
        failedCount: 0,
        repliedCount: 0,
      },
    });
    const other = await createV1(
      s,
      booking({
        name: "Other",
        status: "draft",
        template: { name: "hello_world", language: "en" },
        bodyTextParameters: [],
      }),
    );

    const list = await api("/v1/broadcasts?limit=1&page=1", { headers: key(s) });
    expect(list.headers.get("x-total-count")).toBe("2");
    expect((await expectStatus(list, 200)).map((b: any) => b.id)).toEqual([other.id]);
    const found = await expectStatus(
      await api("/v1/broadcasts?searchText=HELLO_w", { headers: key(s) }),
      200,
    );
    expect(found.map((b: any) => b.id)).toEqual([other.id]);
    const byName = await expectStatus(
      await api("/v1/broadcasts?searchText=reminder", { headers: key(s) }),
      200,
    );
    expect(byName.map((b: any) => b.id)).toEqual([created.id]);
    const later = await expectStatus(
      await api(`/v1/broadcasts?startDate=${future(3_600_000)}`, { headers: key(s) }),
      200,
    );
    expect(later).toEqual([]);
    const shop = await expectStatus(
      await api("/v1/locations", jsonInit("POST", { name: "Shop" }, key(s))),
      201,
    );
    const local = await createV1(
      s,
      booking({ name: "Local", status: "draft", location: { id: shop.id } }),
    );
    const atShop = await expectStatus(
      await api(`/v1/broadcasts?locationId=${shop.id}`, { headers: key(s) }),
      200,
    );
    expect(atShop.map((b: any) => b.id)).toEqual([local.id]);
    expect(atShop[0].location).toEqual({ id: shop.id });
    const foreign = await createAccount();
    await expectStatus(
      await api(`/v1/broadcasts?locationId=${shop.id}`, { headers: apiKey(foreign.key) }),
      400,
    );
    await expectStatus(
      await api(`/v1/broadcasts/${local.id}`, { method: "DELETE", headers: key(s) }),
      200,
    );

    const renamed = await expectStatus(
      await api(
        `/v1/broadcasts/${created.id}`,
        jsonInit("PUT", booking({ name: "Renamed", status: "draft" }), key(s)),
      ),
      200,
    );
    expect(renamed).toMatchObject({ name: "Renamed", status: "draft" });
    expect(
      await expectStatus(
        await api(`/v1/broadcasts/${created.id}`, { method: "DELETE", headers: key(s) }),
        200,
      ),
    ).toEqual({ success: true });
    await expectStatus(await api(`/v1/broadcasts/${created.id}`, { headers: key(s) }), 404);
  });

  it("refuses bad input with the field named, and leaves nothing behind", async () => {
    const s = await defaultSetup();
    const cases: [unknown, RegExp][] = [
      [booking({ scheduleDateTime: "2030-01-01T09:00:00+02:00" }), /scheduleDateTime.*UTC/],
      [booking({ type: "everyone" }), /type/],
      [booking({ type: "segment", segments: [] }), /segments/],
      [booking({ type: "segment", segments: [{ id: "nope" }] }), /segments: no segment nope/],
      [booking({ type: "class" }), /targetClass/],
      [
        booking({
          type: "retarget",
          retargetBroadcast: { id: "nope" },
          retargetEngagementType: "read",
        }),
        /retargetBroadcast.id/,
      ],
      [booking({ bodyTextParameters: ["{{contact.age}}"] }), /unknown contact field 'age'/],
      [booking({ bodyTextParameters: [] }), /bodyTextParameters/],
      [booking({ template: { name: "nope", language: "en" } }), /template/],
      [booking({ location: { id: "nope" } }), /location.id/],
      [booking({ status: "completed" }), /status/],
      [{ type: "client" }, /name/],
    ];
    for (const [body, pattern] of cases) {
      const out = await expectStatus(
        await api("/v1/broadcasts", jsonInit("POST", body, key(s))),
        400,
      );
      expect(out.details, JSON.stringify(body)).toMatch(pattern);
    }
    const total = await api("/v1/broadcasts", { headers: key(s) });
    expect(total.headers.get("x-total-count")).toBe("0");
  });

  it("allows only the documented status moves", async () => {
    const s = await defaultSetup();
    const draft = await createV1(
      s,
      booking({ status: "draft", scheduleDateTime: "2030-01-01T09:00:00Z" }),
    );
    const put = (status: string) =>
      api(
        `/v1/broadcasts/${draft.id}`,
        jsonInit("PUT", booking({ status, scheduleDateTime: "2030-01-01T09:00:00Z" }), key(s)),
      );
    await expectStatus(await put("paused"), 409);
    await expectStatus(await put("completed"), 409);
    expect((await expectStatus(await put("scheduled"), 200)).status).toBe("scheduled");
    expect((await expectStatus(await put("draft"), 200)).status).toBe("draft");
    expect((await expectStatus(await put("cancelled"), 200)).status).toBe("cancelled");
    await expectStatus(await put("scheduled"), 409);
  });
});

describe("v1 audiences, resolved when sending starts", () => {
  it("client: every opted-in, unsuppressed contact once, with placeholders rendered per contact", async () => {
    const s = await defaultSetup();
    const [a, b, c, d] = [mobileNumber(10), mobileNumber(11), mobileNumber(12), mobileNumber(13)];
    await contacts(s, [
      { phone: a, firstName: "Ada", lastName: "L" },
      { phone: b, firstName: "Bo", lastName: "K" },
      { phone: c, firstName: "Cy", optedIn: false },
      { phone: d, firstName: "Di" },
    ]);
    await expectStatus(
      await api("/v1/suppressions", jsonInit("POST", { phone: d, reason: "asked" }, key(s))),
      201,
    );
    const created = await createV1(s, booking());
    const done = await waitV1(s, created.id, "completed");
    expect(done.processedStats).toEqual({ totalCount: 2, successCount: 2, failureCount: 0 });
    const rows = await logs(s, created.id);
    expect(rows.map((r) => r.recepientName).sort()).toEqual(["Ada L", "Bo K"]);
    expect(rows[0]).toMatchObject({
      broadcast: { id: created.id, name: "Class reminder" },
      countryCode: "44",
      status: "sent",
      reply: null,
      error: null,
    });
    expect(`44${rows[0].phone}`).toMatch(/^44\d{10}$/);
    const sent = await sandboxMessages(s.number.phoneNumberId);
    const bodyOf = (to: string) =>
      sent.find((m: any) => m.to === `+${to}`)?.components?.find((x: any) => x.type === "body")
        ?.parameters[0].text;
    expect(bodyOf(a)).toBe("Ada");
    expect(bodyOf(b)).toBe("Bo");
  });

  it("a contact whose placeholder renders empty fails alone, visibly", async () => {
    const s = await defaultSetup();
    await contacts(s, [
      { phone: mobileNumber(20), firstName: "Eve" },
      { phone: mobileNumber(21), name: "No First Name" },
    ]);
    const created = await createV1(s, booking());
    const done = await waitV1(s, created.id, "completed");
    expect(done.processedStats).toEqual({ totalCount: 2, successCount: 1, failureCount: 1 });
    const failed = (await logs(s, created.id)).find((r) => r.status === "failed");
    expect(failed.error).toMatch(/empty/);
  });

  it("segment and class audiences fold duplicates and honour the enrolment status", async () => {
    const s = await defaultSetup();
    const ids = await contacts(
      s,
      [0, 1, 2, 3].map((i) => ({ phone: mobileNumber(30 + i), firstName: `P${i}` })),
    );
    const id = (i: number) => ids[mobileNumber(30 + i)] as string;
    const seg1 = await expectStatus(
      await api("/v1/segments", jsonInit("POST", { name: "A" }, key(s))),
      201,
    );
    const seg2 = await expectStatus(
      await api("/v1/segments", jsonInit("POST", { name: "B" }, key(s))),
      201,
    );
    await expectStatus(
      await api(
        `/v1/segments/${seg1.id}/contacts`,
        jsonInit("POST", { contactIds: [id(0), id(1)] }, key(s)),
      ),
      200,
    );
    await expectStatus(
      await api(
        `/v1/segments/${seg2.id}/contacts`,
        jsonInit("POST", { contactIds: [id(1), id(2)] }, key(s)),
      ),
      200,
    );
    const bySegments = await createV1(
      s,
      booking({ type: "segment", segments: [{ id: seg1.id }, { id: seg2.id }] }),
    );
    await waitV1(s, bySegments.id, "completed");
    expect((await logs(s, bySegments.id)).map((r) => r.recepientName).sort()).toEqual([
      "P0",
      "P1",
      "P2",
    ]);

    const cls = await expectStatus(
      await api(
        "/v1/classes",
        jsonInit("POST", { name: "Yoga", startsAt: "2030-01-01T09:00:00Z" }, key(s)),
      ),
      201,
    );
    await expectStatus(
      await api(
        `/v1/classes/${cls.id}/enrolments`,
        jsonInit("POST", { contactId: id(2), status: "BOOKED" }, key(s)),
      ),
      201,
    );
    await expectStatus(
      await api(
        `/v1/classes/${cls.id}/enrolments`,
        jsonInit("POST", { contactId: id(3), status: "WAITLISTED" }, key(s)),
      ),
      201,
    );
    const booked = await createV1(
      s,
      booking({ type: "class", targetClass: { id: cls.id }, targetClassStatus: "BOOKED" }),
    );
    await waitV1(s, booked.id, "completed");
    expect((await logs(s, booked.id)).map((r) => r.recepientName)).toEqual(["P2"]);
    const everyone = await createV1(s, booking({ type: "class", targetClass: { id: cls.id } }));
    await waitV1(s, everyone.id, "completed");
    expect((await logs(s, everyone.id)).map((r) => r.recepientName).sort()).toEqual(["P2", "P3"]);
  });

  it("retargets a finished sandbox broadcast by engagement", async () => {
    const s = await defaultSetup();
    const readers = [mobileNumber(40), mobileNumber(41)];
    const unread = mobileNumber(42, "4444");
    const replier = mobileNumber(43, "6666");
    const failing = mobileNumber(44, "1111");
    await contacts(
      s,
      [...readers, unread, replier, failing].map((phone, i) => ({ phone, firstName: `R${i}` })),
    );
    const first = await createV1(s, booking());
    await waitV1(s, first.id, "completed");
    const stub = broadcastStub(env, s.account.accountId, first.id);
    await runDurableObjectAlarm(stub);
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(
      async () => {
        const b = await expectStatus(
          await api(`/v1/broadcasts/${first.id}`, { headers: key(s) }),
          200,
        );
        return (
          b.deliveryStats.readCount === 3 &&
          b.deliveryStats.failedCount === 1 &&
          b.deliveryStats.repliedCount === 1
        );
      },
      { timeout: 20_000, interval: 200 },
    );
    await runDurableObjectAlarm(stub);
    const expectations: [string, string[]][] = [
      ["read", [...readers, replier]],
      ["not_read", [unread]],
      ["replied", [replier]],
      ["not_replied", [...readers, unread]],
      ["failed", [failing]],
      ["delivered", [...readers, unread, replier]],
      ["sent", [...readers, unread, replier]],
    ];
    for (const [engagement, phones] of expectations) {
      const again = await createV1(
        s,
        booking({
          name: `retarget ${engagement}`,
          type: "retarget",
          retargetBroadcast: { id: first.id },
          retargetEngagementType: engagement,
        }),
      );
      await waitV1(s, again.id, "completed");
      const got = (await logs(s, again.id)).map((r) => `44${r.phone}`).sort();
      expect(got, engagement).toEqual([...phones].sort());
    }
  }, 60_000);

  it("pauses, resumes and deletes while sending", async () => {
    const s = await setup({ throughputMps: 20 });
    await expectStatus(
      await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key(s))),
      200,
    );
    await contacts(
      s,
      Array.from({ length: 120 }, (_, i) => ({ phone: mobileNumber(100 + i), firstName: `N${i}` })),
    );
    const created = await createV1(s, booking());
    await waitV1(s, created.id, "sending");
    const put = (status: string) =>
      api(`/v1/broadcasts/${created.id}`, jsonInit("PUT", booking({ status }), key(s)));
    expect((await expectStatus(await put("paused"), 200)).status).toBe("paused");
    expect((await expectStatus(await put("scheduled"), 200)).status).toBe("sending");
    await expectStatus(await put("draft"), 409);
    expect(
      await expectStatus(
        await api(`/v1/broadcasts/${created.id}`, { method: "DELETE", headers: key(s) }),
        200,
      ),
    ).toEqual({ success: true });
    await expectStatus(await api(`/v1/broadcasts/${created.id}/logs`, { headers: key(s) }), 404);
    const sentSoFar = (await sandboxMessages(s.number.phoneNumberId)).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await sandboxMessages(s.number.phoneNumberId)).length).toBeLessThanOrEqual(
      sentSoFar + 25,
    );
    expect(sentSoFar).toBeLessThan(120);
  }, 40_000);

  it("never shows another account's broadcast", async () => {
    const s = await defaultSetup();
    const other = await createAccount();
    const created = await createV1(s, booking({ status: "draft" }));
    for (const [path, method] of [
      [`/v1/broadcasts/${created.id}`, "GET"],
      [`/v1/broadcasts/${created.id}/logs`, "GET"],
      [`/v1/broadcasts/${created.id}`, "DELETE"],
    ] as const) {
      await expectStatus(await api(path, { method, headers: apiKey(other.key) }), 404);
    }
    await expectStatus(
      await api(`/v1/broadcasts/${created.id}`, jsonInit("PUT", booking(), apiKey(other.key))),
      404,
    );
    expect(
      await expectStatus(await api("/v1/broadcasts", { headers: apiKey(other.key) }), 200),
    ).toEqual([]);
    expect(
      (await expectStatus(await api(`/v1/broadcasts/${created.id}`, { headers: key(s) }), 200))
        .status,
    ).toBe("draft");
  });
});

/**
 * A client broadcast of `count` fresh contacts, scheduled an hour ahead (not
 * yet resolved), whose sending window opens at the top of the hour after next:
 * once a test resolves it, its rows wait for the window instead of sending
 * past the end of the file (sends still going as a file's runner closes fail
 * the whole run: see test/setup.ts).
 */
async function scheduledClientBroadcast(count: number, from: number) {
  const s = await defaultSetup();
  const base = from + Math.floor(Math.random() * 50_000);
  const phones = Array.from({ length: count }, (_, i) => mobileNumber(base + i, "0"));
  await expectStatus(
    await api(
      "/v1/contacts/bulk",
      jsonInit("POST", { contacts: phones.map((phone) => ({ phone, firstName: "A" })) }, key(s)),
    ),
    200,
  );
  const created = await createV1(
    s,
    booking({
      status: "scheduled",
      scheduleDateTime: future(3_600_000),
      sendWindow: windowFromTheHourAfterNext(),
      timezone: "UTC",
    }),
  );
  return { s, created, stub: broadcastStub(env, s.account.accountId, created.id) };
}

/**
 * Makes the broadcast's time come and runs its alarm, holding the resolve's
 * second page of contacts at its D1 suppression check (the audience is in the
 * account's AccountAudienceDO; the first page is loaded, the rest not yet):
 * answers once the resolve waits there, with the gate and the alarm's run.
 */
async function resolveHeldAtSecondPage(stub: DurableObjectStub<BroadcastDO>) {
  const gate = await runInDurableObject(stub, (obj: BroadcastDO) => {
    const instance = obj as any;
    const b = instance.store.broadcast();
    instance.store.updateBroadcast({
      plan: { ...b.plan, scheduledAt: new Date(Date.now() - 1000).toISOString() },
    });
    const held = gateD1(instance.env.DB, /audience page: suppressed/, 2);
    instance.env = { ...instance.env, DB: held.db };
    return held;
  });
  const resolving = runDurableObjectAlarm(stub);
  await gate.reached();
  return { gate, resolving };
}

describe("issue 16: what the API has shown, later decisions see; state changes never race the engine", () => {
  it("item 1: a retarget created the moment the source's GET shows 9 reads finds those 9 (no flush in between)", async () => {
    const s = await defaultSetup();
    const base = 700_000 + Math.floor(Math.random() * 100_000);
    const readers = Array.from({ length: 9 }, (_, i) => mobileNumber(base + i, "0"));
    await contacts(
      s,
      readers.map((phone, i) => ({ phone, firstName: `R${i}` })),
    );
    const first = await createV1(s, booking());
    await waitV1(s, first.id, "completed");
    await deliverWebhooks(s.number.phoneNumberId);
    // The source's own GET (its Durable Object) says 9 read…
    await vi.waitUntil(
      async () =>
        (await expectStatus(await api(`/v1/broadcasts/${first.id}`, { headers: key(s) }), 200))
          .deliveryStats.readCount === 9,
      { timeout: 20_000, interval: 100 },
    );
    // …and at once, before any flush of its projection is waited for, a retarget of the readers.
    const again = await createV1(
      s,
      booking({
        name: "retarget read",
        type: "retarget",
        retargetBroadcast: { id: first.id },
        retargetEngagementType: "read",
      }),
    );
    const done = await waitV1(s, again.id, "completed");
    expect(done.processedStats.totalCount).toBe(9);
    const got = (await logs(s, again.id)).map((r) => `44${r.phone}`).sort();
    expect(got).toEqual([...readers].sort());
  }, 60_000);

  it("item 2: an audience that resolves to nobody completes with a reason a user can read", async () => {
    const s = await defaultSetup();
    const segment = await expectStatus(
      await api("/v1/segments", jsonInit("POST", { name: "Nobody yet" }, key(s))),
      201,
    );
    const created = await createV1(
      s,
      booking({ name: "empty", type: "segment", segments: [{ id: segment.id }] }),
    );
    const done = await waitV1(s, created.id, "completed");
    expect(done.processedStats.totalCount).toBe(0);
    expect(done.pauseReason).toMatch(/Nobody to send to/);
  });

  it("item 3: a cancel while the audience is being resolved leaves no recipient pending", async () => {
    const { s, created, stub } = await scheduledClientBroadcast(3_000, 800_000);
    const { gate, resolving } = await resolveHeldAtSecondPage(stub);
    // The cancel lands while the resolve waits; then the rest of the audience comes in.
    await expectStatus(
      await api(
        `/v1/broadcasts/${created.id}`,
        jsonInit("PUT", booking({ status: "cancelled" }), key(s)),
      ),
      200,
    );
    gate.release();
    await resolving;
    const counters = await runInDurableObject(stub, (obj: BroadcastDO) =>
      (obj as any).store.counters(),
    );
    expect(counters.pending + counters.queued + counters.sending, JSON.stringify(counters)).toBe(0);
    expect(counters.cancelled).toBeGreaterThan(0);
    const got = await expectStatus(
      await api(`/v1/broadcasts/${created.id}`, { headers: key(s) }),
      200,
    );
    expect(got.status).toBe("cancelled");
  }, 60_000);

  it("item 3: an edit while the audience is being resolved is refused, and the rows are the plan they were rendered from", async () => {
    const { s, created, stub } = await scheduledClientBroadcast(2_000, 820_000);
    const { gate, resolving } = await resolveHeldAtSecondPage(stub);
    const edit = await api(
      `/v1/broadcasts/${created.id}`,
      jsonInit(
        "PUT",
        booking({
          status: "scheduled",
          scheduleDateTime: future(7_200_000),
          bodyTextParameters: ["X"],
        }),
        key(s),
      ),
    );
    gate.release();
    await resolving;
    expect(edit.status).toBe(409);
    const plan = await runInDurableObject(
      stub,
      (obj: BroadcastDO) => (obj as any).store.broadcast().plan,
    );
    expect(plan.audienceResolved).toBe(true);
    expect(JSON.parse(plan.definition).bodyTextParameters).toEqual(["{{contact.firstName}}"]);
  }, 60_000);

  it("item 4: a delete racing the alarm's flush leaves no ghost in the list or the projection", async () => {
    const { s, created, stub } = await scheduledClientBroadcast(300, 850_000);
    // A cancelled broadcast whose summary is not yet in D1; the alarm's flush
    // is held at its summary write…
    const gate = await runInDurableObject(stub, async (obj: BroadcastDO) => {
      const instance = obj as any;
      const b = instance.store.broadcast();
      instance.store.updateBroadcast({
        plan: { ...b.plan, scheduledAt: new Date(Date.now() - 1000).toISOString() },
      });
      await instance.resolve(instance.store.broadcast());
      instance.store.cancelUnsent();
      instance.store.updateBroadcast({ state: "cancelled", completedAt: new Date().toISOString() });
      const held = gateD1(instance.env.DB, /insert\s+into\s+"?broadcasts"?/i);
      instance.env = { ...instance.env, DB: held.db };
      instance.outbox.env = instance.env;
      return held;
    });
    const flushing = runDurableObjectAlarm(stub);
    await gate.reached();
    // …when the delete comes in; then the flush goes on.
    const deleting = api(`/v1/broadcasts/${created.id}`, { method: "DELETE", headers: key(s) });
    await new Promise((r) => setTimeout(r, 200));
    gate.release();
    await expectStatus(await deleting, 200);
    await flushing;
    const list = await expectStatus(
      await api("/v1/broadcasts?limit=100", { headers: key(s) }),
      200,
    );
    expect(list.map((b: any) => b.id)).not.toContain(created.id);
    expect(await projectionRows(s.account.accountId, created.id, "seq")).toEqual([]);
    expect(await d1Rows(created.id, "seq")).toEqual([]);
  }, 60_000);
});

/** A one-hour UTC sending window from the top of the hour after next (closed for at least an hour). */
function windowFromTheHourAfterNext() {
  const hour = (offset: number) =>
    `${String((new Date().getUTCHours() + offset) % 24).padStart(2, "0")}:00`;
  return { start: hour(2), end: hour(3) };
}
