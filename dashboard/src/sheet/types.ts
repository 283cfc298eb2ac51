/** What the parse worker is asked, and what it answers: a table of strings. */
export type ParseQuery = { kind: "file"; file: File } | { kind: "text"; text: string };
export type ParseRequest = ParseQuery & { id: number };

export interface Table {
  /** Column titles: the first row's cells, or "Column 1"… when it holds data. */
  columns: string[];
  rows: string[][];
}

export type ParseResponse = { id: number; table: Table } | { id: number; error: string };
