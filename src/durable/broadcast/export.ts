/**
 * A broadcast's recipients as a stream of CSV or NDJSON, without holding them
 * all: live, one page of the BroadcastDO at a time, asked for only when the
 * client has read the one before (a pull stream); archived, the R2 object
 * unzipped as it arrives (and each NDJSON line turned into CSV when asked).
 */
import {
  csvHeader,
  csvLine,
  type ExportFormat,
  type ExportRecord,
  exportLine,
} from "../../domain/recipient-export";
import { ARCHIVE_PAGE } from "./archive";

/** What the export reads from the BroadcastDO (its `exportPage` RPC). */
export type PageSource = (
  afterSeq: number,
  limit: number,
) => Promise<{ archive: string | null; rows: ExportRecord[] } | null>;

export function liveExport(
  source: PageSource,
  format: ExportFormat,
  first: ExportRecord[],
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let page: ExportRecord[] | null = first;
  let after = -1;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (format === "csv") controller.enqueue(encoder.encode(csvHeader()));
      },
      async pull(controller) {
        if (page === null) {
          const next = await source(after, ARCHIVE_PAGE);
          // Archived or deleted meanwhile: what was read stands, the rest is gone from here.
          page = next && next.archive === null ? next.rows : [];
        }
        if (page.length === 0) {
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(page.map((r) => exportLine(format, r)).join("")));
        after = Number(page[page.length - 1]?.seq ?? after);
        page = page.length < ARCHIVE_PAGE ? [] : null;
      },
    },
    { highWaterMark: 0 },
  );
}

export function archivedExport(
  gzipped: ReadableStream<Uint8Array>,
  format: ExportFormat,
): ReadableStream<Uint8Array> {
  const ndjson = gzipped.pipeThrough(new DecompressionStream("gzip"));
  if (format === "ndjson") return ndjson;
  let rest = "";
  return ndjson
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(
      new TransformStream<string, string>({
        start(controller) {
          controller.enqueue(csvHeader());
        },
        transform(text, controller) {
          const lines = (rest + text).split("\n");
          rest = lines.pop() ?? "";
          const out = lines.filter((l) => l.trim()).map((l) => csvLine(JSON.parse(l)));
          if (out.length > 0) controller.enqueue(out.join(""));
        },
        flush(controller) {
          if (rest.trim()) controller.enqueue(csvLine(JSON.parse(rest)));
        },
      }),
    )
    .pipeThrough(new TextEncoderStream());
}
