/**
 * The watching extensions: GET /broadcasts lists the account's broadcasts of
 * both surfaces (status filter, name search, paging, nothing of another
 * account); GET /broadcasts/{uuid}/activity gives sends per second and
 * failures grouped by Meta's error code.
 */
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import { createBroadcast, future, helloBody, setup, waitForStatus } from "../engine";
import { api, bearer, call, expectStatus } from "../helpers";

const list = async (key: string, query = "") =>
  expectStatus(await api(`/broadcasts${query}`, { headers: bearer(key) }), 200);

describe("GET /broadcasts", () => {
  it("lists both surfaces, newest first, filtered, searched and paged, and only the caller's", async () => {
    const s = await setup();
    const other = await setup();
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
    const later = { scheduled_for: future(3_600_000) };
    const a = await createBroadcast(s, {
      ...helloBody(s.sender.phoneNumber, [mobileNumber(1)], later),
      name: "Spring 100% sale",
    });
    const b = await createBroadcast(s, {
      ...helloBody(s.sender.phoneNumber, [mobileNumber(2)], later),
      name: "Autumn",
    });
    const v1 = await call(s.account, "POST", "/v1/broadcasts", {
      name: "Spring draft",
      type: "client",
      status: "draft",
      template: { name: "hello_world", language: "en" },
    });
    await createBroadcast(other, helloBody(other.sender.phoneNumber, [mobileNumber(3)], later));

    await vi.waitUntil(async () => (await list(s.account.key)).pagination.total === 3, {
      timeout: 10_000,
      interval: 250,
    });
    const all = await list(s.account.key);
    expect(all.broadcasts.map((x: any) => x.uuid).sort()).toEqual([a.uuid, b.uuid, v1.id].sort());
    expect(all.broadcasts.find((x: any) => x.uuid === v1.id)).toMatchObject({
      surface: "v1",
      status: "draft",
    });
    expect(all.broadcasts.find((x: any) => x.uuid === a.uuid)).toMatchObject({
      surface: "broadcasts",
      status: "scheduled",
      recipients: 1,
    });
    expect((await list(s.account.key, "?status=draft")).broadcasts.map((x: any) => x.uuid)).toEqual(
      [v1.id],
    );
    expect(
      (await list(s.account.key, "?search=100%25")).broadcasts.map((x: any) => x.uuid),
    ).toEqual([a.uuid]);
    expect((await list(s.account.key, "?search=spring")).pagination.total).toBe(2);
    const page = await list(s.account.key, "?limit=2&offset=2");
    expect(page.broadcasts).toHaveLength(1);
    expect(page.pagination).toEqual({ offset: 2, limit: 2, total: 3 });
    const bad = await expectStatus(
      await api("/broadcasts?status=done", { headers: bearer(s.account.key) }),
      400,
    );
    expect(bad.details).toContain("status");
  });
});

describe("GET /broadcasts/{uuid}/activity", () => {
  it("counts sends per second and groups failures by Meta's error code", async () => {
    const s = await setup({ throughputMps: 50 });
    const ok = Array.from({ length: 120 }, (_, i) => mobileNumber(10_000 + i));
    const refused = [mobileNumber(1, "2222"), mobileNumber(2, "2222")];
    const created = await createBroadcast(s, helloBody(s.sender.phoneNumber, [...ok, ...refused]));
    await waitForStatus(s, created.uuid, "completed", 30_000);
    const activity = await expectStatus(
      await api(`/broadcasts/${created.uuid}/activity`, { headers: bearer(s.account.key) }),
      200,
    );
    const total = activity.send_rate.reduce((n: number, p: any) => n + p.count, 0);
    expect(total).toBe(120);
    expect(activity.send_rate.length).toBeGreaterThanOrEqual(2); // 120 at 50/s spans seconds
    expect(Math.max(...activity.send_rate.map((p: any) => p.count))).toBeLessThanOrEqual(50);
    expect(activity.failures).toEqual([
      { error_code: 131049, title: expect.stringContaining("healthy ecosystem"), count: 2 },
    ]);
    await expectStatus(
      await api(`/broadcasts/${created.uuid}/activity`, {
        headers: bearer((await setup()).account.key),
      }),
      404,
    );
  }, 40_000);
});
