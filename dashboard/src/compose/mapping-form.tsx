/**
 * The template as a form: which column is each recipient's number and
 * reference, and for the header, every body variable, every button that takes
 * a value and every carousel card, a column of the table or one fixed value.
 */
import { ColumnSelect } from "../sheet/column-select";
import type { Mapping, Slot, Source } from "./slots";

const FIXED = "fixed";

function SlotField(props: {
  slot: Slot;
  columns: string[];
  source: Source;
  onChange: (source: Source) => void;
}) {
  const { slot, columns, source } = props;
  const id = `slot-${slot.key.replace(/\W/g, "-")}`;
  return (
    <div class="slot">
      <label for={id}>{slot.label}</label>
      <div class="row">
        <select
          id={id}
          value={"column" in source ? String(source.column) : FIXED}
          onChange={(e) => {
            const v = e.currentTarget.value;
            props.onChange(v === FIXED ? { fixed: "" } : { column: Number(v) });
          }}
        >
          <option value={FIXED}>The same for everyone</option>
          {columns.map((c, i) => (
            <option value={String(i)}>Column: {c}</option>
          ))}
        </select>
        {"fixed" in source && (
          <input
            aria-label={`${slot.label}, the same for everyone`}
            class="grow"
            value={source.fixed}
            placeholder={slot.headerType && slot.headerType !== "text" ? "https://…" : "value"}
            onInput={(e) => props.onChange({ fixed: e.currentTarget.value })}
          />
        )}
      </div>
    </div>
  );
}

export function MappingForm(props: {
  slots: Slot[];
  columns: string[];
  mapping: Mapping;
  onChange: (mapping: Mapping) => void;
}) {
  const { slots, columns, mapping, onChange } = props;
  return (
    <fieldset class="mapping">
      <legend>Fill in the template</legend>
      <div class="row">
        <ColumnSelect
          id="map-identifier"
          label="Phone number"
          columns={columns}
          value={mapping.identifier}
          onChange={(c) => onChange({ ...mapping, identifier: c ?? 0 })}
        />
        <ColumnSelect
          id="map-reference"
          label="Client reference"
          columns={columns}
          value={mapping.clientReference}
          none="None"
          onChange={(c) => onChange({ ...mapping, clientReference: c })}
        />
      </div>
      {slots.length === 0 && <p class="muted">This template takes no values.</p>}
      {slots.map((slot) => (
        <SlotField
          slot={slot}
          columns={columns}
          source={mapping.sources[slot.key] ?? { fixed: "" }}
          onChange={(source) =>
            onChange({ ...mapping, sources: { ...mapping.sources, [slot.key]: source } })
          }
        />
      ))}
    </fieldset>
  );
}
