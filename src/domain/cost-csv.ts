/**
 * Meta's rate card as it publishes it (one CSV per currency) read into a
 * RateCard. Parsed with papaparse (quotes, BOMs, line endings), the library
 * the dashboard already uses for uploads.
 *
 * Unconfirmed: the CSV's exact layout. What is read here: any rows before a
 * header row whose first cell is "Market"; category columns named as Meta's
 * categories ("Marketing", "Utility", "Authentication",
 * "Authentication-International", "Service"…, case and spaces ignored);
 * figures with or without a currency sign; "Free" as 0; "n/a", "-" or an empty
 * cell as unknown.
 */
import Papa from "papaparse";
import { builtInCard, type MarketRates, OTHER_MARKET, PRICING_CATEGORIES } from "./cost";

/**
 * Calling codes of the markets Meta prices as one country (ITU calling codes;
 * Meta's list of such countries is unconfirmed beyond REFERENCE.md). A market
 * not named here nor in the built-in card (a region such as "Rest of Western
 * Europe") is kept with no calling code: its numbers are priced as "Other",
 * and the load says so.
 */
const COUNTRY_CALLING_CODES: Record<string, string> = {
  argentina: "54",
  brazil: "55",
  chile: "56",
  colombia: "57",
  egypt: "20",
  france: "33",
  germany: "49",
  india: "91",
  indonesia: "62",
  israel: "972",
  italy: "39",
  malaysia: "60",
  mexico: "52",
  netherlands: "31",
  nigeria: "234",
  pakistan: "92",
  peru: "51",
  russia: "7",
  "saudi arabia": "966",
  "south africa": "27",
  spain: "34",
  turkey: "90",
  "united arab emirates": "971",
  "united kingdom": "44",
  "north america": "1",
};

export type CsvCard =
  | { ok: true; markets: MarketRates[]; unmappedMarkets: string[] }
  | { ok: false; error: string };

const normal = (s: string) => s.trim().toLowerCase().replace(/\s+/g, " ");
const categoryOf = (header: string) =>
  normal(header)
    .replace(/ /g, "-")
    .replace(/-lite$/, "_lite");

function figure(cell: string): number | null | "bad" {
  const text = cell.trim();
  if (text === "" || /^(n\/?a|-|—|unknown)$/i.test(text)) return null;
  if (/^free$/i.test(text)) return 0;
  // A currency sign or code before the figure ("$0.0529", "R$ 0.3", "USD 0.05"); a decimal comma.
  const bare = text.replace(/^[^\d\s.,-]{1,3}\s*/, "").replace(/^(\d+),(\d+)$/, "$1.$2");
  return /^\d*\.?\d+$/.test(bare) ? Number(bare) : "bad";
}

/** Reads Meta's CSV; an error names the row and column at fault. */
export function parseRateCardCsv(csv: string): CsvCard {
  const parsed = Papa.parse<string[]>(csv.replace(/^\uFEFF/, ""), { skipEmptyLines: true });
  const rows = parsed.data.filter((r): r is string[] => Array.isArray(r));
  const headerAt = rows.findIndex((r) => normal(r[0] ?? "") === "market");
  if (headerAt < 0) return { ok: false, error: "csv: no header row whose first column is Market" };
  const header = rows[headerAt] ?? [];
  const known = new Set<string>(PRICING_CATEGORIES);
  const columns = header
    .map((h, i) => ({ i, category: categoryOf(h) }))
    .filter((c) => c.i > 0 && known.has(c.category));
  if (columns.length === 0)
    return {
      ok: false,
      error: `csv: the header names no pricing category (expected some of ${PRICING_CATEGORIES.join(", ")})`,
    };
  const builtIn = builtInCard();
  const markets: MarketRates[] = [];
  const unmapped: string[] = [];
  for (let r = headerAt + 1; r < rows.length; r++) {
    const row = rows[r] ?? [];
    const name = (row[0] ?? "").trim();
    if (!name) continue;
    if (markets.some((m) => normal(m.market) === normal(name)))
      return { ok: false, error: `csv: row ${r + 1}: market ${name} appears twice` };
    const rates: Record<string, number | null> = {};
    for (const c of columns) {
      const value = figure(row[c.i] ?? "");
      if (value === "bad")
        return {
          ok: false,
          error: `csv: row ${r + 1} (${name}), column ${header[c.i]}: '${row[c.i]}' is not a rate`,
        };
      rates[c.category] = value;
    }
    const fromBuiltIn = builtIn.markets.find((m) => normal(m.market) === normal(name));
    const code = COUNTRY_CALLING_CODES[normal(name)];
    const callingCodes = fromBuiltIn?.callingCodes.length
      ? fromBuiltIn.callingCodes
      : code
        ? [code]
        : [];
    if (callingCodes.length === 0 && normal(name) !== normal(OTHER_MARKET)) unmapped.push(name);
    // "Other" is the market every unlisted number falls in, whatever the CSV's spelling.
    const market = normal(name) === normal(OTHER_MARKET) ? OTHER_MARKET : name;
    markets.push({ market, callingCodes, rates });
  }
  if (markets.length === 0) return { ok: false, error: "csv: no market rows after the header" };
  return { ok: true, markets, unmappedMarkets: unmapped };
}
