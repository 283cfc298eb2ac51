/**
 * A broadcast's recipients in R2, once they are past the account's retention:
 * one gzip NDJSON object per broadcast (REFERENCE.md: R2 takes one write per
 * second per key, so never one object per event), written in one pass over
 * the rows, page by page, so the rows are never all in memory at once (only
 * their compressed bytes, about a tenth of them). The BroadcastDO keeps a
 * one-row record of it, and its broadcast row and counters; its recipient
 * rows go.
 */
import { type ExportRecord, ndjsonLine } from "../../domain/recipient-export";

/** Rows read from the DO per page, while archiving and exporting. */
export const ARCHIVE_PAGE = 1000;

export function archiveKey(accountId: string, broadcastId: string): string {
  return `recipients/${accountId}/${broadcastId}.ndjson.gz`;
}

export interface ArchiveInfo {
  key: string;
  rows: number;
  archivedAt: string;
}

/**
 * The record in the DO's own SQLite. Its table is made on first use, not in
 * the schema, so this stays self-contained; a wipe drops it with the rest.
 */
export class ArchiveRecord {
  constructor(private readonly sql: SqlStorage) {}

  private ensure(): void {
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS archive (
         id INTEGER PRIMARY KEY CHECK (id = 1), key TEXT NOT NULL, rows INTEGER NOT NULL, archived_at TEXT NOT NULL)`,
    );
  }

  get(): ArchiveInfo | null {
    this.ensure();
    const row = this.sql
      .exec<{ key: string; rows: number; archived_at: string }>(
        "SELECT key, rows, archived_at FROM archive",
      )
      .toArray()[0];
    return row ? { key: row.key, rows: Number(row.rows), archivedAt: row.archived_at } : null;
  }

  /** Records the archive and removes the rows it holds, in one synchronous step. */
  commit(info: ArchiveInfo): void {
    this.ensure();
    this.sql.exec(
      "INSERT OR REPLACE INTO archive (id, key, rows, archived_at) VALUES (1, ?, ?, ?)",
      info.key,
      info.rows,
      info.archivedAt,
    );
    this.sql.exec("DELETE FROM recipients");
  }
}

/** Gzips NDJSON lines of every page, in one pass; answers the compressed bytes. */
export async function gzipNdjson(pages: Iterable<ExportRecord[]>): Promise<Uint8Array> {
  const gzip = new CompressionStream("gzip");
  const writer = gzip.writable.getWriter();
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    const reader = gzip.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      chunks.push(value);
    }
  })();
  const encoder = new TextEncoder();
  for (const page of pages) {
    if (page.length > 0) await writer.write(encoder.encode(page.map(ndjsonLine).join("")));
  }
  await writer.close();
  await collected;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
