/**
 * Where the recipients come from: a pasted list (one number a line, or rows
 * of comma- or tab-separated values) or an uploaded CSV/XLSX file. Parsing
 * happens in the parse worker; this only says how it went.
 */
import { useState } from "preact/hooks";
import { parseFile, parseText, type Table } from "../sheet/parse";
import { Alert, useAction } from "../ui";

export function RecipientsSource({ onTable }: { onTable: (table: Table, from: string) => void }) {
  const [text, setText] = useState("");
  const { busy, error, run } = useAction<string>();
  const read = (what: string, parse: () => Promise<Table>) =>
    run(`Reading ${what}…`, async () => onTable(await parse(), what));
  return (
    <div class="row">
      <div class="grow">
        <label for="c-paste">Paste recipients</label>
        <textarea
          id="c-paste"
          rows={4}
          placeholder={"447700900123\n447700900124, Alex\n… (a title row is optional)"}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button
          type="button"
          disabled={!text.trim() || !!busy}
          onClick={() => read("the pasted list", () => parseText(text))}
        >
          Use pasted list
        </button>
      </div>
      <div>
        <label for="c-file">Or upload a CSV or XLSX file</label>
        <input
          id="c-file"
          type="file"
          accept=".csv,.tsv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          disabled={!!busy}
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) read(file.name, () => parseFile(file));
          }}
        />
      </div>
      <p class="muted" aria-live="polite">
        {busy}
      </p>
      <Alert error={error} />
    </div>
  );
}
