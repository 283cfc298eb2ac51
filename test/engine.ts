/**
 * Helpers for broadcast tests: a sender backed by a fresh sandbox number with
 * its templates synced, seed-shaped request bodies, the sandbox's inspection
 * routes, and delivery of the sandbox's signed webhooks to the API.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { BroadcastDO } from "../src/durable/broadcast-do";
import {
  api,
  apiKey,
  bearer,
  createAccount,
  createSender,
  expectStatus,
  jsonInit,
  type TestAccount,
} from "./helpers";

export interface Setup {
  account: TestAccount;
  sender: { id: string; phoneNumber: string; phoneNumberId: string; wabaId: string };
  number: { phoneNumberId: string; accessToken: string; displayNumber: string };
}

/** An account with one sender on a fresh sandbox number, templates synced. */
export async function setup(
  options: {
    throughputMps?: number;
    sandbox?: Record<string, unknown>;
    account?: TestAccount;
  } = {},
): Promise<Setup> {
  const account = options.account ?? (await createAccount());
  const { sender, number } = await createSender(account, {
    throughputMps: options.throughputMps ?? 1000,
    sandbox: { mps: options.throughputMps ?? 1000, ...options.sandbox },
  });
  await expectStatus(
    await api("/v1/templates/sync", jsonInit("POST", { senderId: sender.id }, apiKey(account.key))),
    200,
  );
  return { account, sender, number };
}

export function future(ms: number): string {
  return new Date(Date.now() + ms).toISOString();
}

/** The seed's holiday example, for any sender and recipients. */
export function holidayBody(
  from: string,
  identifiers: string[],
  extra: Record<string, unknown> = {},
) {
  return {
    channel_type: "whatsapp",
    name: "Holiday Sale",
    template_name: "holiday_sale_template",
    locale: "en",
    from,
    parameters: {
      header: { type: "image", value: "https://www.example.com/image.jpg" },
      body_order: ["Name", "Time", "Place"],
      button_order: ["url_1", "url_2"],
    },
    version: 1,
    recipients: identifiers.map((identifier, i) => ({
      identifier,
      client_reference: `ref-${i}`,
      parameters: {
        body: { Name: `Person ${i}`, Time: "18h00", Place: "City Centre" },
        button: { url_1: `a-${i}`, url_2: `b-${i}` },
      },
    })),
    ...extra,
  };
}

/** A template with no parameters: the lightest body for volume tests. */
export function helloBody(
  from: string,
  identifiers: string[],
  extra: Record<string, unknown> = {},
) {
  return {
    channel_type: "whatsapp",
    name: "Hello",
    template_name: "hello_world",
    from,
    recipients: identifiers.map((identifier, i) => ({ identifier, client_reference: `ref-${i}` })),
    ...extra,
  };
}

export async function createBroadcast(s: Setup, body: unknown): Promise<any> {
  return expectStatus(await api("/broadcasts", jsonInit("POST", body, bearer(s.account.key))), 202);
}

export async function details(s: Setup, uuid: string): Promise<any> {
  return expectStatus(await api(`/broadcasts/${uuid}`, { headers: bearer(s.account.key) }), 200);
}

/**
 * Polls every 200 ms: tests share their account's API key with the 200
 * requests / 10 s rate limit, and a tighter poll would run into it.
 */
export async function waitForStatus(
  s: Setup,
  uuid: string,
  status: string,
  timeout = 25_000,
): Promise<any> {
  let last: any = null;
  try {
    await vi.waitUntil(
      async () => {
        last = await details(s, uuid);
        return last.status === status;
      },
      { timeout, interval: 200 },
    );
  } catch {
    throw new Error(`broadcast ${uuid} did not become ${status}: ${JSON.stringify(last)}`);
  }
  return last;
}

export async function sandbox(path: string, init?: RequestInit): Promise<any> {
  const res = await env.WHATSAPP_API.fetch(`http://sandbox.test${path}`, init);
  return expectStatus(res, 200);
}

export async function sandboxStats(phoneNumberId: string): Promise<any> {
  const body = await sandbox(`/__sandbox/stats?phone_number_id=${phoneNumberId}`);
  const list = Array.isArray(body) ? body : (body.numbers ?? [body]);
  return list.find((n: any) => n.phone_number_id === phoneNumberId) ?? list[0];
}

export async function sandboxMessages(phoneNumberId: string): Promise<any[]> {
  const body = await sandbox(`/__sandbox/messages?phone_number_id=${phoneNumberId}`);
  return Array.isArray(body) ? body : body.messages;
}

export async function configureNumber(phoneNumberId: string, config: Record<string, unknown>) {
  return sandbox(`/__sandbox/numbers/${phoneNumberId}`, jsonInit("POST", config));
}

/** Delivers every webhook the sandbox holds for this number to the API, exactly as signed. */
export async function deliverWebhooks(phoneNumberId: string): Promise<number> {
  const { deliveries } = await sandbox(
    `/__sandbox/numbers/${phoneNumberId}/webhooks/drain?all=true`,
    { method: "POST" },
  );
  for (const d of deliveries as { body: string; headers: Record<string, string> }[]) {
    await expectStatus(
      await api("/webhooks/whatsapp", { method: "POST", headers: d.headers, body: d.body }),
      200,
    );
  }
  return deliveries.length;
}

/** Invariant 2: the DO's counters equal its rows, status by status (and replies). */
export async function expectCountersMatchRows(accountId: string, broadcastId: string) {
  const { runInDurableObject } = await import("cloudflare:test");
  const { broadcastStub } = await import("../src/durable/stubs");
  const { expect } = await import("vitest");
  await runInDurableObject(broadcastStub(env, accountId, broadcastId), (_instance, state) => {
    const counters = Object.fromEntries(
      state.storage.sql
        .exec<{ name: string; n: number }>("SELECT name, n FROM counters")
        .toArray()
        .map((r) => [r.name, r.n]),
    );
    const rows: Record<string, number> = Object.fromEntries(
      state.storage.sql
        .exec<{ status: string; n: number }>(
          "SELECT status, COUNT(*) AS n FROM recipients GROUP BY status",
        )
        .toArray()
        .map((r) => [r.status, r.n]),
    );
    rows.replied = state.storage.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM recipients WHERE replied_at IS NOT NULL")
      .one().n;
    for (const [name, n] of Object.entries(counters))
      expect(n, `counter ${name}`).toBe(rows[name] ?? 0);
  });
}

/** Posts a payload to the Meta webhook route, signed as Meta signs it. */
export async function postSigned(payload: unknown): Promise<any> {
  const { signBody } = await import("../src/whatsapp/webhooks");
  const { TEST_BINDINGS } = await import("./bindings");
  const body = JSON.stringify(payload);
  const signature = await signBody(body, TEST_BINDINGS.META_APP_SECRET);
  return expectStatus(
    await api("/webhooks/whatsapp", {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signature },
      body,
    }),
    200,
  );
}

/**
 * Starts a broadcast sending with its pending rows put in batches as its
 * dispatcher would (each batch takes the rows below `below`, the last one
 * the rest), without enqueueing them: the test is the queue. `armTick` arms
 * the sending tick as startSending leaves it.
 */
export async function queueByHand(
  stub: DurableObjectStub<BroadcastDO>,
  batches: { batchId: number; below?: number }[],
  options: { armTick?: boolean } = {},
): Promise<void> {
  await runInDurableObject(stub, async (instance: BroadcastDO, state) => {
    const store = (instance as any).store;
    store.updateBroadcast({ state: "sending", startedAt: new Date().toISOString() });
    if (options.armTick) await state.storage.setAlarm(Date.now() + 1_000);
    for (const { batchId, below } of batches) {
      store.moveRecipients(
        ["pending"],
        "queued",
        below === undefined ? null : { sql: "seq < ?", binds: [below] },
        { batch_id: batchId },
      );
    }
  });
}
