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

/** An identifier reduced to its digits, as the store's erasure compares them. */
const digitsOf = (identifier: string) => identifier.replace(/[+\s\-().]/g, "");

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

/**
 * A data-subject erasure reaches the archive too: the object is read once and
 * written once more without the person's number (in any spelling), name,
 * reply and the number inside an error, as BroadcastStore.erasePerson does to
 * live rows; statuses and times stay. Streams line by line; answers how many
 * rows held the person (0: the object is left as it was).
 */
export async function eraseFromArchive(
  bucket: R2Bucket,
  key: string,
  digits: string,
  erased: string,
): Promise<number> {
  const object = await bucket.get(key);
  if (!object) return 0;
  let scrubbed = 0;
  let rest = "";
  const scrub = (line: string): string => {
    const record = JSON.parse(line) as ExportRecord;
    const identifier = String(record.identifier ?? "");
    if (digitsOf(identifier) !== digits) return ndjsonLine(record);
    scrubbed++;
    return ndjsonLine({
      ...record,
      identifier: erased,
      name: null,
      reply_text: null,
      error: typeof record.error === "string" ? record.error.replaceAll(identifier, erased) : null,
    });
  };
  const gzipped = object.body
    .pipeThrough(new DecompressionStream("gzip"))
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(
      new TransformStream<string, string>({
        transform(text, controller) {
          const lines = (rest + text).split("\n");
          rest = lines.pop() ?? "";
          const out = lines.filter((l) => l.trim()).map(scrub);
          if (out.length > 0) controller.enqueue(out.join(""));
        },
        flush(controller) {
          if (rest.trim()) controller.enqueue(scrub(rest));
        },
      }),
    )
    .pipeThrough(new TextEncoderStream())
    .pipeThrough(new CompressionStream("gzip"));
  const body = new Uint8Array(await new Response(gzipped).arrayBuffer());
  if (scrubbed > 0) {
    await bucket.put(key, body, {
      httpMetadata: object.httpMetadata,
      customMetadata: object.customMetadata,
    });
  }
  return scrubbed;
}
