/**
 * The error table end to end through the sandbox (item 10 of issue 18): a
 * "stop the sender" code pauses every live broadcast of that sender, a
 * "pause the broadcast" code only the one sending, and "fail" only the recipient.
 */
import { describe, expect, it } from "vitest";
import { mobileNumber } from "../domain/phones";
import {
  configureNumber,
  createBroadcast,
  future,
  helloBody,
  holidayBody,
  setup,
  waitForStatus,
} from "../engine";

const people = (n: number) => {
  const base = Math.floor(Math.random() * 50_000);
  return Array.from({ length: n }, (_, i) => mobileNumber(base + i, "0"));
};

describe("error classes through the sandbox", () => {
  it("pause sender: a locked account (131031) pauses every live broadcast of the sender", async () => {
    const s = await setup({ throughputMps: 50 });
    const scheduled = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, people(2), { scheduled_for: future(3_600_000) }),
    );
    await configureNumber(s.number.phoneNumberId, { failure_mode: "account_locked" });
    const sending = await createBroadcast(s, helloBody(s.sender.phoneNumber, people(5)));
    const paused = await waitForStatus(s, sending.uuid, "paused", 15_000);
    expect(paused.pause_reason).toMatch(/^131031: /);
    expect(paused.submitted).toBe(0);
    const other = await waitForStatus(s, scheduled.uuid, "paused", 15_000);
    expect(other.pause_reason).toContain(`every broadcast of ${s.sender.phoneNumber} is paused`);
  }, 30_000);

  it("pause broadcast: a paused template (132015) pauses only the broadcast sending it", async () => {
    const s = await setup({ throughputMps: 50 });
    const scheduled = await createBroadcast(
      s,
      helloBody(s.sender.phoneNumber, people(2), { scheduled_for: future(3_600_000) }),
    );
    await configureNumber(s.number.phoneNumberId, { failure_mode: "template_paused" });
    const sending = await createBroadcast(s, holidayBody(s.sender.phoneNumber, people(5)));
    const paused = await waitForStatus(s, sending.uuid, "paused", 15_000);
    expect(paused.pause_reason).toMatch(/^132015: /);
    expect(await waitForStatus(s, scheduled.uuid, "scheduled")).toMatchObject({
      status: "scheduled",
    });
  }, 30_000);
});
