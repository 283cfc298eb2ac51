/** Small pieces every page uses: an error line, the busy/error state of a user action, a table. */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { errorText } from "./api";

/** Announced by screen readers as soon as it appears. */
export function Alert({ error }: { error: string | null | undefined }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

/** One action at a time: what it is doing (for the button's label), and how it failed. */
export function useAction<Step extends string>() {
  const [busy, setBusy] = useState<Step | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (step: Step, work: () => Promise<void>) => {
    setBusy(step);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, run, setError };
}

/** A column of a {@link Table}: numbers are right-aligned (class "num"). */
export interface Column<Row> {
  label: string;
  numeric?: boolean;
  cell: (row: Row) => ComponentChildren;
}

/** A plain table with a header row, one body row per item. */
export function Table<Row>({ columns, rows }: { columns: Column<Row>[]; rows: readonly Row[] }) {
  return (
    <table>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col">{c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr>
            {columns.map((c) => (
              <td class={c.numeric ? "num" : undefined}>{c.cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
