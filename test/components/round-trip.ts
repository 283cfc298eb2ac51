/**
 * What the component tests share (every component, on both surfaces): the
 * two surfaces' create → sandbox → delivered round trip, and the
 * check that a refused create wrote nothing.
 */
import { env } from "cloudflare:test";
import { expect, vi } from "vitest";
import {
  createBroadcast,
  deliverWebhooks,
  details,
  type Setup,
  sandboxMessages,
  setup,
  waitForStatus,
} from "../engine";
import { api, apiKey, bearer, expectStatus, jsonInit } from "../helpers";

/** The account's broadcasts in D1: a refused create must leave none. */
export async function broadcastRows(s: Setup): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM broadcasts WHERE account_id = ?")
    .bind(s.account.accountId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/** POST /broadcasts that must be a 400 naming `field`; nothing written. */
export async function expectRefused(s: Setup, body: unknown, field: string | RegExp) {
  const res = await api("/broadcasts", jsonInit("POST", body, bearer(s.account.key)));
  const text = await res.text();
  expect(res.status, text).toBe(400);
  if (typeof field === "string") expect(text).toContain(field);
  else expect(text).toMatch(field);
  expect(await broadcastRows(s)).toBe(0);
}

/** Broadcasts API: created, sent (the sandbox accepted it), delivered; the payload sent. */
export async function sendAndDeliver(s: Setup, body: unknown): Promise<any> {
  const created = await createBroadcast(s, body);
  expect(created).toMatchObject({ recipients: 1 });
  await waitForStatus(s, created.uuid, "completed");
  const [sent] = await sandboxMessages(s.number.phoneNumberId);
  expect(sent, "the sandbox accepted the message").toBeDefined();
  await deliverWebhooks(s.number.phoneNumberId);
  await vi.waitUntil(async () => (await details(s, created.uuid)).delivered === 1, {
    timeout: 10_000,
    interval: 200,
  });
  return sent;
}

/** An account whose default sender has one contact, for v1 broadcasts. */
export async function v1Setup(phone: string): Promise<Setup> {
  const s = await setup();
  const key = apiKey(s.account.key);
  await expectStatus(
    await api(`/v1/senders/${s.sender.id}`, jsonInit("PUT", { isDefault: true }, key)),
    200,
  );
  await expectStatus(
    await api(
      "/v1/contacts/bulk",
      jsonInit("POST", { contacts: [{ phone, firstName: "Ada" }] }, key),
    ),
    200,
  );
  return s;
}

export const v1Create = (s: Setup, body: Record<string, unknown>) =>
  api(
    "/v1/broadcasts",
    jsonInit(
      "POST",
      { name: "Commerce", type: "client", bodyTextParameters: ["{{contact.firstName}}"], ...body },
      apiKey(s.account.key),
    ),
  );

/** POST /v1/broadcasts that must be a 400 naming `field`; nothing written. */
export async function expectV1Refused(s: Setup, body: Record<string, unknown>, field: string) {
  const res = await v1Create(s, body);
  const text = await res.text();
  expect(res.status, text).toBe(400);
  expect(text).toContain(field);
  expect(await broadcastRows(s)).toBe(0);
}

/** v1: created, sent, delivered; the broadcast object and the payload sent. */
export async function v1SendAndDeliver(
  s: Setup,
  body: Record<string, unknown>,
): Promise<{ created: any; sent: any }> {
  const key = apiKey(s.account.key);
  const created = await expectStatus(await v1Create(s, body), 200);
  const get = async () =>
    expectStatus(await api(`/v1/broadcasts/${created.id}`, { headers: key }), 200);
  await vi.waitUntil(async () => (await get()).status === "completed", {
    timeout: 20_000,
    interval: 200,
  });
  const [sent] = await sandboxMessages(s.number.phoneNumberId);
  expect(sent, "the sandbox accepted the message").toBeDefined();
  await deliverWebhooks(s.number.phoneNumberId);
  await vi.waitUntil(async () => (await get()).deliveryStats.deliveredCount === 1, {
    timeout: 10_000,
    interval: 200,
  });
  return { created, sent };
}
