/**
 * Issue 16, item 6: a repeated create (same client_unique_identifier, same
 * body) answers the first 202 body exactly, whatever happened since.
 */
import { describe, expect, it } from "vitest";
import { mobileNumber } from "../domain/phones";
import { future, helloBody, setup } from "../engine";
import { api, bearer, call, expectStatus, jsonInit } from "../helpers";

describe("idempotent create", () => {
  it("item 6: the repeat is the first 202 byte for byte, warnings.messaging_limit included", async () => {
    const s = await setup();
    // 251 new people against a limit of 250: the first answer carries warnings.messaging_limit.
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { messagingLimit: 250 }, 200);
    const base = Math.floor(Math.random() * 50_000);
    const people = Array.from({ length: 251 }, (_, i) => mobileNumber(base + i, "0"));
    const body = helloBody(s.sender.phoneNumber, [...people, "12"], {
      client_unique_identifier: crypto.randomUUID(),
      scheduled_for: future(24 * 3600_000),
    });
    const post = () => api("/broadcasts", jsonInit("POST", body, bearer(s.account.key)));
    const firstText = await (await post()).text();
    const first = JSON.parse(firstText);
    expect(first.warnings.messaging_limit, firstText).toMatchObject({ limit: 250 });
    expect(first.warnings.recipients).toHaveLength(1);

    // The broadcast moves on (cancelled here); the repeat still says what the create said.
    await expectStatus(
      await api(`/broadcasts/${first.uuid}/cancel`, {
        method: "POST",
        headers: bearer(s.account.key),
      }),
      200,
    );
    const again = await post();
    expect(again.status).toBe(202);
    expect(await again.text()).toBe(firstText);
  });
});
