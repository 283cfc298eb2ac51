/**
 * One recipient as an export (and the R2 archive) writes it: a flat record,
 * the same fields in CSV and NDJSON, so an archived broadcast exports exactly
 * as it did live. Statuses read as the Broadcasts API shows them (`queued`
 * and `sending` are `pending` there).
 */
export const EXPORT_FORMATS = ["csv", "ndjson"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_COLUMNS = [
  "seq",
  "identifier",
  "client_reference",
  "name",
  "status",
  "error",
  "error_code",
  "wamid",
  "submitted_at",
  "sent_at",
  "delivered_at",
  "read_at",
  "failed_at",
  "replied_at",
  "reply_text",
  "updated_at",
] as const;

export type ExportRecord = Record<(typeof EXPORT_COLUMNS)[number], string | number | null>;

/** What a record is made from: a recipient as the BroadcastDO answers it. */
export interface ExportSource {
  seq: number;
  identifier: string;
  clientReference: string | null;
  name: string | null;
  status: string;
  wamid: string | null;
  errorCode: number | null;
  errorTitle: string | null;
  errors: string[] | null;
  submittedAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  failedAt: string | null;
  repliedAt: string | null;
  replyText: string | null;
  updatedAt: string;
}

export function exportRecord(r: ExportSource): ExportRecord {
  const failed = r.status === "failed" || r.status === "undeliverable";
  const error = r.errors?.length ? r.errors.join("; ") : failed ? r.errorTitle : null;
  return {
    seq: r.seq,
    identifier: r.identifier,
    client_reference: r.clientReference,
    name: r.name,
    status: r.status === "queued" || r.status === "sending" ? "pending" : r.status,
    error,
    error_code: r.status === "failed" ? r.errorCode : null,
    wamid: r.wamid,
    submitted_at: r.submittedAt,
    sent_at: r.sentAt,
    delivered_at: r.deliveredAt,
    read_at: r.readAt,
    failed_at: r.failedAt,
    replied_at: r.repliedAt,
    reply_text: r.replyText,
    updated_at: r.updatedAt,
  };
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(): string {
  return `${EXPORT_COLUMNS.join(",")}\r\n`;
}

export function csvLine(record: ExportRecord): string {
  return `${EXPORT_COLUMNS.map((c) => csvField(record[c] ?? null)).join(",")}\r\n`;
}

export function ndjsonLine(record: ExportRecord): string {
  return `${JSON.stringify(record)}\n`;
}

export function exportLine(format: ExportFormat, record: ExportRecord): string {
  return format === "csv" ? csvLine(record) : ndjsonLine(record);
}
