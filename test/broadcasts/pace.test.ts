/**
 * A sender's throughput is read as it is now, batch by batch: changing it
 * (by hand, or later from Meta's quality signals) changes the pace of the
 * broadcasts already sending on that number.
 */
import { describe, expect, it } from "vitest";
import { mobileNumber } from "../domain/phones";
import { createBroadcast, helloBody, sandboxStats, setup, waitForStatus } from "../engine";
import { api, apiKey, call, expectStatus, jsonInit } from "../helpers";

const numbers = (from: number, n: number) =>
  Array.from({ length: n }, (_, i) => mobileNumber(from + i, "0"));

describe("sender pace follows the sender's current throughput", () => {
  it("a raise mid-broadcast lifts the pace of the broadcast already sending", async () => {
    // The number could take 1,000/s; the sender is registered at 5/s.
    const s = await setup({ throughputMps: 5, sandbox: { mps: 1000 } });
    // The sync reads Meta's level (HIGH at 1,000/s): set the registered 5/s after it.
    await call(s.account, "PUT", `/v1/senders/${s.sender.id}`, { throughputMps: 5 }, 200);
    const created = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, numbers(Math.floor(Math.random() * 50_000), 300)),
    );
    await expectStatus(
      await api(
        `/v1/senders/${s.sender.id}`,
        jsonInit("PUT", { throughputMps: 500 }, apiKey(s.account.key)),
      ),
      200,
    );
    await waitForStatus(s, created.uuid, "completed", 30_000);
    const stats = await sandboxStats(s.number.phoneNumberId);
    expect(stats.accepted).toBe(300);
    // At the registered 5/s no second could hold more than 5 sends.
    expect(stats.max_per_second).toBeGreaterThan(5);
  }, 40_000);
});
