/**
 * The recipients, a page at a time (50,000 rows never go into the DOM at
 * once): each row's number, reference and filled message, its warnings from
 * validate beside it, and a button to preview it.
 */
import { useState } from "preact/hooks";
import { Pager } from "../pager";
import type { Table } from "../sheet/parse";
import { type Mapping, type Slot, slotValue, type TemplateShape } from "./slots";
import { fill } from "./whatsapp-text";

const PAGE = 25;

export function RowsTable(props: {
  table: Table;
  shape: TemplateShape | null;
  slots: Slot[];
  mapping: Mapping;
  warnings: Map<number, string[]>;
  selected: number;
  onSelect: (row: number) => void;
}) {
  const { table, shape, slots, mapping, warnings, selected } = props;
  const [offset, setOffset] = useState(0);
  const [onlyWarned, setOnlyWarned] = useState(false);
  const indexes = onlyWarned
    ? [...warnings.keys()].sort((a, b) => a - b)
    : Array.from({ length: table.rows.length }, (_, i) => i);
  const page = indexes.slice(offset, offset + PAGE);
  const message = (row: string[]) => {
    const body: Record<string, string> = {};
    for (const s of slots.filter((s) => s.card === null && s.part === "body"))
      body[s.name] = slotValue(s, mapping, row);
    return fill(shape?.body?.text ?? "", body);
  };
  return (
    <div>
      <div class="row">
        <label class="inline">
          <input
            type="checkbox"
            checked={onlyWarned}
            onChange={(e) => {
              setOnlyWarned(e.currentTarget.checked);
              setOffset(0);
            }}
          />{" "}
          Only rows with warnings ({warnings.size})
        </label>
      </div>
      <div class="scroll-x">
        <table aria-label="Recipients">
          <thead>
            <tr>
              <th scope="col">Row</th>
              <th scope="col">Number</th>
              <th scope="col" class="hide-narrow">
                Reference
              </th>
              <th scope="col" class="hide-narrow">
                Message
              </th>
              <th scope="col">Warnings</th>
              <th scope="col">
                <span class="sr-only">Preview</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.map((i) => {
              const row = table.rows[i] ?? [];
              const errors = warnings.get(i);
              return (
                <tr data-row={i + 1} class={errors ? "warned" : undefined}>
                  <td>{i + 1}</td>
                  <td>{row[mapping.identifier]}</td>
                  <td class="hide-narrow">
                    {mapping.clientReference === null ? "—" : row[mapping.clientReference]}
                  </td>
                  <td class="hide-narrow clip">{message(row)}</td>
                  <td class={errors ? "error" : "muted"} data-testid="row-warnings">
                    {errors ? errors.join("; ") : warnings.size > 0 ? "OK" : ""}
                  </td>
                  <td>
                    <button
                      type="button"
                      aria-pressed={selected === i}
                      aria-label={`Preview row ${i + 1}`}
                      onClick={() => props.onSelect(i)}
                    >
                      Preview
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager offset={offset} size={PAGE} total={indexes.length} go={setOffset} />
    </div>
  );
}
