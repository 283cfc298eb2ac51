/**
 * Each number's throughput cap: past it in any one-second window a send gets
 * 130429 (HTTP 400) and is not accepted; accepted sends never exceed it.
 */
import { describe, expect, it } from "vitest";
import { createNumber, errorOf, hello, inspect, recipient, send, stats } from "./helpers";

async function burst(n: Awaited<ReturnType<typeof createNumber>>, count: number) {
  const answers = await Promise.all(
    Array.from({ length: count }, () => send(n, hello(recipient(), "b-1"))),
  );
  return Promise.all(
    answers.map(async (r) => (r.status === 200 ? { status: 200, code: 0 } : errorOf(r))),
  );
}

describe("throughput", () => {
  it("a burst of 30 at a 10-mps number: at most 10 accepted, the rest 130429", async () => {
    const n = await createNumber({ mps: 10 });
    const started = Date.now();
    const results = await burst(n, 30);
    const elapsed = Date.now() - started;
    const accepted = results.filter((r) => r.status === 200).length;
    const throttled = results.filter((r) => r.code === 130429);
    // The burst takes well under a second here, so the cap is reached exactly.
    if (elapsed < 900) expect(accepted).toBe(10);
    expect(accepted).toBeLessThanOrEqual(10 * Math.ceil((elapsed + 1) / 1000));
    expect(throttled.length).toBe(30 - accepted);
    expect(throttled[0]).toMatchObject({ status: 400, error: { type: "OAuthException" } });

    const s = await stats(n);
    expect(s).toMatchObject({ accepted, rejected_throughput: 30 - accepted, rejected_other: 0 });
    expect(s.max_per_second).toBeGreaterThan(0);
    expect(s.max_per_second).toBeLessThanOrEqual(10);
    expect((await inspect(n)).messages).toHaveLength(accepted);
  });

  it("accepts again once the window has moved on, and never goes past the cap in any second", async () => {
    const n = await createNumber({ mps: 5 });
    const first = await burst(n, 8);
    expect(first.filter((r) => r.status === 200)).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await burst(n, 8);
    expect(second.filter((r) => r.status === 200)).toHaveLength(5);

    // Every accepted send, by time: no one-second window holds more than 5.
    const times = (await inspect(n)).messages
      .map((m) => Date.parse(m.accepted_at))
      .sort((a, b) => a - b);
    expect(times).toHaveLength(10);
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter(
        (t) => t >= (times[i] ?? 0) && t < (times[i] ?? 0) + 1000,
      ).length;
      expect(inWindow).toBeLessThanOrEqual(5);
    }
    const s = await stats(n);
    expect(s).toMatchObject({ accepted: 10, rejected_throughput: 6, max_per_second: 5 });
    expect(Date.parse(s.last_accepted_at) - Date.parse(s.first_accepted_at)).toBeGreaterThanOrEqual(
      1000,
    );
  });

  it("lets a 1000-mps number take a burst of 150 at once", async () => {
    const n = await createNumber({ mps: 1000 });
    const results = await burst(n, 150);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect((await stats(n)).max_per_second).toBe(150);
  });

  it("counts per number: one number's burst does not throttle another's", async () => {
    const a = await createNumber({ mps: 3 });
    const b = await createNumber({ mps: 3, waba_id: a.wabaId });
    const [ra, rb] = await Promise.all([burst(a, 6), burst(b, 6)]);
    expect(ra.filter((r) => r.status === 200)).toHaveLength(3);
    expect(rb.filter((r) => r.status === 200)).toHaveLength(3);
  });
});
