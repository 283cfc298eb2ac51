/**
 * `npm run bench -- scaling`: the measurements behind docs/SCALING.md.
 *
 * 1. Bytes per row of every table that grows, measured on real rows: the D1
 *    migrations applied to SQLite, the BroadcastDO's own schema, and rows
 *    written by the real code (BroadcastStore, the Outbox, `src/db/`), through
 *    a broadcast's whole life: load, commit, send, sent, delivered, read.
 * 2. Rows written per message and per status webhook, counted by table in
 *    that same run (bench/sqlite.ts counts every write statement's changes).
 * 3. The capacity model: the stated load against the platform's limits, for
 *    today's design and the proposed one.
 * 4. The load bench: the projection for 1,000,000 recipients across 100
 *    accounts, written into one database (today: one D1) and into one
 *    database per account (the proposal), side by side: rows/s and bytes.
 *
 * Needs Node ≥ 22.5 (`node:sqlite`): `npm run bench` finds the project's own
 * Node 22 in node_modules/.bin. `SCALE` (default 1) scales every row count;
 * on a shared machine run e.g. `SCALE=0.1`. Writes bench/results/scaling.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import type { DatabaseSync } from "node:sqlite";
import { upsertBroadcastSummary } from "../src/db/broadcasts.ts";
import { insertD1Deliveries } from "../src/db/callback-deliveries.ts";
import { insertClass, insertEnrolment } from "../src/db/classes.ts";
import { database } from "../src/db/client.ts";
import { bulkUpsertContacts } from "../src/db/contacts.ts";
import { type RecipientStateRow, upsertRecipientStates } from "../src/db/recipient-states.ts";
import { addSegmentContacts, insertSegment } from "../src/db/segments.ts";
import { suppress } from "../src/db/suppressions.ts";
import type { BroadcastPlan, NewRecipient, RecipientStatus } from "../src/domain/broadcast.ts";
import { recipientEvent } from "../src/domain/callbacks.ts";
import { shardMonth } from "../src/domain/data-shard.ts";
import { CALLBACK_REPLAY_DAYS, replayCutoff, shardDeliveryId } from "../src/domain/delivery-log.ts";
import { BATCH_SIZE } from "../src/domain/pacing.ts";
import { settle } from "../src/domain/settlement.ts";
import { applyDeliveryStatus } from "../src/domain/status.ts";
import { DeliveryStore } from "../src/durable/account-data/deliveries.ts";
import { Outbox } from "../src/durable/broadcast/outbox.ts";
import { BroadcastStore } from "../src/durable/broadcast/store.ts";
import type { Bindings } from "../src/env.ts";
import { mobile } from "./lib.ts";
import {
  applyMigrations,
  d1Over,
  openSqlite,
  sqlStorageOver,
  tableSizes,
  WriteLog,
} from "./sqlite.ts";

const SCALE = Number(process.env.SCALE ?? "1");
const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));

// ---- 1 & 2: real rows through the real code --------------------------------------------

const ACCOUNT = "acct-measure";
const PHONE_NUMBER_ID = "100000000000001";

function plan(broadcastId: string, rows: number): BroadcastPlan {
  return {
    accountId: ACCOUNT,
    broadcastId,
    surface: "broadcasts",
    name: "Holiday Sale",
    sender: {
      id: "sender-1",
      phoneNumber: "447576209857",
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: "waba-1",
      throughputMps: 1000,
    },
    template: { name: "holiday_sale_template", language: "en" },
    scheduledAt: new Date().toISOString(),
    validUntil: null,
    locationId: null,
    requestHash: "a".repeat(64),
    expectedRows: rows,
    definition: null,
    draft: false,
    audienceResolved: true,
  };
}

/** The seed's holiday template, rendered as the create renders it (header image, three body values, two URL buttons). */
function components(i: number): string {
  return JSON.stringify([
    {
      type: "header",
      parameters: [{ type: "image", image: { link: "https://www.example.com/image.jpg" } }],
    },
    {
      type: "body",
      parameters: [
        { type: "text", parameter_name: "name", text: `Person ${i}` },
        { type: "text", parameter_name: "time", text: "18h00" },
        { type: "text", parameter_name: "place", text: "City Centre" },
      ],
    },
    { type: "button", sub_type: "url", index: "0", parameters: [{ type: "text", text: `a-${i}` }] },
    { type: "button", sub_type: "url", index: "1", parameters: [{ type: "text", text: `b-${i}` }] },
  ]);
}

/** A wamid as Meta writes them: base64 of a protobuf naming the recipient, ~60 characters. */
function wamid(i: number): string {
  const raw = `\x18\x0b${mobile(i)}\x15\x02\x00\x11\x18\x12${i.toString(16).toUpperCase().padStart(18, "0")}\x00`;
  return `wamid.${Buffer.from(raw, "latin1").toString("base64")}`;
}

interface Phase {
  phase: string;
  /** Rows changed per recipient, by store and table. */
  perRecipient: Record<string, number>;
}

/** Rows changed per recipient in this phase, as `store.table`. */
function perRecipient(logs: Record<string, WriteLog>, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [store, log] of Object.entries(logs)) {
    for (const [table, rows] of log.rows) out[`${store}.${table}`] = round(rows / n, 3);
    log.reset();
  }
  return out;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * One broadcast's whole life, written the way Chorus writes it: the create
 * loads rows and commits (BroadcastDO.load/commit), the dispatcher queues
 * waves of six, the consumer claims and settles each (domain/settlement.ts),
 * then Meta's sent, delivered and read webhooks (the steps of
 * BroadcastDO.applyStatuses, one event per recipient each), the Outbox
 * flushing after every step (today's worst case: every change of a row
 * reaches D1 in its own flush).
 */
async function oneBroadcast(
  d1db: DatabaseSync,
  d1log: WriteLog,
  broadcastId: string,
  rows: number,
  firstSeq: number,
): Promise<{ phases: Phase[]; doDb: DatabaseSync; store: BroadcastStore }> {
  const doDb = openSqlite();
  const doLog = new WriteLog();
  const store = new BroadcastStore(sqlStorageOver(doDb, doLog));
  const env = {
    DB: d1Over(d1db, d1log),
    CALLBACKS: { sendBatch: async () => undefined },
  } as unknown as Bindings;
  const outbox = new Outbox(store, env);
  const logs = { DO: doLog, D1: d1log };
  const tx = <T>(f: () => T): T => {
    doDb.exec("BEGIN");
    const out = f();
    doDb.exec("COMMIT");
    return out;
  };
  const phases: Phase[] = [];
  const p = plan(broadcastId, rows);

  // create: begin, load in chunks, commit, flush
  store.createBroadcast(p, Date.now() + 300_000);
  const recipients: NewRecipient[] = Array.from({ length: rows }, (_, i) => ({
    seq: i,
    identifier: `+${mobile(firstSeq + i)}`,
    clientReference: `order-${String(firstSeq + i).padStart(8, "0")}`,
    name: null,
    components: components(i),
    rejected: null,
  }));
  for (let i = 0; i < rows; i += 1000)
    tx(() => store.insertRecipients(recipients.slice(i, i + 1000)));
  tx(() => {
    store.recountFromRows();
    store.updateBroadcast({ state: "scheduled", loadingDeadline: null });
  });
  await outbox.flush();
  phases.push({ phase: "create", perRecipient: perRecipient(logs, rows) });

  // send: waves of six, queued → claimed → settled accepted
  tx(() => store.updateBroadcast({ state: "sending", startedAt: new Date().toISOString() }));
  for (;;) {
    const now = Date.now();
    const batch = tx(() => store.queueDue(now, 6));
    if (!batch) break;
    const claimed = tx(() => store.claimBatch(batch.batchId, now, now - 60_000));
    tx(() => {
      for (const r of claimed) {
        const row = store.settlingRow(r.seq);
        if (!row) continue;
        const s = settle(
          row,
          { seq: r.seq, outcome: "accepted", wamid: wamid(firstSeq + r.seq), latencyMs: 300 },
          { stopped: false, claim: now, now: new Date().toISOString() },
        );
        if (s) store.applySettlement(r.seq, row.status, s);
      }
      store.countSends(now, claimed.length);
      store.noteLatencies(claimed.map(() => 300));
      store.noteVerdicts(claimed.map(() => true));
    });
  }
  tx(() => store.updateBroadcast({ state: "completed", completedAt: new Date().toISOString() }));
  await outbox.flush();
  phases.push({ phase: "send (per message)", perRecipient: perRecipient(logs, rows) });

  // Meta's webhooks: sent, delivered, read (BroadcastDO.applyStatuses, step for step)
  for (const event of ["sent", "delivered", "read"] as const) {
    const at = new Date().toISOString();
    for (let i = 0; i < rows; i += 100) {
      tx(() => {
        for (let seq = i; seq < Math.min(rows, i + 100); seq++) {
          const r = store.recipientByWamid(wamid(firstSeq + seq));
          if (!r) continue;
          const assign: Record<string, SqlStorageValue> = {};
          if (event === "sent") assign.sent_at = at;
          if (event === "delivered") assign.delivered_at = at;
          if (event === "read") assign.read_at = at;
          const next = applyDeliveryStatus(r.status, event) as RecipientStatus | null;
          if (next && next !== r.status) store.setRecipientStatus(r.seq, r.status, next, assign);
          else store.touchRecipient(r.seq, assign);
        }
      });
    }
    await outbox.flush();
    phases.push({ phase: `webhook: ${event}`, perRecipient: perRecipient(logs, rows) });
  }
  return { phases, doDb, store };
}

async function measure() {
  const d1db = openSqlite();
  const migrations = applyMigrations(d1db);
  const d1log = new WriteLog();
  const d1 = d1Over(d1db, d1log);
  const db = database(d1);
  d1db.exec(`INSERT INTO accounts (id, name) VALUES ('${ACCOUNT}', 'Measure')`);

  // The audience: contacts (bulk import), one segment of all of them, one class of a tenth.
  const contactCount = scaled(20_000);
  const imported: { phone: string }[] = [];
  for (let i = 0; i < contactCount; i += 1000) {
    const chunk = Array.from({ length: Math.min(1000, contactCount - i) }, (_, k) => {
      const n = i + k;
      return {
        phone: mobile(1_000_000 + n),
        firstName: `First${n}`,
        lastName: `Last${n}`,
        name: `First${n} Last${n}`,
        optedIn: true,
        customFields: { city: "Lisbon", plan: n % 3 ? "gold" : "silver" },
      };
    });
    await bulkUpsertContacts(d1, ACCOUNT, chunk);
    imported.push(...chunk);
  }
  const ids = (d1db.prepare("SELECT id FROM contacts").all() as { id: string }[]).map((r) => r.id);
  const segment = await insertSegment(db, ACCOUNT, { name: "Everyone", locationId: null });
  for (let i = 0; i < ids.length; i += 1000)
    await addSegmentContacts(d1, ACCOUNT, segment.id, ids.slice(i, i + 1000));
  const klass = await insertClass(db, ACCOUNT, {
    name: "Yoga",
    startsAt: new Date().toISOString(),
    locationId: null,
  });
  for (const id of ids.slice(0, Math.ceil(ids.length / 10)))
    await insertEnrolment(d1, ACCOUNT, klass.id, id, "BOOKED");
  for (const c of imported.slice(0, Math.ceil(imported.length / 20)))
    await suppress(d1, ACCOUNT, c.phone, "Recipient replied STOP");
  d1log.reset();

  // Broadcasts: a few, each through its whole life.
  const broadcasts = 4;
  const perBroadcast = scaled(5_000);
  let phases: Phase[] = [];
  let doDb: DatabaseSync | null = null;
  let lastStore: BroadcastStore | null = null;
  for (let b = 0; b < broadcasts; b++) {
    const run = await oneBroadcast(d1db, d1log, `bcast-${b}`, perBroadcast, b * perBroadcast);
    if (b === 0) phases = run.phases;
    doDb = run.doDb;
    lastStore = run.store;
  }

  // Summaries: one row per broadcast; enough of them that pages, not rows, are not what is measured.
  if (lastStore) {
    const b = lastStore.broadcast();
    if (b) {
      for (let i = 0; i < scaled(2_000); i++) {
        const summary = lastStore.summary(b);
        await upsertBroadcastSummary(d1, {
          ...summary,
          broadcastId: crypto.randomUUID(),
          createdAt: new Date(Date.now() - i * 60_000).toISOString(),
        });
      }
    }
  }

  // Status callbacks: every change becomes one event; the callbacks consumer posts up to 100 per delivery.
  const events = (
    d1db.prepare("SELECT * FROM recipient_states LIMIT ?").all(scaled(5_000)) as Record<
      string,
      unknown
    >[]
  ).map((r, i) =>
    recipientEvent({
      broadcastId: String(r.broadcast_id),
      seq: Number(r.seq),
      identifier: String(r.identifier),
      clientReference: (r.client_reference as string | null) ?? null,
      status: String(r.status),
      error: null,
      deliveredAt: (r.delivered_at as string | null) ?? null,
      readAt: (r.read_at as string | null) ?? null,
      updatedAt: String(r.updated_at),
      rev: i + 1,
      repliedAt: null,
      replyText: null,
    }),
  );
  const deliveries = [];
  for (let i = 0; i < events.length; i += 100) {
    deliveries.push({
      accountId: ACCOUNT,
      endpointId: "endpoint-1",
      url: "https://hooks.example.com/chorus",
      body: JSON.stringify({ events: events.slice(i, i + 100) }),
      eventCount: Math.min(100, events.length - i),
    });
  }
  await insertD1Deliveries(db, deliveries);
  // The same deliveries as an account on the shards logs them: the real
  // DeliveryStore of its AccountDataDO month shard (bodies kept, as in D1).
  const shardDb = openSqlite();
  const shardLog = new DeliveryStore(sqlStorageOver(shardDb, new WriteLog()));
  const loggedAt = new Date().toISOString();
  shardLog.insert(
    deliveries.map((d) => ({
      ...d,
      id: shardDeliveryId(shardMonth(loggedAt)),
      createdAt: loggedAt,
    })),
  );

  const d1Sizes = tableSizes(d1db);
  const doSizes = doDb ? tableSizes(doDb) : {};
  const shardSizes = tableSizes(shardDb);
  const bytesPerRow: Record<string, { bytes: number; rows: number; perRow: number }> = {};
  const grow: Record<string, string[]> = {
    D1: [
      "recipient_states",
      "broadcasts",
      "contacts",
      "segment_members",
      "enrolments",
      "suppressions",
      "callback_deliveries",
    ],
    DO: ["recipients", "send_rate", "send_latency", "verdicts", "counters", "broadcast"],
    AccountDataDO: ["callback_deliveries"],
  };
  for (const [store, sizes] of [
    ["D1", d1Sizes],
    ["DO", doSizes],
    ["AccountDataDO", shardSizes],
  ] as const) {
    for (const t of grow[store] ?? []) {
      const s = sizes[t];
      if (s && s.rows > 0) bytesPerRow[`${store}.${t}`] = { ...s, perRow: round(s.bytes / s.rows) };
    }
  }
  // A delivery past the replay window as the sweep leaves it: its row without
  // its body (DeliveryStore.dropBodiesBefore, the real statement), measured on
  // enough rows that page rounding does not count. No VACUUM: the freed pages
  // go to the freelist, which SQLite reuses for the month's later bodies.
  const agedDb = openSqlite();
  const agedLog = new DeliveryStore(sqlStorageOver(agedDb, new WriteLog()));
  const agedRows = 2_000;
  const agedAt = new Date(Date.now() - (CALLBACK_REPLAY_DAYS + 1) * 86_400_000).toISOString();
  const aged = Array.from({ length: agedRows }, (_, i) => {
    const d = deliveries[i % deliveries.length] as (typeof deliveries)[number];
    return { ...d, id: shardDeliveryId(shardMonth(agedAt)), createdAt: agedAt };
  });
  agedLog.insert(aged);
  for (const d of aged)
    agedLog.recordAttempt(d.id, {
      status: "delivered",
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: agedAt,
    });
  agedLog.dropBodiesBefore(replayCutoff(new Date()), agedRows);
  const agedSize = tableSizes(agedDb).callback_deliveries;
  if (agedSize && agedSize.rows > 0)
    bytesPerRow["AccountDataDO.callback_deliveries (body aged out)"] = {
      ...agedSize,
      perRow: round(agedSize.bytes / agedSize.rows),
    };

  const eventsPerDelivery = 100;
  const callbackPerEvent = round(
    (bytesPerRow["D1.callback_deliveries"]?.perRow ?? 0) / eventsPerDelivery,
  );
  return {
    migrations,
    rows: { contacts: contactCount, broadcasts, recipientsPerBroadcast: perBroadcast },
    bytesPerRow,
    callbackBytesPerEvent: callbackPerEvent,
    shardCallbackBytesPerEvent: round(
      (bytesPerRow["AccountDataDO.callback_deliveries"]?.perRow ?? 0) / eventsPerDelivery,
    ),
    phases,
  };
}

// ---- 3: the limits and the capacity model ----------------------------------------------------

/** From ../shared/REFERENCE.md (developers.cloudflare.com: d1, durable-objects, queues and r2 platform/limits, 2026). */
const LIMITS = {
  d1DatabaseBytes: 10e9,
  d1QueriesPerSecond: 1000, // one writer, ~1 ms a query
  doStorageBytes: 10e9,
  doRequestsPerSecond: 1000, // soft limit per object
  queueMessagesPerSecond: 5000, // per queue
  queueBatchMax: 100,
  r2WritesPerSecondPerKey: 1,
  boundParametersPerStatement: 100,
};

const LOAD = {
  accounts: 1000,
  contactsPerAccount: 1_000_000,
  messagesPerAccountMonth: 10_000_000,
  peakNumbers: 50,
  peakMpsPerNumber: 1000,
  /** Meta sends sent, delivered and read for nearly every message. */
  webhooksPerMessage: 3,
  retentionDays: 400,
};

function model(m: Awaited<ReturnType<typeof measure>>, d1RowsPerSecond: number) {
  const per = (k: string) => m.bytesPerRow[k]?.perRow ?? 0;
  const writes = (phase: string, key: string) =>
    m.phases.find((p) => p.phase === phase)?.perRecipient[key] ?? 0;
  const d1PerMessage =
    writes("create", "D1.recipient_states") +
    writes("send (per message)", "D1.recipient_states") +
    ["sent", "delivered", "read"].reduce(
      (s, e) => s + writes(`webhook: ${e}`, "D1.recipient_states"),
      0,
    );
  const d1PerWebhook = writes("webhook: delivered", "D1.recipient_states");
  const doPerWebhook = Object.entries(
    m.phases.find((p) => p.phase === "webhook: delivered")?.perRecipient ?? {},
  )
    .filter(([k]) => k.startsWith("DO."))
    .reduce((s, [, v]) => s + v, 0);
  const doPerMessage = m.phases
    .flatMap((p) => Object.entries(p.perRecipient))
    .filter(([k]) => k.startsWith("DO."))
    .reduce((s, [, v]) => s + v, 0);

  const months = LOAD.retentionDays / 30.4;
  const messagesMonth = LOAD.accounts * LOAD.messagesPerAccountMonth;
  const projectionMonthBytes = messagesMonth * per("D1.recipient_states");
  const contactBytes =
    LOAD.accounts *
    LOAD.contactsPerAccount *
    (per("D1.contacts") + per("D1.segment_members") + 0.1 * per("D1.enrolments"));
  /** Events per message reaching callbacks: its load row, the submit, and the three statuses. */
  const eventsPerMessage = 5;
  const callbackMonthBytes = messagesMonth * eventsPerMessage * m.callbackBytesPerEvent;
  const peakMps = LOAD.peakNumbers * LOAD.peakMpsPerNumber;
  const peakWebhooks = peakMps * LOAD.webhooksPerMessage;
  // At peak, each message costs its submit upsert, and each webhook its own upsert.
  const peakD1Rows =
    peakMps * writes("send (per message)", "D1.recipient_states") + peakWebhooks * d1PerWebhook;

  const today = {
    store: "one D1 for every account",
    holds: {
      projectionPerMonthGB: round(projectionMonthBytes / 1e9),
      projectionRetainedGB: round((projectionMonthBytes * months) / 1e9),
      audienceGB: round(contactBytes / 1e9),
      callbackLogPerMonthGB: round(callbackMonthBytes / 1e9),
    },
    hoursUntilFull: round(
      LIMITS.d1DatabaseBytes / ((projectionMonthBytes + callbackMonthBytes) / (30.4 * 24)),
    ),
    audienceFitsAccounts: Math.floor(LIMITS.d1DatabaseBytes / (contactBytes / LOAD.accounts)),
    peak: {
      messagesPerSecond: peakMps,
      webhooksPerSecond: peakWebhooks,
      d1RowsPerSecond: Math.round(peakD1Rows),
      d1RowsPerSecondMeasuredCeiling: Math.round(d1RowsPerSecond),
      // One queue message per wave of BATCH_SIZE recipients; one per status event.
      sendsQueuePerSecond: Math.round(peakMps / BATCH_SIZE),
      eventsQueuePerSecond: peakWebhooks,
      queueLimitPerSecond: LIMITS.queueMessagesPerSecond,
    },
  };
  const accountMonthBytes = LOAD.messagesPerAccountMonth * per("D1.recipient_states");
  const shardCallbackMonthBytes =
    LOAD.messagesPerAccountMonth * eventsPerMessage * m.shardCallbackBytesPerEvent;
  const agedDeliveriesMonth = (LOAD.messagesPerAccountMonth * eventsPerMessage) / 100;
  const agedDeliveryMonthBytes =
    agedDeliveriesMonth * per("AccountDataDO.callback_deliveries (body aged out)");
  const proposed = {
    store: "one SQLite Durable Object per account and month (the data plane); D1 the control plane",
    perAccount: {
      projectionPerMonthGB: round(accountMonthBytes / 1e9, 2),
      audienceGB: round(contactBytes / LOAD.accounts / 1e9, 2),
      callbackLogPerMonthGB: round(shardCallbackMonthBytes / 1e9, 2),
      // The month shard holds both; over the object's 10 GB were bodies kept (docs/SCALING.md §5).
      monthShardGB: round((accountMonthBytes + shardCallbackMonthBytes) / 1e9, 2),
      // With the replay window: the projection, CALLBACK_REPLAY_DAYS of bodies, and
      // the month's rows without theirs, at 100 events a delivery (a full POST).
      agedDeliveryRowsPerMonth: agedDeliveriesMonth,
      agedDeliveryRowsPerMonthGB: round(agedDeliveryMonthBytes / 1e9, 3),
      monthShardWithReplayWindowGB: round(
        (accountMonthBytes +
          (shardCallbackMonthBytes * CALLBACK_REPLAY_DAYS) / 30.4 +
          agedDeliveryMonthBytes) /
          1e9,
        2,
      ),
      monthsInOneObject: round(LIMITS.doStorageBytes / accountMonthBytes, 1),
      retainedGB: round((accountMonthBytes * months) / 1e9, 1),
      shardsInRetention: Math.ceil(months),
    },
    peak: {
      // One account's busiest number: its writes land in its own store.
      rowsPerSecondPerAccountStore: Math.round(peakD1Rows / LOAD.peakNumbers),
      requestsPerSecondPerAccountStore: Math.round(
        (LOAD.peakMpsPerNumber * (1 + LOAD.webhooksPerMessage)) / 500,
      ),
      sendsQueuesNeeded: Math.ceil(peakMps / BATCH_SIZE / LIMITS.queueMessagesPerSecond),
      eventsQueuesNeeded: Math.ceil(peakWebhooks / LIMITS.queueMessagesPerSecond),
    },
  };
  return {
    load: LOAD,
    limits: LIMITS,
    rowsWritten: {
      d1PerMessage: round(d1PerMessage, 2),
      d1PerWebhook: round(d1PerWebhook, 2),
      doPerMessage: round(doPerMessage, 2),
      doPerWebhook: round(doPerWebhook, 2),
    },
    today,
    proposed,
  };
}

// ---- 4: the load bench: one database or one per account --------------------------------------

function projectionRows(
  account: string,
  broadcast: string,
  n: number,
  first: number,
): RecipientStateRow[] {
  const now = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => ({
    broadcastId: broadcast,
    seq: i,
    accountId: account,
    phoneNumberId: PHONE_NUMBER_ID,
    identifier: `+${mobile(first + i)}`,
    clientReference: `order-${String(first + i).padStart(8, "0")}`,
    name: null,
    wamid: wamid(first + i),
    status: "submitted",
    error: null,
    errorCode: null,
    submittedAt: now,
    deliveredAt: null,
    readAt: null,
    repliedAt: null,
    replyText: null,
    createdAt: now,
    updatedAt: now,
  }));
}

async function loadBench() {
  const total = scaled(1_000_000);
  const accounts = 100;
  const perAccount = Math.ceil(total / accounts);
  const chunk = 5000; // the Outbox's PROJECTION_CHUNK: one D1 batch per flush
  const write = async (target: (a: number) => D1Database) => {
    const started = performance.now();
    for (let a = 0; a < accounts; a++) {
      const d1 = target(a);
      for (let i = 0; i < perAccount; i += chunk) {
        const n = Math.min(chunk, perAccount - i);
        await upsertRecipientStates(
          d1,
          projectionRows(`acct-${a}`, `b-${a}-${i}`, n, a * perAccount + i),
        );
      }
    }
    return (performance.now() - started) / 1000;
  };

  const shared = openSqlite();
  applyMigrations(shared);
  const sharedD1 = d1Over(shared, new WriteLog());
  const beforeS = await write(() => sharedD1);
  const before = tableSizes(shared).recipient_states ?? { bytes: 0, rows: 0 };
  shared.close();

  // Each account's store exists before the clock starts, as the shared D1 does.
  const shards: DatabaseSync[] = [];
  const shardD1: D1Database[] = [];
  for (let a = 0; a < accounts; a++) {
    const db = openSqlite();
    applyMigrations(db);
    shards.push(db);
    shardD1.push(d1Over(db, new WriteLog()));
  }
  const afterS = await write((a) => shardD1[a] as D1Database);
  let afterBytes = 0;
  let afterRows = 0;
  let largest = 0;
  for (const db of shards) {
    const s = tableSizes(db).recipient_states ?? { bytes: 0, rows: 0 };
    afterBytes += s.bytes;
    afterRows += s.rows;
    largest = Math.max(largest, s.bytes);
    db.close();
  }
  return {
    recipients: accounts * perAccount,
    accounts,
    before: {
      design: "one database (today's D1)",
      seconds: round(beforeS, 2),
      rowsPerSecond: Math.round(before.rows / beforeS),
      bytes: before.bytes,
      bytesPerRow: round(before.bytes / before.rows),
      largestStoreBytes: before.bytes,
    },
    after: {
      design: "one database per account",
      seconds: round(afterS, 2),
      rowsPerSecond: Math.round(afterRows / afterS),
      bytes: afterBytes,
      bytesPerRow: round(afterBytes / afterRows),
      largestStoreBytes: largest,
    },
  };
}

// ---- run ---------------------------------------------------------------------------------------

const measured = await measure();
console.log(`\nbytes per row (SCALE=${SCALE}), pages of the table and its indexes:`);
for (const [t, s] of Object.entries(measured.bytesPerRow))
  console.log(
    `  ${t.padEnd(26)} ${String(s.perRow).padStart(8)} B   (${s.rows} rows, ${s.bytes} B)`,
  );
console.log(
  `  callback log, per event     ${measured.callbackBytesPerEvent} B in D1, ${measured.shardCallbackBytesPerEvent} B in a month shard`,
);
console.log("\nrows changed per recipient, by phase:");
for (const p of measured.phases)
  console.log(
    `  ${p.phase.padEnd(20)} ${Object.entries(p.perRecipient)
      .map(([k, v]) => `${k}=${v}`)
      .join("  ")}`,
  );

const load = await loadBench();
console.log(
  `\nload bench: projection of ${load.recipients} recipients across ${load.accounts} accounts (SCALE=${SCALE})`,
);
for (const side of [load.before, load.after])
  console.log(
    `  ${side.design.padEnd(28)} ${String(side.rowsPerSecond).padStart(8)} rows/s  ${(side.bytes / 1e6).toFixed(1)} MB  ${side.bytesPerRow} B/row  largest store ${(side.largestStoreBytes / 1e6).toFixed(1)} MB`,
  );

const capacity = model(measured, load.before.rowsPerSecond);
console.log("\ncapacity model:");
console.log(
  JSON.stringify(
    { rowsWritten: capacity.rowsWritten, today: capacity.today, proposed: capacity.proposed },
    null,
    2,
  ),
);

mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/scaling.json",
  `${JSON.stringify({ benchmark: "scaling", at: new Date().toISOString(), scale: SCALE, measured, load, capacity }, null, 2)}\n`,
);
console.log("\nwrote bench/results/scaling.json");
