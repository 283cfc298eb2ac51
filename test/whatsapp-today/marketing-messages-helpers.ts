/** Shared by the Marketing Messages API tests (marketing-messages*.test.ts). */
import { expect, vi } from "vitest";
import { mobileNumber } from "../domain/phones";
import { details, type Setup, setup } from "../engine";
import { api, bearer, call, expectStatus } from "../helpers";

export const person = (suffix = "0") => mobileNumber(Math.floor(Math.random() * 60_000), suffix);

export async function marketingSetup(settings: Record<string, unknown> = {}): Promise<Setup> {
  const s = await setup();
  const sender = await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, {
    marketingApi: "marketing_messages",
    ...settings,
  });
  expect(sender).toMatchObject({ marketingApi: "marketing_messages" });
  return s;
}

export async function recipients(s: Setup, uuid: string): Promise<Record<string, any>> {
  const page = await expectStatus(
    await api(`/broadcasts/${uuid}/recipients?limit=100`, { headers: bearer(s.account.key) }),
    200,
  );
  return Object.fromEntries(page.recipients.map((r: any) => [r.identifier, r]));
}

export async function untilSubmitted(s: Setup, uuid: string, n: number): Promise<void> {
  await vi.waitUntil(async () => (await details(s, uuid)).submitted >= n, {
    timeout: 10_000,
    interval: 150,
  });
}
