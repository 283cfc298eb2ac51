/**
 * Parses a pasted list, a CSV or an XLSX file off the main thread (50,000 rows
 * take a while; the page stays responsive). Kept libraries do the parsing:
 * papaparse for delimited text (it detects the delimiter, quotes, BOMs), and
 * read-excel-file's Web Worker build for XLSX (it needs no DOMParser). It is
 * a bundle of its own, so the parsers load only when a file is read.
 */
import Papa from "papaparse";
import { readSheet } from "read-excel-file/web-worker";
import type { ParseRequest, ParseResponse, Table } from "./types";

/** A cell that looks like a phone number: the first row is data, not titles. */
const PHONE = /^\+?[\d\s().-]{6,}$/;

function toTable(grid: string[][]): Table {
  const width = Math.max(0, ...grid.map((row) => row.length));
  const first = grid[0] ?? [];
  const titled = first.length > 0 && !first.some((cell) => PHONE.test(cell.trim()));
  const columns = Array.from({ length: width }, (_, i) =>
    titled ? first[i]?.trim() || `Column ${i + 1}` : `Column ${i + 1}`,
  );
  const rows = (titled ? grid.slice(1) : grid)
    .filter((row) => row.some((cell) => cell.trim() !== ""))
    .map((row) => Array.from({ length: width }, (_, i) => row[i]?.trim() ?? ""));
  return { columns, rows };
}

function parseText(text: string): Table {
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: "greedy" });
  return toTable(parsed.data);
}

/** Spreadsheet cells as text: phone numbers typed as numbers keep every digit. */
function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "";
  if (cell instanceof Date) return cell.toISOString();
  if (typeof cell === "number") return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  return String(cell);
}

async function parseFile(file: File): Promise<Table> {
  if (/\.xlsx$/i.test(file.name)) {
    const sheet = await readSheet(file);
    return toTable(sheet.map((row) => row.map(cellText)));
  }
  return parseText(await file.text());
}

addEventListener("message", async (event: MessageEvent<ParseRequest>) => {
  const request = event.data;
  let response: ParseResponse;
  try {
    const table = request.kind === "file" ? await parseFile(request.file) : parseText(request.text);
    response = { id: request.id, table };
  } catch (err) {
    response = { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
  postMessage(response);
});
