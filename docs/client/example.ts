/**
 * A typed Chorus client in a few lines: openapi-fetch over the types that
 * openapi-typescript made from Chorus's OpenAPI document (schema.d.ts, by
 * `npm run client:generate`). It creates a broadcast and polls its status
 * until it completes. Against `npm run dev`:
 *
 *   npx tsx docs/client/example.ts 447592850122
 *
 * (CHORUS_URL and CHORUS_KEY default to the local stack and its demo key.)
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

export type BroadcastDetails = components["schemas"]["BroadcastDetails"];

export interface BroadcastOptions {
  baseUrl: string;
  apiKey: string;
  /** One of the account's senders (its display number). */
  from: string;
  /** Phone numbers with country code. */
  to: string[];
  template?: string;
  pollEveryMs?: number;
  timeoutMs?: number;
  /** Another fetch (a test's, a proxy's); the global one by default. */
  fetch?: typeof fetch;
}

/** Creates a broadcast of `template` to `to` and answers its details once it is over. */
export async function broadcastAndWait(options: BroadcastOptions): Promise<BroadcastDetails> {
  const chorus = createClient<paths>({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}` },
    fetch: options.fetch,
  });

  const created = await chorus.POST("/broadcasts", {
    body: {
      channel_type: "whatsapp",
      name: "Typed client example",
      template_name: options.template ?? "hello_world",
      from: options.from,
      recipients: options.to.map((identifier) => ({ identifier })),
    },
  });
  // Every error is the same envelope, typed: `code` is one of the API's error codes.
  if (created.error) throw new Error(`${created.error.code}: ${created.error.details}`);
  const { uuid, rejected_recipients } = created.data;
  if (rejected_recipients > 0) console.warn(created.data.warnings.recipients);

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const { data, error } = await chorus.GET("/broadcasts/{uuid}", {
      params: { path: { uuid } },
    });
    if (error) throw new Error(`${error.code}: ${error.details}`);
    if (data.status === "completed" || data.status === "cancelled") return data;
    if (Date.now() > deadline) throw new Error(`Broadcast ${uuid} is still ${data.status}`);
    await new Promise((resolve) => setTimeout(resolve, options.pollEveryMs ?? 1_000));
  }
}

// Run as a script: broadcast to the numbers given, print the outcome.
if (import.meta.url === `file://${process.argv[1]}`) {
  const details = await broadcastAndWait({
    baseUrl: process.env.CHORUS_URL ?? "http://localhost:8787",
    apiKey: process.env.CHORUS_KEY ?? "chorus-demo-key",
    from: process.env.CHORUS_FROM ?? "447576209857",
    to: process.argv.slice(2),
  });
  console.log(
    `${details.uuid} ${details.status}: ${details.sent} sent, ${details.delivered} delivered, ${details.read} read, ${details.failed} failed, ${details.rejected} rejected`,
  );
}
