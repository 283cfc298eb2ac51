/**
 * A spreadsheet's rows as POST /v1/contacts/bulk wants them: the mapped
 * columns, and optionally every other column as a custom field (its title made
 * a valid field name). Sent 10,000 rows per call (the API's limit), with each
 * rejected row reported by its row number in the file.
 */
import { api, apiList, type Contact, post } from "../api";
import type { Table } from "../sheet/parse";

export const BULK_MAX = 10_000;

export interface ContactMapping {
  phone: number;
  firstName: number | null;
  lastName: number | null;
  extraAsFields: boolean;
}

export interface ImportReport {
  created: number;
  updated: number;
  rejected: { row: number; phone: string | null; errors: string[] }[];
  /** The phones written, for a segment of this import. */
  phones: string[];
}

/** "Loyalty tier" → "Loyalty_tier"; a title that cannot be a field name is left out. */
const fieldName = (title: string) => {
  const name = title.trim().replace(/\W+/g, "_").slice(0, 64);
  return /^[A-Za-z]/.test(name) ? name : null;
};

function contactOf(row: string[], columns: string[], m: ContactMapping) {
  const contact: Record<string, unknown> = { phone: row[m.phone] ?? "" };
  if (m.firstName !== null && row[m.firstName]) contact.firstName = row[m.firstName];
  if (m.lastName !== null && row[m.lastName]) contact.lastName = row[m.lastName];
  if (m.extraAsFields) {
    const used = [m.phone, m.firstName, m.lastName];
    const fields: Record<string, string> = {};
    columns.forEach((title, i) => {
      const name = fieldName(title);
      if (name && !used.includes(i) && row[i]) fields[name] = row[i] ?? "";
    });
    if (Object.keys(fields).length > 0) contact.customFields = fields;
  }
  return contact;
}

export async function importContacts(table: Table, m: ContactMapping): Promise<ImportReport> {
  const report: ImportReport = { created: 0, updated: 0, rejected: [], phones: [] };
  for (let offset = 0; offset < table.rows.length; offset += BULK_MAX) {
    const rows = table.rows.slice(offset, offset + BULK_MAX);
    const answer = await api<{
      created: number;
      updated: number;
      errors: { index: number; phone: string | null; errors: string[] }[];
    }>("/v1/contacts/bulk", post({ contacts: rows.map((r) => contactOf(r, table.columns, m)) }));
    report.created += answer.created;
    report.updated += answer.updated;
    const bad = new Set(answer.errors.map((e) => e.index));
    for (const e of answer.errors) report.rejected.push({ ...e, row: offset + e.index + 1 });
    rows.forEach((r, i) => {
      if (!bad.has(i)) report.phones.push((r[m.phone] ?? "").replace(/^\+/, ""));
    });
  }
  return report;
}

/**
 * A segment of the contacts an import wrote. The bulk answer carries no
 * contact ids (an API gap), so they are found by paging through the contacts
 * (100 a call) and matching phones, then added 1,000 a call.
 */
export async function segmentOf(name: string, phones: string[]) {
  const wanted = new Set(phones);
  const ids: string[] = [];
  for (let page = 1; ids.length < wanted.size; page++) {
    const { items, total } = await apiList<Contact>(`/v1/contacts?limit=100&page=${page}`);
    for (const c of items) if (wanted.has(c.phone.replace(/^\+/, ""))) ids.push(c.id);
    if (page * 100 >= total || items.length === 0) break;
  }
  const segment = await api<{ id: string; name: string }>("/v1/segments", post({ name }));
  let contactCount = 0;
  for (let i = 0; i < ids.length; i += 1000) {
    const added = await api<{ contactCount: number }>(
      `/v1/segments/${segment.id}/contacts`,
      post({ contactIds: ids.slice(i, i + 1000) }),
    );
    contactCount = added.contactCount;
  }
  return { ...segment, contactCount };
}
