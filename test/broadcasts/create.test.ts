import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BroadcastDO } from "../../src/durable/broadcast-do";
import { broadcastStub } from "../../src/durable/stubs";
import { mobileNumber } from "../domain/phones";
import {
  createBroadcast,
  details,
  future,
  helloBody,
  holidayBody,
  sandboxStats,
  setup,
} from "../engine";
import { api, bearer, createAccount, expectStatus, jsonInit } from "../helpers";

const SEED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("POST /broadcasts: the seed's examples", () => {
  it("creates the holiday example as written (dates moved into the future)", async () => {
    const s = await setup();
    const scheduled = future(3_600_000);
    const body = {
      channel_type: "whatsapp",
      name: "Holiday Sale",
      template_name: "holiday_sale_template",
      locale: "en",
      valid_until: future(7_200_000),
      scheduled_for: scheduled,
      from: s.sender.phoneNumber,
      parameters: {
        header: { type: "image", value: "https://www.example.com/image.jpg" },
        body_order: ["Name", "Time", "Place"],
        button_order: ["url_1", "url_2"],
      },
      version: 1,
      client_unique_identifier: "abe120b4-048c-4d00-9c1a-0b01d34c583c",
      recipients: [
        {
          identifier: "447592850122",
          client_reference: "541d2b80-7569-4774-8798-f89c3378bbfa",
          parameters: {
            header: { value: "https://www.example.com/override/image.jpg" },
            body: { Name: "Alex", Place: "City Centre", Time: "18h00" },
            button: { url_1: "url parameter value 1", url_2: "url parameter value 2" },
          },
        },
        {
          identifier: "27827134468",
          client_reference: "541d2b80-7569-4774-8798-f89c3378bbfa",
          parameters: {
            body: { Name: "Jordan", Place: "City Hall", Time: "18h00" },
            button: { url_1: "url parameter value 1", url_2: "url parameter value 2" },
          },
        },
      ],
    };
    const created = await createBroadcast(s, body);
    expect(created).toEqual({
      uuid: expect.stringMatching(SEED_UUID),
      status: "scheduled",
      scheduled_at: new Date(scheduled).toISOString().replace(".000Z", "Z"),
      recipients: 2,
      rejected_recipients: 0,
      warnings: { recipients: [] },
      // The cost extension (issue 19): what sending costs at most.
      estimate: expect.objectContaining({ currency: "USD", upper_bound: true }),
    });
    const got = await details(s, created.uuid);
    expect(got).toMatchObject({
      uuid: created.uuid,
      status: "scheduled",
      scheduled_at: created.scheduled_at,
      recipients: 2,
      sent: 0,
      delivered: 0,
      read: 0,
      rejected: 0,
      failed: 0,
    });
  });

  it("creates the carousel example as written", async () => {
    const s = await setup();
    const created = await createBroadcast(s, {
      channel_type: "whatsapp",
      name: "Product Showcase",
      template_name: "product_carousel_template",
      locale: "en",
      scheduled_for: future(3_600_000),
      from: s.sender.phoneNumber,
      parameters: {
        body_order: ["Name"],
        cards: [
          {
            header: { type: "image", value: "https://www.example.com/product1.jpg" },
            body_order: ["product_name", "price"],
            button_order: ["url_suffix"],
          },
          {
            header: { type: "image", value: "https://www.example.com/product2.jpg" },
            body_order: ["product_name", "price"],
            button_order: ["url_suffix"],
          },
        ],
      },
      recipients: [
        {
          identifier: "447592850122",
          client_reference: "541d2b80-7569-4774-8798-f89c3378bbfa",
          parameters: {
            body: { Name: "Alex" },
            cards: [
              {
                header: { value: "https://www.example.com/alex/product1.jpg" },
                body: { product_name: "Running Shoes", price: "$99.00" },
                button: { url_suffix: "running-shoes-123" },
              },
              {
                body: { product_name: "Casual Sneakers", price: "$79.00" },
                button: { url_suffix: "casual-sneakers-456" },
              },
            ],
          },
        },
        {
          identifier: "27827134468",
          client_reference: "661d2b80-7569-4774-8798-f89c3378bbfb",
          parameters: {
            body: { Name: "Jordan" },
            cards: [
              {
                body: { product_name: "Trail Boots", price: "$120.00" },
                button: { url_suffix: "trail-boots-789" },
              },
              {
                body: { product_name: "Slip-Ons", price: "$49.00" },
                button: { url_suffix: "slip-ons-012" },
              },
            ],
          },
        },
      ],
    });
    expect(created).toMatchObject({ status: "scheduled", recipients: 2, rejected_recipients: 0 });
  });
});

describe("POST /broadcasts: rejections and refusals", () => {
  it("rejects bad recipients with every reason and accepts the rest", async () => {
    const s = await setup();
    const suppressed = mobileNumber(1);
    await env.DB.prepare(
      "INSERT INTO suppressions (account_id, phone, reason) VALUES (?, ?, 'test')",
    )
      .bind(s.account.accountId, suppressed)
      .run();
    const good = mobileNumber(2);
    const body = holidayBody(
      s.sender.phoneNumber,
      [good, "12345", good, suppressed, mobileNumber(3)],
      {
        scheduled_for: future(3_600_000),
      },
    );
    delete (body.recipients[4] as any).parameters.body.Name;
    (body.recipients[4] as any).parameters.body.Time = "   ";
    const created = await createBroadcast(s, body);
    expect(created.recipients).toBe(1);
    expect(created.rejected_recipients).toBe(4);
    const errors = Object.fromEntries(
      created.warnings.recipients.map((w: any) => [w.identifier, w.errors.join(" | ")]),
    );
    expect(errors["12345"]).toMatch(/phone/i);
    expect(errors[good]).toMatch(/Duplicate recipient/);
    expect(errors[suppressed]).toContain("Recipient has opted out");
    expect(errors[mobileNumber(3)]).toMatch(/Missing body parameter 'Name'/);
    expect(errors[mobileNumber(3)]).toMatch(/Empty body parameter 'Time'/);

    const page = await expectStatus(
      await api(`/broadcasts/${created.uuid}/recipients`, { headers: bearer(s.account.key) }),
      200,
    );
    expect(page.pagination.total).toBe(5);
    expect(page.recipients.filter((r: any) => r.status === "rejected")).toHaveLength(4);
    expect(page.recipients[0]).toMatchObject({
      identifier: good,
      status: "pending",
      client_reference: "ref-0",
    });
    expect(page.recipients[1]).toMatchObject({
      identifier: "12345",
      status: "rejected",
      error: expect.any(String),
    });
    const got = await details(s, created.uuid);
    expect(got).toMatchObject({ recipients: 5, rejected: 4 });
  });

  it("answers 400 when no recipient is accepted, and stores nothing", async () => {
    const s = await setup();
    const res = await api(
      "/broadcasts",
      jsonInit("POST", helloBody(s.sender.phoneNumber, ["1", "2"]), bearer(s.account.key)),
    );
    const out = await expectStatus(res, 400);
    expect(out.message).toBe("Broadcast could not be scheduled");
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM broadcasts WHERE account_id = ?")
      .bind(s.account.accountId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("refuses unknown senders and templates with 404, unapproved or mismatched templates and bad times with 400", async () => {
    const s = await setup();
    const to = [mobileNumber(10)];
    const cases: [unknown, number, RegExp][] = [
      [helloBody("447000000009", to), 404, /from/],
      [
        { ...helloBody(s.sender.phoneNumber, to), template_name: "no_such_template" },
        404,
        /template_name/,
      ],
      [{ ...helloBody(s.sender.phoneNumber, to), locale: "fr" }, 404, /locale 'fr'/],
      [
        { ...helloBody(s.sender.phoneNumber, to), template_name: "pending_promo" },
        400,
        /not APPROVED/,
      ],
      [
        { ...holidayBody(s.sender.phoneNumber, to), parameters: { body_order: ["Name"] } },
        400,
        /body_order/,
      ],
      [
        { ...helloBody(s.sender.phoneNumber, to), valid_until: "2024-12-31T23:59:59Z" },
        400,
        /valid_until.*past/,
      ],
      [
        {
          ...helloBody(s.sender.phoneNumber, to),
          scheduled_for: future(7_200_000),
          valid_until: future(3_600_000),
        },
        400,
        /valid_until: must be later/,
      ],
      [{ ...helloBody(s.sender.phoneNumber, to), channel_type: "sms" }, 400, /channel_type/],
      [{ ...helloBody(s.sender.phoneNumber, to), version: 2 }, 400, /version/],
      [{ ...helloBody(s.sender.phoneNumber, to), recipients: [] }, 400, /recipients/],
      [{ ...helloBody(s.sender.phoneNumber, to), scheduled_for: "tomorrow" }, 400, /scheduled_for/],
      [
        { ...helloBody(s.sender.phoneNumber, to), recipients: [{ identifier: { a: 1 } }] },
        400,
        /recipients\[0\]\.identifier/,
      ],
    ];
    for (const [body, status, details] of cases) {
      const out = await expectStatus(
        await api("/broadcasts", jsonInit("POST", body, bearer(s.account.key))),
        status,
      );
      expect(out.details, JSON.stringify(out)).toMatch(details);
    }
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM broadcasts WHERE account_id = ?")
      .bind(s.account.accountId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("refuses 50,001 recipients on create and 20,001 on validate", async () => {
    const s = await setup();
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ identifier: String(447700000000 + i) }));
    const create = await api(
      "/broadcasts",
      jsonInit(
        "POST",
        { ...helloBody(s.sender.phoneNumber, []), recipients: many(50_001) },
        bearer(s.account.key),
      ),
    );
    expect((await expectStatus(create, 400)).details).toMatch(/recipients/);
    const validate = await api(
      "/broadcasts/validate",
      jsonInit(
        "POST",
        { ...helloBody(s.sender.phoneNumber, []), recipients: many(20_001) },
        bearer(s.account.key),
      ),
    );
    expect((await expectStatus(validate, 400)).details).toMatch(/recipients/);
  });
});

describe("POST /broadcasts/validate", () => {
  it("returns the warnings and stores nothing", async () => {
    const s = await setup();
    const body = holidayBody(s.sender.phoneNumber, [mobileNumber(20), "999"]);
    const out = await expectStatus(
      await api("/broadcasts/validate", jsonInit("POST", body, bearer(s.account.key))),
      200,
    );
    expect(out.warnings.recipients).toHaveLength(1);
    expect(out.warnings.recipients[0].identifier).toBe("999");
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM broadcasts WHERE account_id = ?")
      .bind(s.account.accountId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });
});

describe("idempotency on client_unique_identifier", () => {
  it("returns the first answer for the same body and 409 for another body", async () => {
    const s = await setup();
    const body = helloBody(s.sender.phoneNumber, [mobileNumber(30), mobileNumber(31), "bad"], {
      client_unique_identifier: crypto.randomUUID(),
      scheduled_for: future(3_600_000),
    });
    const first = await createBroadcast(s, body);
    const again = await createBroadcast(s, body);
    expect(again).toEqual(first);
    const other = await api(
      "/broadcasts",
      jsonInit("POST", { ...body, name: "Another name" }, bearer(s.account.key)),
    );
    expect((await expectStatus(other, 409)).details).toMatch(/client_unique_identifier/);
    // Another account may use the same key for its own broadcast.
    const t = await setup();
    const theirs = await createBroadcast(t, { ...body, from: t.sender.phoneNumber });
    expect(theirs.uuid).not.toBe(first.uuid);
  });

  it("creates exactly one broadcast for 20 concurrent identical requests", async () => {
    const s = await setup();
    const identifiers = Array.from({ length: 300 }, (_, i) => mobileNumber(100 + i));
    const body = helloBody(s.sender.phoneNumber, identifiers, {
      client_unique_identifier: crypto.randomUUID(),
      scheduled_for: future(3_600_000),
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        api("/broadcasts", jsonInit("POST", body, bearer(s.account.key))),
      ),
    );
    const bodies = await Promise.all(answers.map((r) => expectStatus(r, 202)));
    expect(new Set(bodies.map((b) => b.uuid)).size).toBe(1);
    const got = await details(s, bodies[0].uuid);
    expect(got.recipients).toBe(300);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM broadcasts WHERE account_id = ?")
      .bind(s.account.accountId)
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
  });
});

describe("cancel, details, recipients, isolation", () => {
  it("cancels before the alarm: the alarm then sends nothing; a second cancel is a 400", async () => {
    const s = await setup();
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [mobileNumber(40), mobileNumber(41)], {
        scheduled_for: future(3_600_000),
      }),
    );
    await expectStatus(
      await api(`/broadcasts/${created.uuid}/cancel`, {
        method: "POST",
        headers: bearer(s.account.key),
      }),
      200,
    );
    const stub = broadcastStub(env, s.account.accountId, created.uuid);
    await runDurableObjectAlarm(stub);
    const got = await details(s, created.uuid);
    expect(got).toMatchObject({ status: "cancelled", cancelled: 2, sent: 0 });
    expect((await sandboxStats(s.number.phoneNumberId)).accepted).toBe(0);
    const again = await expectStatus(
      await api(`/broadcasts/${created.uuid}/cancel`, {
        method: "POST",
        headers: bearer(s.account.key),
      }),
      400,
    );
    expect(again.message).toBe("Broadcast could not be cancelled");
  });

  it("pages recipients by offset and by update time", async () => {
    const s = await setup();
    const ids = Array.from({ length: 7 }, (_, i) => mobileNumber(50 + i));
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, ids, { scheduled_for: future(3_600_000) }),
    );
    const page = await expectStatus(
      await api(`/broadcasts/${created.uuid}/recipients?limit=3&offset=3`, {
        headers: bearer(s.account.key),
      }),
      200,
    );
    expect(page.pagination).toEqual({ offset: 3, limit: 3, total: 7 });
    expect(page.recipients.map((r: any) => r.identifier)).toEqual(ids.slice(3, 6));
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    await expectStatus(
      await api(`/broadcasts/${created.uuid}/cancel`, {
        method: "POST",
        headers: bearer(s.account.key),
      }),
      200,
    );
    const changed = await expectStatus(
      await api(`/broadcasts/${created.uuid}/recipients?updated=${encodeURIComponent(before)}`, {
        headers: bearer(s.account.key),
      }),
      200,
    );
    expect(changed.pagination.total).toBe(7);
    expect(changed.recipients.every((r: any) => r.status === "cancelled")).toBe(true);
    const none = await expectStatus(
      await api(
        `/broadcasts/${created.uuid}/recipients?updated=${encodeURIComponent(future(60_000))}`,
        { headers: bearer(s.account.key) },
      ),
      200,
    );
    expect(none.pagination.total).toBe(0);
    await expectStatus(
      await api(`/broadcasts/${created.uuid}/recipients?limit=0`, {
        headers: bearer(s.account.key),
      }),
      400,
    );
    await expectStatus(
      await api(`/broadcasts/${created.uuid}/recipients?limit=1001`, {
        headers: bearer(s.account.key),
      }),
      400,
    );
  });

  it("answers 404 for another account's broadcast, and changes nothing", async () => {
    const s = await setup();
    const other = await createAccount();
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [mobileNumber(60)], { scheduled_for: future(3_600_000) }),
    );
    for (const [path, method] of [
      [`/broadcasts/${created.uuid}`, "GET"],
      [`/broadcasts/${created.uuid}/recipients`, "GET"],
      [`/broadcasts/${created.uuid}/cancel`, "POST"],
      [`/broadcasts/${created.uuid}/pause`, "POST"],
      [`/broadcasts/${created.uuid}/resume`, "POST"],
    ] as const) {
      await expectStatus(await api(path, { method, headers: bearer(other.key) }), 404);
    }
    expect((await details(s, created.uuid)).status).toBe("scheduled");
  });
});

describe("BroadcastDO create atomicity and counters", () => {
  it("a create that fails half-way leaves no broadcast and no rows", async () => {
    const s = await setup();
    const id = crypto.randomUUID();
    const stub = broadcastStub(env, s.account.accountId, id);
    const plan = {
      accountId: s.account.accountId,
      broadcastId: id,
      surface: "broadcasts" as const,
      name: "half",
      sender: { ...s.sender, throughputMps: 80 },
      template: { name: "hello_world", language: "en" },
      scheduledAt: new Date().toISOString(),
      validUntil: null,
      locationId: null,
      requestHash: null,
      expectedRows: 3,
      definition: null,
      draft: false,
      audienceResolved: true,
    };
    expect((await stub.begin(plan)).outcome).toBe("created");
    await stub.load([
      {
        seq: 0,
        identifier: mobileNumber(70),
        clientReference: null,
        components: "[]",
        name: null,
        rejected: null,
      },
    ]);
    expect(await stub.commit()).toEqual({ ok: false, error: "Incomplete load: 1 of 3 recipients" });
    expect(await stub.summary()).toBeNull();
    // The loading deadline passes: the alarm wipes everything.
    await runInDurableObject(stub, (_instance: BroadcastDO, state) => {
      state.storage.sql.exec("UPDATE broadcast SET loading_deadline = 0");
    });
    await runDurableObjectAlarm(stub);
    const left = await runInDurableObject(stub, (_instance: BroadcastDO, state) => {
      const tables = state.storage.sql
        .exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'recipients'")
        .toArray();
      return tables.length
        ? state.storage.sql.exec("SELECT COUNT(*) AS n FROM recipients").one().n
        : 0;
    });
    expect(left).toBe(0);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM broadcasts WHERE id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("keeps counters equal to the rows through rejections and cancellation", async () => {
    const s = await setup();
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, [mobileNumber(80), mobileNumber(81), "x", mobileNumber(82)], {
        scheduled_for: future(3_600_000),
      }),
    );
    const stub = broadcastStub(env, s.account.accountId, created.uuid);
    const check = () =>
      runInDurableObject(stub, (_instance: BroadcastDO, state) => {
        const counters = Object.fromEntries(
          state.storage.sql
            .exec<{ name: string; n: number }>(
              "SELECT name, n FROM counters WHERE name != 'replied'",
            )
            .toArray()
            .map((r) => [r.name, r.n]),
        );
        const rows = Object.fromEntries(
          state.storage.sql
            .exec<{ status: string; n: number }>(
              "SELECT status, COUNT(*) AS n FROM recipients GROUP BY status",
            )
            .toArray()
            .map((r) => [r.status, r.n]),
        );
        for (const [name, n] of Object.entries(counters)) expect(n, name).toBe(rows[name] ?? 0);
        return rows;
      });
    expect(await check()).toEqual({ pending: 3, rejected: 1 });
    await expectStatus(
      await api(`/broadcasts/${created.uuid}/cancel`, {
        method: "POST",
        headers: bearer(s.account.key),
      }),
      200,
    );
    expect(await check()).toEqual({ cancelled: 3, rejected: 1 });
  });
});
