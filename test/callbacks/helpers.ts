/** A sandbox receiver standing in for a customer's callback endpoint. */
import { env } from "cloudflare:workers";
import { expectStatus, jsonInit } from "../helpers";

export function receiverUrl(name: string): string {
  return `http://receiver.test/__sandbox/receivers/${name}`;
}

export interface ReceivedPost {
  at: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function received(name: string): Promise<ReceivedPost[]> {
  const res = await env.CALLBACK_FETCH.fetch(`http://receiver.test/__sandbox/receivers/${name}`);
  return (await expectStatus<{ posts: ReceivedPost[] }>(res, 200)).posts;
}

export async function failNext(name: string, count: number, status = 503): Promise<void> {
  await expectStatus(
    await env.CALLBACK_FETCH.fetch(
      `http://receiver.test/__sandbox/receivers/${name}/config`,
      jsonInit("POST", { fail_next: count, fail_status: status }),
    ),
    200,
  );
}

/** The events of the POSTs the receiver accepted, each id once (what a receiver that deduplicates keeps). */
export function acceptedEvents(posts: ReceivedPost[]): Map<string, any> {
  const events = new Map<string, any>();
  for (const p of posts) {
    if (p.status !== 200) continue;
    for (const e of JSON.parse(p.body).events) events.set(e.id, e);
  }
  return events;
}
