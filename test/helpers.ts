/**
 * Test factories: each call makes fresh, uniquely named rows through the real
 * API (never fixed ids), so tests are independent of order and of each other.
 */
import { env, exports } from "cloudflare:workers";
import { expect, vi } from "vitest";
import { TEST_BINDINGS } from "./bindings";
import { mobileNumber } from "./domain/phones";

export const BASE = "http://chorus.test";

export function api(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, init);
}

export function jsonInit(
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

export const adminHeaders = { authorization: `Bearer ${TEST_BINDINGS.ADMIN_TOKEN}` };
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
export const apiKey = (key: string) => ({ "x-api-key": key });

/** Reads JSON and fails with the body printed when the status is not the expected one. */
export async function expectStatus<T = any>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, `${res.status} ${text.slice(0, 2000)}`).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

export interface TestAccount {
  accountId: string;
  key: string;
  keyId: string;
}

let seq = 0;
export function uniqueDigits(length = 15): string {
  seq += 1;
  const random = crypto.getRandomValues(new Uint32Array(2));
  const digits = `${random[0]}${random[1]}${seq}`.replace(/\D/g, "");
  return `9${digits}`.slice(0, length).padEnd(length, "7");
}

export async function createAccount(name = `acct-${crypto.randomUUID()}`): Promise<TestAccount> {
  const body = await expectStatus<any>(
    await api("/admin/accounts", jsonInit("POST", { name }, adminHeaders)),
    201,
  );
  return { accountId: body.account.id, key: body.apiKey.key, keyId: body.apiKey.id };
}

export interface SandboxNumber {
  phoneNumberId: string;
  wabaId: string;
  displayNumber: string;
  accessToken: string;
}

/** Registers a fresh number in the sandbox (its state is shared by all test files). */
export async function sandboxNumber(config: Record<string, unknown> = {}): Promise<SandboxNumber> {
  const number: SandboxNumber = {
    phoneNumberId: uniqueDigits(15),
    wabaId: uniqueDigits(15),
    displayNumber: `4420${uniqueDigits(8)}`,
    accessToken: `token-${crypto.randomUUID()}`,
  };
  const res = await env.WHATSAPP_API.fetch(
    `http://sandbox.test/__sandbox/numbers/${number.phoneNumberId}`,
    jsonInit("POST", {
      waba_id: number.wabaId,
      display_phone_number: number.displayNumber,
      access_token: number.accessToken,
      ...config,
    }),
  );
  await expectStatus(res, 200);
  return number;
}

/** A sender of `account` backed by a fresh sandbox number. */
export async function createSender(
  account: TestAccount,
  options: { isDefault?: boolean; throughputMps?: number; sandbox?: Record<string, unknown> } = {},
) {
  const number = await sandboxNumber(options.sandbox);
  const sender = await expectStatus<any>(
    await api(
      "/v1/senders",
      jsonInit(
        "POST",
        {
          phoneNumber: number.displayNumber,
          phoneNumberId: number.phoneNumberId,
          wabaId: number.wabaId,
          accessToken: number.accessToken,
          throughputMps: options.throughputMps ?? 80,
          isDefault: options.isDefault ?? false,
        },
        apiKey(account.key),
      ),
    ),
    201,
  );
  return { sender, number };
}

/** Calls the v1 API as `account` and expects `status`; the body, if any, is sent as JSON. */
export async function call(
  account: TestAccount,
  method: string,
  path: string,
  body?: unknown,
  status = 200,
) {
  const init =
    body === undefined
      ? { method, headers: apiKey(account.key) }
      : jsonInit(method, body, apiKey(account.key));
  return expectStatus<any>(await api(path, init), status);
}

/** A random valid mobile number (UK), for tests that need a few distinct ones. */
export const randomPhone = () => mobileNumber(Math.floor(Math.random() * 61_000_000));

/** Waits until `read()` answers what `ok` accepts (10 s at most); on time-out names `what` and the last answer. */
export async function until<T>(
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
): Promise<T> {
  let last: T | undefined;
  try {
    await vi.waitUntil(
      async () => {
        last = await read();
        return ok(last);
      },
      { timeout: 10_000, interval: 100 },
    );
  } catch {
    throw new Error(`${what}: ${JSON.stringify(last)}`);
  }
  return last as T;
}
