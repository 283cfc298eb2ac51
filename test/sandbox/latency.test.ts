/**
 * The sandbox's latency model (answers delayed log-normally, seeded), its
 * arrival-stamped throughput window, and the 9999 behaviour (a 2xx without
 * a message id). See sandbox/README.md.
 */
import { describe, expect, it } from "vitest";
import { latencyMs } from "../../sandbox/latency";
import { SlidingWindow } from "../../sandbox/throughput";
import { createNumber, hello, recipient, send, stats } from "./helpers";

describe("latency model", () => {
  it("is deterministic by seed and ordinal, with the median and 99th percentile asked for", () => {
    const model = { p50_ms: 250, p99_ms: 900, seed: 7 };
    expect(latencyMs(model, 42)).toBe(latencyMs(model, 42));
    expect(latencyMs({ ...model, seed: 8 }, 42)).not.toBe(latencyMs(model, 42));
    const draws = Array.from({ length: 20_000 }, (_, i) => latencyMs(model, i)).sort(
      (a, b) => a - b,
    );
    const p50 = draws[10_000] ?? 0;
    const p99 = draws[19_800] ?? 0;
    expect(p50).toBeGreaterThan(225);
    expect(p50).toBeLessThan(275);
    expect(p99).toBeGreaterThan(750);
    expect(p99).toBeLessThan(1_050);
    expect(latencyMs({ p50_ms: 0, p99_ms: 0, seed: 1 }, 3)).toBe(0);
  });

  it("delays the answer of a number that has it, not of one that has not", async () => {
    const slow = await createNumber({ latency: { p50_ms: 300, p99_ms: 300, seed: 1 } });
    const started = Date.now();
    expect((await send(slow, hello(recipient(), "l-1"))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    const fast = await createNumber({});
    const again = Date.now();
    expect((await send(fast, hello(recipient(), "l-2"))).status).toBe(200);
    expect(Date.now() - again).toBeLessThan(280);
  });
});

describe("throughput window by arrival", () => {
  it("counts sends processed out of their arrival order in their place", () => {
    const w = new SlidingWindow(1000);
    w.add(1_000);
    w.add(1_500);
    // Arrived at 1,200 but processed last: it still shares a window with both.
    expect(w.add(1_200)).toBe(3);
    expect(w.count(2_100)).toBe(2);
    expect(w.count(2_600)).toBe(0);
  });
});

describe("9999", () => {
  it("accepts the message but answers 200 without a message id", async () => {
    const n = await createNumber({});
    const res = await send(n, hello(recipient("9999"), "n-1"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: unknown[] };
    expect(body.messages).toEqual([]);
    expect((await stats(n)).accepted).toBe(1);
  });
});
