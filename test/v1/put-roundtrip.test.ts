/**
 * Issue 16, item 5: whatever `GET /v1/broadcasts/{id}` returns, `PUT` accepts
 * back unchanged (the server-set fields are ignored), for every audience type.
 */
import { describe, expect, it } from "vitest";
import { future, type Setup, setup } from "../engine";
import { api, apiKey, expectStatus, jsonInit } from "../helpers";

const key = (s: Setup) => apiKey(s.account.key);

async function call(s: Setup, method: string, path: string, body?: unknown, status = 200) {
  const init = body === undefined ? { method, headers: key(s) } : jsonInit(method, body, key(s));
  return expectStatus(await api(path, init), status);
}

describe("PUT /v1/broadcasts/{id} takes back its own GET", () => {
  it("item 5: a GET body of every audience type, PUT unchanged, is a 200 that changes nothing", async () => {
    const s = await setup();
    await call(s, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
    const segment = await call(s, "POST", "/v1/segments", { name: "Regulars" }, 201);
    const cls = await call(
      s,
      "POST",
      "/v1/classes",
      { name: "Yoga", startsAt: "2030-01-01T09:00:00Z" },
      201,
    );
    const base = {
      name: "Round trip",
      template: { name: "hello_world", language: "en" },
      scheduleDateTime: future(24 * 3600_000).replace(/\.\d{3}Z$/, "Z"),
    };
    const client = await call(s, "POST", "/v1/broadcasts", {
      ...base,
      type: "client",
      status: "draft",
    });
    const bodies = [
      { ...base, type: "client", status: "draft" },
      { ...base, type: "segment", segments: [{ id: segment.id }] },
      { ...base, type: "class", targetClass: { id: cls.id }, targetClassStatus: "BOOKED" },
      {
        ...base,
        type: "retarget",
        retargetBroadcast: { id: client.id },
        retargetEngagementType: "read",
      },
    ];
    for (const body of bodies) {
      const created = await call(s, "POST", "/v1/broadcasts", body);
      const shown = await call(s, "GET", `/v1/broadcasts/${created.id}`);
      const put = await api(`/v1/broadcasts/${created.id}`, jsonInit("PUT", shown, key(s)));
      const answer = await expectStatus(put, 200);
      expect(answer, `${body.type}: PUT answers what GET showed`).toEqual(shown);
      expect(await call(s, "GET", `/v1/broadcasts/${created.id}`)).toEqual(shown);
    }
  });
});
