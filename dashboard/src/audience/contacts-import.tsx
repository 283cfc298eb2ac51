/**
 * Importing contacts from a CSV or XLSX file: parse (in the worker), map the
 * columns, send, then the report with every rejected row, and a segment of
 * what was imported.
 */
import { useState } from "preact/hooks";
import { ColumnSelect } from "../sheet/column-select";
import { parseFile, type Table } from "../sheet/parse";
import { Alert, useAction } from "../ui";
import { type ContactMapping, type ImportReport, importContacts, segmentOf } from "./import-rows";

const find = (columns: string[], pattern: RegExp) => {
  const i = columns.findIndex((c) => pattern.test(c));
  return i >= 0 ? i : null;
};

function Report({ report }: { report: ImportReport }) {
  return (
    <div role="status" aria-label="Import report">
      <p data-testid="import-summary">
        {report.created} created, {report.updated} updated, {report.rejected.length} rejected.
      </p>
      {report.rejected.length > 0 && (
        <table aria-label="Rejected rows">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Phone</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {report.rejected.map((r) => (
              <tr data-row={r.row}>
                <td>{r.row}</td>
                <td>{r.phone ?? "—"}</td>
                <td class="error">{r.errors.join("; ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function SegmentFromImport({ phones }: { phones: string[] }) {
  const [name, setName] = useState("");
  const [result, setResult] = useState<string | null>(null);
  const { busy, error, run } = useAction<"creating">();
  const make = (e: Event) => {
    e.preventDefault();
    run("creating", async () => {
      const segment = await segmentOf(name.trim(), phones);
      setResult(`Segment “${segment.name}” has ${segment.contactCount} contacts.`);
    });
  };
  return (
    <form class="row spaced" onSubmit={make}>
      <div class="grow">
        <label for="seg-name">Make a segment of these {phones.length} contacts</label>
        <input
          id="seg-name"
          required
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </div>
      <button type="submit" disabled={!!busy || phones.length === 0}>
        {busy ? "Creating…" : "Create segment"}
      </button>
      <p role="status">{result}</p>
      <Alert error={error} />
    </form>
  );
}

export function ContactsImport({ onImported }: { onImported: () => void }) {
  const [table, setTable] = useState<Table | null>(null);
  const [mapping, setMapping] = useState<ContactMapping | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const { busy, error, run } = useAction<string>();
  const read = (file: File) =>
    run(`Reading ${file.name}…`, async () => {
      const t = await parseFile(file);
      setTable(t);
      setReport(null);
      setMapping({
        phone: find(t.columns, /phone|mobile|number/i) ?? 0,
        firstName: find(t.columns, /first/i),
        lastName: find(t.columns, /last|surname/i),
        extraAsFields: false,
      });
    });
  const send = () =>
    run("Importing…", async () => {
      if (!table || !mapping) return;
      setReport(await importContacts(table, mapping));
      onImported();
    });
  const set = (patch: Partial<ContactMapping>) => mapping && setMapping({ ...mapping, ...patch });
  return (
    <section class="card" aria-labelledby="import-title">
      <h3 id="import-title">Import contacts</h3>
      <label for="import-file">CSV or XLSX file (a title row first)</label>
      <input
        id="import-file"
        type="file"
        accept=".csv,.tsv,.txt,.xlsx"
        disabled={!!busy}
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file) read(file);
        }}
      />
      {table && mapping && (
        <>
          <p class="muted">
            {table.rows.length} rows; columns: {table.columns.join(", ")}
          </p>
          <div class="row">
            <ColumnSelect
              id="imp-phone"
              label="Phone"
              columns={table.columns}
              value={mapping.phone}
              onChange={(v) => set({ phone: v ?? 0 })}
            />
            <ColumnSelect
              id="imp-first"
              label="First name"
              none="None"
              columns={table.columns}
              value={mapping.firstName}
              onChange={(v) => set({ firstName: v })}
            />
            <ColumnSelect
              id="imp-last"
              label="Last name"
              none="None"
              columns={table.columns}
              value={mapping.lastName}
              onChange={(v) => set({ lastName: v })}
            />
            <label class="inline">
              <input
                type="checkbox"
                checked={mapping.extraAsFields}
                onChange={(e) => set({ extraAsFields: e.currentTarget.checked })}
              />{" "}
              Other columns as custom fields
            </label>
            <button type="button" class="primary" disabled={!!busy} onClick={send}>
              Import {table.rows.length} contacts
            </button>
          </div>
        </>
      )}
      <p class="muted" aria-live="polite">
        {busy}
      </p>
      <Alert error={error} />
      {report && <Report report={report} />}
      {report && report.phones.length > 0 && <SegmentFromImport phones={report.phones} />}
    </section>
  );
}
