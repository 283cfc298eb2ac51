/** A labelled choice of one of a table's columns (or none, when optional). */
export function ColumnSelect(props: {
  id: string;
  label: string;
  columns: string[];
  value: number | null;
  none?: string;
  onChange: (column: number | null) => void;
}) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value === null ? "" : String(props.value)}
        onChange={(e) => {
          const v = e.currentTarget.value;
          props.onChange(v === "" ? null : Number(v));
        }}
      >
        {props.none && <option value="">{props.none}</option>}
        {props.columns.map((c, i) => (
          <option value={String(i)}>Column: {c}</option>
        ))}
      </select>
    </div>
  );
}
