/**
 * GET /broadcasts/{uuid}/recipients/export: every recipient of a broadcast,
 * streamed as CSV or NDJSON (src/durable/broadcast/export.ts) — live from its
 * BroadcastDO, or from the R2 archive once retention moved it there.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { App } from "../../app";
import { EXPORT_FORMATS } from "../../domain/recipient-export";
import { ARCHIVE_PAGE } from "../../durable/broadcast/archive";
import { archivedExport, liveExport } from "../../durable/broadcast/export";
import { broadcastStub } from "../../durable/stubs";
import { notFound } from "../../errors";
import { errorResponses } from "../openapi";
import { UuidParam } from "./schemas";

const CONTENT_TYPES = {
  csv: "text/csv; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
} as const;

export const recipientsExportRoute = createRoute({
  method: "get",
  path: "/broadcasts/{uuid}/recipients/export",
  operationId: "broadcasts.recipients.export",
  tags: ["broadcasts"],
  security: [{ bearer: [] }],
  summary: "Every recipient of a broadcast, streamed as CSV or NDJSON",
  description:
    "One row per recipient, rejected ones included, in the order they were given: the same columns in both formats. Archived broadcasts (past the account's `recipientRetentionDays`) export from the archive.",
  request: {
    params: UuidParam,
    query: z.object({
      format: z
        .enum(EXPORT_FORMATS)
        .default("csv")
        .openapi({ description: "`csv` (with a header row) or `ndjson` (one JSON object a line)" }),
    }),
  },
  responses: {
    200: {
      description: "The recipients, streamed",
      content: {
        "text/csv": { schema: z.string() },
        "application/x-ndjson": { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

export function registerRecipientsExportRoute(app: App) {
  app.openapi(recipientsExportRoute, async (c) => {
    const { uuid } = c.req.valid("param");
    const { format } = c.req.valid("query");
    const stub = broadcastStub(c.env, c.get("account").accountId, uuid);
    const first = await stub.exportPage(-1, ARCHIVE_PAGE);
    if (!first) throw notFound(`No broadcast ${uuid}`);
    let body: ReadableStream<Uint8Array>;
    if (first.archive !== null) {
      const object = await c.env.ARCHIVE.get(first.archive);
      if (!object) throw notFound(`The archive of broadcast ${uuid} is missing`);
      body = archivedExport(object.body, format);
    } else {
      body = liveExport((after, limit) => stub.exportPage(after, limit), format, first.rows);
    }
    return c.body(body, 200, {
      "content-type": CONTENT_TYPES[format],
      "content-disposition": `attachment; filename="broadcast-${uuid}-recipients.${format}"`,
    });
  });
}
