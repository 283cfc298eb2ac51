/**
 * Moving one account's audience between the shared D1 and its
 * AccountAudienceDO, as part of the data plane's move
 * (src/durable/data-plane-move.ts; docs/SCALING.md §5, migration path):
 *
 * - into the object, on the move dual → shards-dual (before reads flip): by
 *   then every isolate has seen "dual", where audience writes are refused
 *   (src/db/audience-store.ts), so D1's audience holds still while it is
 *   copied; the object is closed meanwhile, emptied, filled, and opened;
 * - back into D1, on the step back shards-dual → dual: the object is closed
 *   first (a write from an isolate still on shards-dual is refused, not
 *   lost), D1's copy of the account is replaced by the object's;
 * - out of D1, on the move to shards: the account's rows are deleted.
 *
 * Pages of 5,000 rows in key order from an index range of the account, each
 * written by primary key, so a copy cut short is simply run again (it starts
 * by emptying the target).
 */
import { AUDIENCE_TABLES, type AudienceTable, TABLE_SHAPES } from "../db/audience-copy";
import { type AudienceOps, audienceOps } from "../db/audience-ops";
import { audienceObject, objectOps } from "../db/audience-store";
import type { Bindings } from "../env";

/** Rows per page, and per delete statement. */
const CHUNK = 5_000;

export type AudienceCounts = Record<AudienceTable, number>;

async function clear(store: AudienceOps, accountId: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const n = await store.clearAudience(accountId, CHUNK);
    deleted += n;
    if (n === 0) return deleted;
  }
}

/** Copies every page of one table (of one segment or class, for members and enrolments). */
async function copyTable(
  from: AudienceOps,
  to: AudienceOps,
  accountId: string,
  table: AudienceTable,
  parent: string,
  seen: (rows: Record<string, string | number | null>[]) => void,
): Promise<number> {
  const { key } = TABLE_SHAPES[table];
  let after = "";
  let rows = 0;
  for (;;) {
    const page = await from.copyPage(accountId, table, after, parent, CHUNK);
    if (page.length === 0) return rows;
    await to.upsertCopied(table, page);
    seen(page);
    rows += page.length;
    const last = page[page.length - 1];
    if (page.length < CHUNK || !last) return rows;
    after = String(last[key]);
  }
}

/** Empties `to` of the account's audience and copies `from`'s into it. */
async function copyAudience(
  from: AudienceOps,
  to: AudienceOps,
  accountId: string,
): Promise<AudienceCounts> {
  await clear(to, accountId);
  const counts = Object.fromEntries(AUDIENCE_TABLES.map((t) => [t, 0])) as AudienceCounts;
  const segments: string[] = [];
  const classes: string[] = [];
  const none = () => {};
  counts.contacts = await copyTable(from, to, accountId, "contacts", "", none);
  counts.segments = await copyTable(from, to, accountId, "segments", "", (rows) =>
    segments.push(...rows.map((r) => String(r.id))),
  );
  counts.classes = await copyTable(from, to, accountId, "classes", "", (rows) =>
    classes.push(...rows.map((r) => String(r.id))),
  );
  for (const id of segments) {
    counts.segment_members += await copyTable(from, to, accountId, "segment_members", id, none);
  }
  for (const id of classes) {
    counts.enrolments += await copyTable(from, to, accountId, "enrolments", id, none);
  }
  return counts;
}

/** D1 → the object (the move to shards-dual). The object opens once it holds the copy. */
export async function copyAudienceIntoStore(
  env: Bindings,
  accountId: string,
): Promise<AudienceCounts> {
  const object = audienceObject(env, accountId);
  await object.setClosed(true);
  const counts = await copyAudience(audienceOps(env.DB), objectOps(env, accountId), accountId);
  await object.setClosed(false);
  return counts;
}

/**
 * The object → D1 (the step back to dual). The object stays closed: D1 holds
 * the audience again, and a stale isolate's write is refused, not lost.
 * `reopen` undoes the close when the step back does not happen after all.
 */
export async function copyAudienceIntoD1(
  env: Bindings,
  accountId: string,
): Promise<AudienceCounts> {
  await audienceObject(env, accountId).setClosed(true);
  return copyAudience(objectOps(env, accountId), audienceOps(env.DB), accountId);
}

export async function reopenAudienceStore(env: Bindings, accountId: string): Promise<void> {
  await audienceObject(env, accountId).setClosed(false);
}

/** The account's audience rows deleted from D1 (the move to shards); answers how many. */
export function deleteD1Audience(env: Bindings, accountId: string): Promise<number> {
  return clear(audienceOps(env.DB), accountId);
}
