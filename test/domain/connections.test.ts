/**
 * Invariant 7: the Cloud API transport never has more than six sends waiting
 * for headers per invocation (src/whatsapp/connections.ts).
 */
import { describe, expect, it } from "vitest";
import type { Bindings } from "../../src/env";
import { Connections, invocationConnections } from "../../src/whatsapp/connections";

describe("connections per invocation", () => {
  it("hands out at most six at once; the seventh waits for a release", async () => {
    const connections = invocationConnections({} as Bindings);
    expect(connections.limit).toBe(6);
    const wave = await connections.acquire(10);
    expect(wave).toHaveLength(6);
    let seventh: (() => void)[] | null = null;
    const waiting = connections.acquire(1, 0).then((r) => {
      seventh = r;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(seventh).toBeNull();
    wave[0]?.();
    await waiting;
    expect(seventh).toHaveLength(1);
  });

  it("takes what is free after its patience rather than waiting for a whole wave", async () => {
    const connections = new Connections(6);
    const held = await connections.acquire(4);
    const started = Date.now();
    const next = await connections.acquire(6, 30);
    expect(next).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    for (const release of [...held, ...next]) release();
    expect(await connections.acquire(6)).toHaveLength(6);
  });

  it("is lifted only by CLOUD_API_CONNECTIONS=0 (the benchmark switch)", async () => {
    const open = invocationConnections({ CLOUD_API_CONNECTIONS: "0" } as Bindings);
    expect(await open.acquire(50)).toHaveLength(50);
  });
});
