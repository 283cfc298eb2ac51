/**
 * #/new: compose a broadcast from a spreadsheet and a template. The page
 * holds the state; each part of the form is its own component. Validate and
 * Send use only the public Broadcasts API.
 */

import { useMemo, useState } from "preact/hooks";
import { type Sender, senderKey, type Template } from "../api";
import { type Estimate, EstimateTable } from "../cost";
import type { Table } from "../sheet/parse";
import { Alert, useAction } from "../ui";
import { MappingForm } from "./mapping-form";
import { SenderPicker, TemplatePicker } from "./pickers";
import { Preview } from "./preview";
import { RecipientsSource } from "./recipients-source";
import { RowsTable } from "./rows-table";
import { initialSchedule, type Schedule, ScheduleForm, scheduleFields } from "./schedule-form";
import {
  broadcastParameters,
  guessSources,
  type Mapping,
  recipientOf,
  shapeOf,
  slotsOf,
} from "./slots";
import { CREATE_MAX, type Created, createAll, splitForCreate, validateAll } from "./submit";

const guessColumn = (columns: string[], pattern: RegExp) =>
  columns.findIndex((c) => pattern.test(c));

export function ComposePage() {
  const session = useMemo(() => crypto.randomUUID(), []);
  const [name, setName] = useState("");
  const [sender, setSender] = useState<Sender | null>(null);
  const [template, setTemplate] = useState<Template | null>(null);
  const [table, setTable] = useState<Table | null>(null);
  const [tableFrom, setTableFrom] = useState("");
  const [mapping, setMapping] = useState<Mapping>({
    identifier: 0,
    clientReference: null,
    sources: {},
  });
  const [schedule, setSchedule] = useState<Schedule>(initialSchedule);
  const [warnings, setWarnings] = useState<Map<number, string[]> | null>(null);
  const [estimate, setEstimate] = useState<Estimate | null | undefined>(undefined);
  const [selected, setSelected] = useState(0);
  const { busy, error, run } = useAction<"validate" | "send">();
  const [created, setCreated] = useState<Created[] | null>(null);

  const shape = useMemo(() => (template ? shapeOf(template) : null), [template]);
  const slots = useMemo(() => (shape ? slotsOf(shape) : []), [shape]);

  /** Any change to what would be sent makes the last validation stale. */
  const changed =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setWarnings(null);
      setEstimate(undefined);
      setCreated(null);
    };
  const remap = (t: Table | null, s: typeof slots) => {
    const columns = t?.columns ?? [];
    const ref = guessColumn(columns, /ref/i);
    setMapping({
      identifier: Math.max(0, guessColumn(columns, /phone|number|mobile|identifier|msisdn|^to$/i)),
      clientReference: ref >= 0 ? ref : null,
      sources: guessSources(s, columns),
    });
  };
  const chooseTemplate = changed((t: Template | null) => {
    setTemplate(t);
    remap(table, t ? slotsOf(shapeOf(t)) : []);
  });
  const chooseTable = changed((t: Table) => {
    setTable(t);
    setSelected(0);
    remap(t, slots);
  });

  const fields = () => ({
    channel_type: "whatsapp",
    name: name.trim(),
    template_name: template?.name ?? "",
    locale: template?.language ?? "en",
    from: sender?.phoneNumber ?? "",
    parameters: shape ? broadcastParameters(shape, slots, mapping) : undefined,
    ...scheduleFields(schedule),
  });
  const recipients = () =>
    shape && table ? table.rows.map((row) => recipientOf(shape, slots, mapping, row)) : [];

  const validate = () =>
    run("validate", async () => {
      const result = await validateAll(fields(), recipients());
      setWarnings(result.warnings);
      setEstimate(result.estimate);
    });
  const send = () =>
    run("send", async () => {
      const body = fields();
      const made = await createAll(body, splitForCreate(body, recipients()), session);
      for (const b of made) sessionStorage.setItem(senderKey(b.uuid), body.from);
      if (made.length === 1 && made[0]) location.hash = `#/b/${made[0].uuid}`;
      else setCreated(made);
    });

  const rows = table?.rows.length ?? 0;
  const ready = !!(name.trim() && sender && template && rows > 0);
  const missing = [
    !name.trim() && "a name",
    !template && "a template",
    rows === 0 && "recipients",
  ].filter(Boolean);

  return (
    <section aria-labelledby="compose-title" class="compose">
      <h2 id="compose-title">New broadcast</h2>
      <div class="compose-grid">
        <div>
          <div class="card">
            <h3>Message</h3>
            <label for="c-name">Broadcast name</label>
            <input
              id="c-name"
              class="wide"
              value={name}
              onInput={(e) => changed(setName)(e.currentTarget.value)}
            />
            <div class="row">
              <SenderPicker value={sender?.phoneNumber ?? ""} onChange={changed(setSender)} />
              <TemplatePicker sender={sender} value={template} onChange={chooseTemplate} />
            </div>
          </div>
          <div class="card">
            <h3>Recipients</h3>
            <RecipientsSource
              onTable={(t, from) => {
                setTableFrom(from);
                chooseTable(t);
              }}
            />
            {table && (
              <p role="status">
                {rows.toLocaleString()} rows from {tableFrom}, columns: {table.columns.join(", ")}
                {rows > CREATE_MAX &&
                  `. Over ${CREATE_MAX.toLocaleString()} recipients: Send makes ${Math.ceil(rows / CREATE_MAX)} broadcasts.`}
              </p>
            )}
          </div>
          {table && shape && (
            <div class="card">
              <MappingForm
                slots={slots}
                columns={table.columns}
                mapping={mapping}
                onChange={changed(setMapping)}
              />
            </div>
          )}
          <div class="card">
            <ScheduleForm value={schedule} onChange={changed(setSchedule)} />
          </div>
        </div>
        <aside class="card preview-pane" aria-label="Preview">
          <h3>Preview</h3>
          {shape ? (
            <Preview
              shape={shape}
              slots={slots}
              mapping={mapping}
              row={table?.rows[selected]}
              caption={
                table
                  ? `Row ${selected + 1}: ${table.rows[selected]?.[mapping.identifier] ?? ""}`
                  : "Example"
              }
            />
          ) : (
            <p class="muted">Choose a template to see the message.</p>
          )}
        </aside>
      </div>
      {table && (
        <div class="card">
          <h3>Rows</h3>
          <RowsTable
            table={table}
            shape={shape}
            slots={slots}
            mapping={mapping}
            warnings={warnings ?? new Map()}
            selected={selected}
            onSelect={setSelected}
          />
        </div>
      )}
      <div class="card sticky-actions">
        <div class="row">
          <button type="button" disabled={!ready || !!busy} onClick={validate}>
            {busy === "validate" ? "Validating…" : "Validate"}
          </button>
          <button type="button" class="primary" disabled={!ready || !!busy} onClick={send}>
            {busy === "send" ? "Sending…" : "Send"}
          </button>
          <span class="muted" aria-live="polite">
            {!ready && `Still needed: ${missing.join(", ")}.`}
            {warnings &&
              (warnings.size === 0
                ? "Validated: every row is fine."
                : `Validated: ${warnings.size} row${warnings.size === 1 ? "" : "s"} with warnings (not sent); ${rows - warnings.size} fine.`)}
          </span>
        </div>
        {estimate && <EstimateTable estimate={estimate} />}
        <Alert error={error} />
        {created && (
          <div role="status">
            <p>Sent as {created.length} broadcasts (each within the API's create limits):</p>
            <ul>
              {created.map((b) => (
                <li>
                  <a href={`#/b/${b.uuid}`}>{b.name}</a> — {b.recipients} recipients
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}
