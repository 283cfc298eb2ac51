/**
 * Helpers for the sandbox's own tests. They speak to the sandbox Worker
 * through the WHATSAPP_API service binding, exactly as the API does. The
 * sandbox's state is shared by every test file, so each test makes its own
 * numbers (fresh phone number and WABA ids) and never touches global state.
 */
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { TEST_APP_SECRET } from "../bindings";

export const SANDBOX = "http://sandbox.test";

export function sandboxFetch(path: string, init?: RequestInit): Promise<Response> {
  return env.WHATSAPP_API.fetch(`${SANDBOX}${path}`, init);
}

export function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return sandboxFetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Reads the JSON body, failing with the body printed when the status is not `status`. */
export async function json<T = any>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const text = await r.text();
  expect(r.status, `${r.status} ${text.slice(0, 1500)}`).toBe(status);
  return JSON.parse(text) as T;
}

let seq = 0;
/** Digits no other test uses: random, with a per-file sequence against collisions. */
export function uniqueDigits(length = 15): string {
  seq++;
  const [a = 0, b = 0] = crypto.getRandomValues(new Uint32Array(2));
  return `9${a}${b}${seq}`.slice(0, length).padEnd(length, "3");
}

/** A recipient number (+44…) ending in `suffix`; the default suffix triggers no scripted behaviour. */
export function recipient(suffix = "0000"): string {
  const [r = 0] = crypto.getRandomValues(new Uint32Array(1));
  return `+447${String(r % 10_000_000).padStart(7, "0")}${suffix}`;
}

export const digits = (to: string) => to.replace(/\D/g, "");

export interface Num {
  phoneNumberId: string;
  wabaId: string;
  displayNumber: string;
  accessToken: string;
}

/** A fresh sandbox number (with its own WABA unless given one). */
export async function createNumber(config: Record<string, unknown> = {}): Promise<Num> {
  const n: Num = {
    phoneNumberId: uniqueDigits(15),
    wabaId: typeof config.waba_id === "string" ? config.waba_id : uniqueDigits(15),
    displayNumber: `1555${uniqueDigits(7).slice(1)}0`,
    accessToken: `token-${crypto.randomUUID()}`,
  };
  await json(
    postJson(`/__sandbox/numbers/${n.phoneNumberId}`, {
      waba_id: n.wabaId,
      display_phone_number: n.displayNumber,
      access_token: n.accessToken,
      ...config,
    }),
  );
  return n;
}

export function configure(n: Num, config: Record<string, unknown>) {
  return json(postJson(`/__sandbox/numbers/${n.phoneNumberId}`, config));
}

export function send(
  n: Num,
  payload: Record<string, unknown>,
  token: string | null = n.accessToken,
) {
  return postJson(
    `/v23.0/${n.phoneNumberId}/messages`,
    {
      messaging_product: "whatsapp",
      recipient_type: "individual",
      ...payload,
    },
    token === null ? {} : { authorization: `Bearer ${token}` },
  );
}

/** Sends and expects Meta's acceptance; returns the wamid. */
export async function sendOk(n: Num, payload: Record<string, unknown>): Promise<string> {
  const body = await json(send(n, payload));
  return body.messages[0].id;
}

export interface MetaErrorAnswer {
  status: number;
  code: number;
  error: any;
}

export async function errorOf(res: Response | Promise<Response>): Promise<MetaErrorAnswer> {
  const r = await res;
  const body: any = await r.json();
  expect(body.error, JSON.stringify(body)).toBeDefined();
  return { status: r.status, code: body.error.code, error: body.error };
}

// ---- payloads ---------------------------------------------------------------------------

export const text = (t: string) => ({ type: "text", text: t });

export function template(name: string, components: unknown[] = [], language = "en") {
  return { name, language: { code: language }, components };
}

export function hello(to: string, callback?: string) {
  return {
    to,
    type: "template",
    template: template("hello_world"),
    ...(callback ? { biz_opaque_callback_data: callback } : {}),
  };
}

/** The components of the seed's holiday example (image header, 3 body values, 2 URL suffixes). */
export function holidayComponents(body = ["Alex", "18h00", "City Centre"]) {
  return [
    {
      type: "header",
      parameters: [{ type: "image", image: { link: "https://www.example.com/image.jpg" } }],
    },
    { type: "body", parameters: body.map(text) },
    { type: "button", sub_type: "url", index: "0", parameters: [text("summer")] },
    { type: "button", sub_type: "url", index: 1, parameters: [text("london")] },
  ];
}

export function holiday(to: string, components: unknown[] = holidayComponents(), language = "en") {
  return {
    to,
    type: "template",
    template: template("holiday_sale_template", components, language),
    biz_opaque_callback_data: `broadcast-1:${digits(to)}`,
  };
}

export function card(index: number, headerType = "image", body = ["Shoes", "$99"]) {
  return {
    card_index: index,
    components: [
      {
        type: "header",
        parameters: [{ type: headerType, [headerType]: { link: "https://www.example.com/p.jpg" } }],
      },
      { type: "body", parameters: body.map(text) },
      { type: "button", sub_type: "url", index: "0", parameters: [text(`p-${index}`)] },
    ],
  };
}

export function carousel(to: string, cards: unknown[] = [card(0), card(1)]) {
  return {
    to,
    type: "template",
    template: template("product_carousel_template", [
      { type: "body", parameters: [text("Alex")] },
      { type: "carousel", cards },
    ]),
  };
}

// ---- webhooks and inspection -------------------------------------------------------------

export interface Delivery {
  body: string;
  headers: Record<string, string>;
}

export async function drain(n: Num, all = true): Promise<Delivery[]> {
  const body = await json(
    sandboxFetch(`/__sandbox/numbers/${n.phoneNumberId}/webhooks/drain${all ? "?all=true" : ""}`, {
      method: "POST",
    }),
  );
  return body.deliveries;
}

/** The expected X-Hub-Signature-256 of a raw body, computed independently of the sandbox. */
export async function signatureOf(body: string, secret = TEST_APP_SECRET): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export interface Events {
  deliveries: Delivery[];
  statuses: any[];
  messages: any[];
  contacts: any[];
}

/**
 * Drains every webhook of the number and checks each one as the API will:
 * signature over the raw body, headers, Meta's envelope, this number's metadata.
 */
export async function events(n: Num): Promise<Events> {
  const deliveries = await drain(n);
  const out: Events = { deliveries, statuses: [], messages: [], contacts: [] };
  for (const d of deliveries) {
    expect(d.headers["content-type"]).toBe("application/json");
    expect(d.headers["x-hub-signature-256"]).toBe(await signatureOf(d.body));
    const body = JSON.parse(d.body);
    expect(body.object).toBe("whatsapp_business_account");
    expect(body.entry).toHaveLength(1);
    expect(body.entry[0].id).toBe(n.wabaId);
    expect(body.entry[0].changes).toHaveLength(1);
    const change = body.entry[0].changes[0];
    expect(change.field).toBe("messages");
    expect(change.value.messaging_product).toBe("whatsapp");
    expect(change.value.metadata).toEqual({
      display_phone_number: n.displayNumber,
      phone_number_id: n.phoneNumberId,
    });
    out.statuses.push(...(change.value.statuses ?? []));
    out.messages.push(...(change.value.messages ?? []));
    out.contacts.push(...(change.value.contacts ?? []));
  }
  return out;
}

export async function stats(n: Num): Promise<any> {
  const body = await json(sandboxFetch(`/__sandbox/stats?phone_number_id=${n.phoneNumberId}`));
  expect(body.numbers).toHaveLength(1);
  return body.numbers[0];
}

export async function inspect(n: Num, to?: string): Promise<{ messages: any[]; attempts: any[] }> {
  const q = to ? `&to=${encodeURIComponent(to)}` : "";
  return json(sandboxFetch(`/__sandbox/messages?phone_number_id=${n.phoneNumberId}${q}`));
}
