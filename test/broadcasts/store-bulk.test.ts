/**
 * The BroadcastStore's bulk writes, in a real BroadcastDO's SQLite: a create's
 * load writes a chunk in one statement (rows travel as one JSON parameter)
 * and the outbox marks a projected chunk in one statement. Each row must come
 * back exactly as written, and a row changed after it was read for the
 * projection must stay unprojected.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { NewRecipient } from "../../src/domain/broadcast";
import { BroadcastStore } from "../../src/durable/broadcast/store";
import type { BroadcastDO } from "../../src/durable/broadcast-do";
import { broadcastStub } from "../../src/durable/stubs";

const rows: NewRecipient[] = [
  {
    seq: 0,
    identifier: "447700900001",
    clientReference: "ref-0",
    name: "Ana 'quoted' \"name\"",
    components: JSON.stringify([{ type: "body", parameters: [{ type: "text", text: "x" }] }]),
    rejected: null,
    timezone: "Europe/London",
  },
  {
    seq: 1,
    identifier: "447700900002",
    clientReference: null,
    name: null,
    components: null,
    rejected: ["identifier: not a mobile number"],
  },
  {
    seq: 2,
    identifier: "447700900003",
    clientReference: "0042",
    name: null,
    components: "[]",
    rejected: null,
    timezone: null,
  },
];

describe("BroadcastStore bulk writes", () => {
  it("loads a chunk in one statement, each row as written, a repeat ignored", async () => {
    const stub = broadcastStub(env, "acct-store-bulk", crypto.randomUUID());
    await runInDurableObject(stub, async (_: BroadcastDO, state) => {
      const store = new BroadcastStore(state.storage.sql);
      store.insertRecipients(rows);
      store.insertRecipients([{ ...rows[0], identifier: "changed" } as NewRecipient]);
      expect(store.recipientCount()).toBe(3);
      const raw = state.storage.sql
        .exec(
          "SELECT seq, identifier, client_reference, name, components, status, errors, timezone, typeof(seq) AS seq_type FROM recipients ORDER BY seq",
        )
        .toArray();
      expect(raw).toEqual([
        {
          seq: 0,
          identifier: "447700900001",
          client_reference: "ref-0",
          name: "Ana 'quoted' \"name\"",
          components: rows[0]?.components,
          status: "pending",
          errors: null,
          timezone: "Europe/London",
          seq_type: "integer",
        },
        {
          seq: 1,
          identifier: "447700900002",
          client_reference: null,
          name: null,
          components: null,
          status: "rejected",
          errors: JSON.stringify(["identifier: not a mobile number"]),
          timezone: null,
          seq_type: "integer",
        },
        {
          seq: 2,
          identifier: "447700900003",
          // A numeric-looking reference stays text: "0042", not 42.
          client_reference: "0042",
          name: null,
          components: "[]",
          status: "pending",
          errors: null,
          timezone: null,
          seq_type: "integer",
        },
      ]);
    });
  });

  it("marks a chunk projected in one statement; a row changed since stays unprojected", async () => {
    const stub = broadcastStub(env, "acct-store-bulk", crypto.randomUUID());
    await runInDurableObject(stub, async (_: BroadcastDO, state) => {
      const store = new BroadcastStore(state.storage.sql);
      store.insertRecipients(rows);
      const read = store.unprojected(10);
      expect(read.map((r) => r.seq)).toEqual([0, 1, 2]);
      // Row 2 changes after the flush read it, before the flush marks it.
      state.storage.sql.exec("UPDATE recipients SET rev = rev + 1 WHERE seq = 2");
      store.markProjected(read.map((r) => ({ seq: r.seq, rev: r.rev })));
      expect(store.unprojected(10).map((r) => r.seq)).toEqual([2]);
      // An older revision marked late never moves `projected` back.
      store.markProjected([{ seq: 0, rev: 0 }]);
      expect(store.unprojected(10).map((r) => r.seq)).toEqual([2]);
      expect(store.hasUnprojected()).toBe(true);
    });
  });
});
