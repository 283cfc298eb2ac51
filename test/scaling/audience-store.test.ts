/**
 * The audience off the shared D1 (docs/SCALING.md §5): an account on
 * "shards" (every new one) keeps its contacts, segments, members, classes
 * and enrolments in its AccountAudienceDO, through the one implementation of
 * src/db/ run over the object's SQLite (src/db/storage-d1.ts). What D1's
 * foreign keys to its own rows did (a location's references, its SET NULL)
 * is done in code, and a page of a broadcast's audience still has its
 * location's timezone and leaves out D1's suppressions.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fetchAudiencePage } from "../../src/db/audience";
import { AUDIENCE_WRITES } from "../../src/db/audience-ops";
import { storageAsD1 } from "../../src/db/storage-d1";
import { audienceRows } from "../audience-rows";
import { mobileNumber } from "../domain/phones";
import { api, apiKey, createAccount, expectStatus, jsonInit, type TestAccount } from "../helpers";

async function call(account: TestAccount, method: string, path: string, body?: unknown) {
  return api(path, jsonInit(method, body, apiKey(account.key)));
}

async function ok(
  account: TestAccount,
  method: string,
  path: string,
  body?: unknown,
  status = 200,
) {
  return expectStatus<any>(await call(account, method, path, body), status);
}

const AUDIENCE_TABLES = ["contacts", "segments", "segment_members", "classes", "enrolments"];

async function d1Counts(accountId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of AUDIENCE_TABLES) {
    const row = await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`)
      .bind(accountId)
      .first<{ n: number }>();
    counts[table] = row?.n ?? -1;
  }
  return counts;
}

async function storeCounts(accountId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of AUDIENCE_TABLES) {
    const [row] = await audienceRows<{ n: number }>(
      accountId,
      `SELECT COUNT(*) AS n FROM ${table} WHERE account_id = ?`,
      accountId,
    );
    counts[table] = row?.n ?? -1;
  }
  return counts;
}

describe("AccountAudienceDO", () => {
  it("holds a shards account's whole audience: no row of it is written to D1", async () => {
    const account = await createAccount();
    const base = Math.floor(Math.random() * 50_000_000);
    const contact = await ok(
      account,
      "POST",
      "/v1/contacts",
      { phone: mobileNumber(base), firstName: "Ada" },
      201,
    );
    await ok(account, "POST", "/v1/contacts/bulk", {
      contacts: [1, 2].map((i) => ({ phone: mobileNumber(base + i) })),
    });
    const segment = await ok(account, "POST", "/v1/segments", { name: "S" }, 201);
    await ok(account, "POST", `/v1/segments/${segment.id}/contacts`, { contactIds: [contact.id] });
    const klass = await ok(
      account,
      "POST",
      "/v1/classes",
      { name: "C", startsAt: "2030-01-01T10:00:00Z" },
      201,
    );
    await ok(account, "POST", `/v1/classes/${klass.id}/enrolments`, { contactId: contact.id }, 201);

    expect(await storeCounts(account.accountId)).toEqual({
      contacts: 3,
      segments: 1,
      segment_members: 1,
      classes: 1,
      enrolments: 1,
    });
    expect(await d1Counts(account.accountId)).toEqual({
      contacts: 0,
      segments: 0,
      segment_members: 0,
      classes: 0,
      enrolments: 0,
    });
  });

  it("its D1 adapter: a batch is one transaction, and a write's changes are counted as D1 counts them", async () => {
    const account = await createAccount();
    const stub = env.ACCOUNT_AUDIENCE.get(env.ACCOUNT_AUDIENCE.idFromName(account.accountId));
    const outcome = await runInDurableObject(stub, async (_instance, state) => {
      const d1 = storageAsD1(state.storage);
      const insert = d1.prepare("INSERT INTO contacts (id, account_id, phone) VALUES (?, ?, ?)");
      let failed = "";
      try {
        // The second row repeats the first's phone: the unique index refuses it.
        await d1.batch([
          insert.bind("a", account.accountId, "1"),
          insert.bind("b", account.accountId, "1"),
        ]);
      } catch (err) {
        failed = String(err);
      }
      const afterFailure = await d1
        .prepare("SELECT COUNT(*) AS n FROM contacts")
        .first<number>("n");
      await d1.batch([
        insert.bind("c", account.accountId, "2"),
        insert.bind("d", account.accountId, "3"),
      ]);
      const update = await d1
        .prepare("UPDATE contacts SET opted_in = ? WHERE account_id = ?")
        .bind(false, account.accountId)
        .run();
      const stored = await d1.prepare("SELECT id, opted_in FROM contacts ORDER BY id").all();
      return { failed, afterFailure, changes: update.meta.changes, rows: stored.results };
    });
    expect(outcome.failed).toMatch(/UNIQUE constraint failed/);
    expect(outcome.afterFailure, "the failed batch wrote nothing").toBe(0);
    expect(outcome.changes).toBe(2);
    expect(outcome.rows).toEqual([
      { id: "c", opted_in: 0 },
      { id: "d", opted_in: 0 },
    ]);
  });

  it("checks a location in code: unknown is a 400 naming the field, in use is a 409, deleted leaves no id behind", async () => {
    const account = await createAccount();
    const tokyo = await ok(
      account,
      "POST",
      "/v1/locations",
      { name: "T", timezone: "Asia/Tokyo" },
      201,
    );
    const unknown = await expectStatus<any>(
      await call(account, "POST", "/v1/contacts", {
        phone: mobileNumber(Math.floor(Math.random() * 50_000_000)),
        location: { id: crypto.randomUUID() },
      }),
      400,
    );
    expect(unknown.details).toMatch(/^location\.id: no location /);

    const contact = await ok(
      account,
      "POST",
      "/v1/contacts",
      { phone: mobileNumber(Math.floor(Math.random() * 50_000_000)), location: { id: tokyo.id } },
      201,
    );
    await ok(account, "POST", "/v1/segments", { name: "S", location: { id: tokyo.id } }, 201);
    // The audience page reads the location's timezone from D1.
    const page = await fetchAudiencePage(
      env,
      account.accountId,
      { type: "client", locationId: tokyo.id },
      null,
    );
    expect(page.contacts.map((c) => [c.id, c.timezone])).toEqual([[contact.id, "Asia/Tokyo"]]);

    const inUse = await expectStatus<any>(
      await call(account, "DELETE", `/v1/locations/${tokyo.id}`),
      409,
    );
    expect(inUse.details).toBe(
      `Location ${tokyo.id} is referenced by 1 contact, 1 segment; move or delete them first`,
    );
    await ok(account, "PUT", `/v1/contacts/${contact.id}`, { location: null });
    const segments = await ok(account, "GET", "/v1/segments");
    await ok(account, "DELETE", `/v1/segments/${segments[0].id}`);
    await ok(account, "DELETE", `/v1/locations/${tokyo.id}`);
    const rows = await audienceRows<{ location_id: string | null }>(
      account.accountId,
      "SELECT location_id FROM contacts WHERE id = ?",
      contact.id,
    );
    expect(rows).toEqual([{ location_id: null }]);
  });
});

describe("AccountAudienceDO while a copy runs (closed)", () => {
  it("refuses every write with AUDIENCE_MOVING, which the API answers as a 503 that changed nothing", async () => {
    const account = await createAccount();
    const stub = env.ACCOUNT_AUDIENCE.get(env.ACCOUNT_AUDIENCE.idFromName(account.accountId));
    const contact = await ok(
      account,
      "POST",
      "/v1/contacts",
      { phone: mobileNumber(Math.floor(Math.random() * 50_000_000)) },
      201,
    );
    await stub.setClosed(true);

    // Every write operation of the object, called as the seam calls it.
    const refusals: string[] = [];
    for (const op of AUDIENCE_WRITES) {
      const call = (stub as any)[op] as (...args: unknown[]) => Promise<unknown>;
      const outcome = await call(account.accountId, contact.id, [contact.id], "BOOKED").then(
        () => "written",
        (err: unknown) => String(err),
      );
      if (!/AUDIENCE_MOVING/.test(outcome)) refusals.push(`${op}: ${outcome}`);
    }
    expect(refusals, "writes a closed object let through").toEqual([]);

    const refused = await call(account, "PUT", `/v1/contacts/${contact.id}`, { firstName: "X" });
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(await expectStatus<any>(refused, 503)).toMatchObject({ code: "AUDIENCE_MOVING" });
    // Reads go on.
    expect(await ok(account, "GET", `/v1/contacts/${contact.id}`)).toMatchObject({
      firstName: null,
    });

    await stub.setClosed(false);
    expect(
      await ok(account, "PUT", `/v1/contacts/${contact.id}`, { firstName: "X" }),
    ).toMatchObject({ firstName: "X" });
  });
});
