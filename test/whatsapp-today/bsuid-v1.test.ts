/**
 * Business-scoped user ids on v1 (item 8 of issue 18): a contact may be known
 * by a user id alone and is then sent to it (`recipient`, sandbox W16); a
 * contact whose user id sent STOP is left out of the audience; the logs
 * carry the user id.
 */
import { describe, expect, it, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import { deliverWebhooks, type Setup, sandbox, sandboxMessages, setup } from "../engine";
import { api, apiKey, call, expectStatus, jsonInit } from "../helpers";

const person = () => mobileNumber(Math.floor(Math.random() * 60_000), "0");
const userId = () => `GB.${String(Math.floor(Math.random() * 1e15)).padStart(15, "1")}0`;

async function logsWhen(s: Setup, id: string, ok: (rows: any[]) => boolean): Promise<any[]> {
  let last: any[] = [];
  try {
    await vi.waitUntil(
      async () => {
        last = await expectStatus<any[]>(
          await api(`/v1/broadcasts/${id}/logs?limit=100`, { headers: apiKey(s.account.key) }),
          200,
        );
        return ok(last);
      },
      { timeout: 10_000, interval: 150 },
    );
  } catch {
    throw new Error(`logs: ${JSON.stringify(last)}`);
  }
  return last;
}

describe("business-scoped user ids on v1", () => {
  it("a contact known only by a user id is sent to it; a STOP from a contact's user id leaves it out", async () => {
    const s = await setup();
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { isDefault: true });
    const missing = await expectStatus(
      await api("/v1/contacts", jsonInit("POST", { firstName: "Nobody" }, apiKey(s.account.key))),
      400,
    );
    expect(missing.details).toContain("phone: required unless userId is given");
    const malformed = await expectStatus(
      await api("/v1/contacts", jsonInit("POST", { userId: "GB.12-3" }, apiKey(s.account.key))),
      400,
    );
    expect(malformed.details).toContain("userId");

    const uid = userId();
    const contact = await call(
      s.account,
      "POST",
      "/v1/contacts",
      { userId: uid, firstName: "Uma" },
      201,
    );
    expect(contact).toMatchObject({ phone: null, userId: uid, name: "Uma" });
    const p = person();
    const stopped = userId();
    await call(
      s.account,
      "POST",
      "/v1/contacts",
      { phone: p, userId: stopped, firstName: "Sam" },
      201,
    );
    // Sam's user id sends STOP (no phone, no context): Sam is suppressed by it.
    await sandbox(
      `/__sandbox/numbers/${s.number.phoneNumberId}/inbound`,
      jsonInit("POST", { from_user_id: stopped, text: "STOP" }),
    );
    await deliverWebhooks(s.number.phoneNumberId);
    await vi.waitUntil(
      async () =>
        (await call(s.account, "GET", "/v1/suppressions?limit=100")).some(
          (e: any) => e.userId === stopped,
        ),
      { timeout: 10_000, interval: 150 },
    );

    const broadcast = await call(s.account, "POST", "/v1/broadcasts", {
      name: "Hello",
      type: "client",
      template: { name: "hello_world", language: "en" },
    });
    const logs = await logsWhen(s, broadcast.id, (rows) => rows.some((r) => r.status === "sent"));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ recepientName: "Uma", status: "sent", userId: uid });
    const sent = await sandboxMessages(s.number.phoneNumberId);
    expect(sent.map((m: any) => m.recipient)).toEqual([uid]);
  }, 30_000);
});
