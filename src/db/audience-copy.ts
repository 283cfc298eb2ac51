/**
 * Copying one account's audience between its two possible stores (the shared
 * D1 and its AccountAudienceDO; docs/SCALING.md §5, migration path). The same
 * statements run on both sides (the object's storage is a D1Database there,
 * ./storage-d1.ts), so a row moves unchanged either way: pages in key order
 * from an index range of the account, written by primary key (a repeat
 * writes the same row again), and the account's rows deleted in chunks.
 */

export const AUDIENCE_TABLES = [
  "contacts",
  "segments",
  "classes",
  "segment_members",
  "enrolments",
] as const;
export type AudienceTable = (typeof AUDIENCE_TABLES)[number];

/** One row as stored: column → value. */
export type CopiedRow = Record<string, string | number | null>;

interface TableShape {
  columns: readonly string[];
  primaryKey: readonly string[];
  /** The page's order: an index range within the account (or within the parent). */
  key: string;
  /** Members and enrolments are paged per segment or class (their primary key's lead). */
  parent?: string;
}

export const TABLE_SHAPES: Record<AudienceTable, TableShape> = {
  contacts: {
    columns: [
      "id",
      "account_id",
      "location_id",
      "name",
      "first_name",
      "last_name",
      "phone",
      "user_id",
      "opted_in",
      "custom_fields",
      "created_at",
      "updated_at",
    ],
    primaryKey: ["id"],
    // contacts_account_phone_idx: (account_id, phone).
    key: "phone",
  },
  segments: {
    columns: ["id", "account_id", "location_id", "name", "created_at", "updated_at"],
    primaryKey: ["id"],
    key: "id",
  },
  classes: {
    columns: ["id", "account_id", "location_id", "name", "starts_at", "created_at", "updated_at"],
    primaryKey: ["id"],
    key: "id",
  },
  segment_members: {
    columns: ["segment_id", "contact_id", "account_id", "added_at"],
    primaryKey: ["segment_id", "contact_id"],
    key: "contact_id",
    parent: "segment_id",
  },
  enrolments: {
    columns: ["class_id", "contact_id", "account_id", "status", "created_at", "updated_at"],
    primaryKey: ["class_id", "contact_id"],
    key: "contact_id",
    parent: "class_id",
  },
};

/** Rows per write statement, and the most JSON bytes bound to one (2 MB per value). */
const WRITE_ROWS = 1_000;
const WRITE_BYTES = 900_000;

/**
 * The next `limit` rows of the account's `table` after `after` (its page key;
 * "" from the start); members and enrolments of one segment or class
 * (`parent`), which must be the account's.
 */
export async function copyPage(
  d1: D1Database,
  accountId: string,
  table: AudienceTable,
  after: string,
  parent: string,
  limit: number,
): Promise<CopiedRow[]> {
  const shape = TABLE_SHAPES[table];
  const within = shape.parent ? `${shape.parent} = ?4 AND account_id = ?1` : "account_id = ?1";
  const statement = d1.prepare(
    `SELECT ${shape.columns.join(", ")} FROM ${table}
     WHERE ${within} AND ${shape.key} > ?2 ORDER BY ${shape.key} LIMIT ?3`,
  );
  const { results } = await (shape.parent
    ? statement.bind(accountId, after, limit, parent)
    : statement.bind(accountId, after, limit)
  ).all<CopiedRow>();
  return results;
}

function upsertSql(table: AudienceTable): string {
  const { columns, primaryKey } = TABLE_SHAPES[table];
  const values = columns.map((c) => `json_extract(value, '$.${c}')`).join(", ");
  const updates = columns
    .filter((c) => !primaryKey.includes(c))
    .map((c) => `${c} = excluded.${c}`)
    .join(", ");
  return `INSERT INTO ${table} (${columns.join(", ")})
    SELECT ${values} FROM json_each(?1) WHERE true
    ON CONFLICT (${primaryKey.join(", ")}) DO UPDATE SET ${updates}`;
}

/** Writes copied rows by primary key, in one batch (one transaction). Answers the rows written. */
export async function upsertCopied(
  d1: D1Database,
  table: AudienceTable,
  rows: readonly CopiedRow[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const { columns } = TABLE_SHAPES[table];
  const statement = d1.prepare(upsertSql(table));
  const writes: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let bytes = 0;
  const flush = () => {
    if (chunk.length > 0) writes.push(statement.bind(`[${chunk.join(",")}]`));
    chunk = [];
    bytes = 0;
  };
  for (const row of rows) {
    const json = JSON.stringify(Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
    // At most 3 UTF-8 bytes per UTF-16 unit: a bound that needs no encoding.
    const size = json.length * 3;
    if (chunk.length >= WRITE_ROWS || (chunk.length > 0 && bytes + size > WRITE_BYTES)) flush();
    chunk.push(json);
    bytes += size + 1;
  }
  flush();
  await d1.batch(writes);
  return rows.length;
}

/**
 * Which rows of a table are the account's, by an index: members and
 * enrolments through their segment or class (their primary key's lead), the
 * others by their account index.
 */
const OWNED: Record<AudienceTable, string> = {
  segment_members: `SELECT m.rowid FROM segment_members m JOIN segments s ON s.id = m.segment_id
    WHERE s.account_id = ?1 LIMIT ?2`,
  enrolments: `SELECT e.rowid FROM enrolments e JOIN classes k ON k.id = e.class_id
    WHERE k.account_id = ?1 LIMIT ?2`,
  contacts: "SELECT rowid FROM contacts WHERE account_id = ?1 LIMIT ?2",
  segments: "SELECT rowid FROM segments WHERE account_id = ?1 LIMIT ?2",
  classes: "SELECT rowid FROM classes WHERE account_id = ?1 LIMIT ?2",
};

/**
 * Deletes up to `limit` rows of each of the account's tables, members and
 * enrolments first, so no delete cascades and the count is every row gone
 * (D1 counts cascaded rows in `changes`, the object's SQLite does not).
 * Answers how many were deleted: 0 when the account's audience is gone.
 */
export async function clearAudience(
  d1: D1Database,
  accountId: string,
  limit: number,
): Promise<number> {
  let deleted = 0;
  for (const table of [
    "segment_members",
    "enrolments",
    "contacts",
    "segments",
    "classes",
  ] as const) {
    const result = await d1
      .prepare(`DELETE FROM ${table} WHERE rowid IN (${OWNED[table]})`)
      .bind(accountId, limit)
      .run();
    deleted += result.meta.changes;
    // Children first: a parent row left now is deleted by a later call.
    if (result.meta.changes === limit) break;
  }
  return deleted;
}
