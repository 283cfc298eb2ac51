/**
 * What a broadcast costs: the estimate (an upper bound, before sending) and
 * the cost Meta's statuses priced (after), as the API answers them.
 */

import type { components } from "../../docs/client/schema";
import { Table } from "./ui";

/** The API's own types (docs/client/schema.d.ts, generated from the OpenAPI document). */
export type Estimate = NonNullable<components["schemas"]["Estimate"]>;
export type EstimateLine = Estimate["by_market"][number];
export type Cost = components["schemas"]["Cost"];

/** Rates have four decimals or more (0.0118): amounts keep up to four. */
export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat(undefined, {
    style: "currency",
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  }).format(amount);
}

/** Millionths, so that sums of chunk estimates stay exact (as the API computes them). */
const micros = (n: number) => Math.round(n * 1_000_000);

/** One estimate over validation chunks (each chunk is priced on its own by the API). */
export function mergeEstimates(parts: Estimate[]): Estimate | null {
  const first = parts[0];
  if (!first) return null;
  const lines = new Map<string, EstimateLine & { micros: number | null }>();
  let total = 0;
  let unpriced = 0;
  for (const part of parts) {
    total += micros(part.total);
    unpriced += part.unpriced_recipients;
    for (const l of part.by_market) {
      const key = `${l.market}\u0000${l.category}`;
      const line = lines.get(key) ?? { ...l, recipients: 0, micros: l.cost === null ? null : 0 };
      line.recipients += l.recipients;
      if (line.micros !== null && l.cost !== null) line.micros += micros(l.cost);
      lines.set(key, line);
    }
  }
  return {
    ...first,
    total: total / 1_000_000,
    unpriced_recipients: unpriced,
    by_market: [...lines.values()]
      .sort((a, b) => b.recipients - a.recipients)
      .map(({ micros: m, ...l }) => ({ ...l, cost: m === null ? null : m / 1_000_000 })),
  };
}

const rateText = (rate: number | null, currency: string) =>
  rate === null ? "unknown" : money(rate, currency);
const costText = (cost: number | null, currency: string) =>
  cost === null ? "—" : money(cost, currency);

export function EstimateTable({ estimate }: { estimate: Estimate }) {
  const c = estimate.currency;
  return (
    <div data-testid="estimate">
      <p>
        <strong>At most {money(estimate.total, c)}</strong>{" "}
        <span class="muted">
          (rate card of {estimate.card_effective}; free entry points and open service windows are
          not predictable, so Meta may bill less)
        </span>
      </p>
      {estimate.unpriced_recipients > 0 && (
        <p class="muted">
          {estimate.unpriced_recipients} recipients are in markets whose rate is unknown: not in the
          total.
        </p>
      )}
      <Table
        rows={estimate.by_market}
        columns={[
          { label: "Market", cell: (l) => l.market },
          { label: "Category", cell: (l) => l.category },
          { label: "Recipients", numeric: true, cell: (l) => l.recipients },
          { label: "Rate", numeric: true, cell: (l) => rateText(l.rate, c) },
          { label: "Cost", numeric: true, cell: (l) => costText(l.cost, c) },
        ]}
      />
    </div>
  );
}

export function CostCard({ estimate, cost }: { estimate: Estimate | null; cost: Cost }) {
  const c = cost.currency;
  const free = Object.entries(cost.free_by_type);
  return (
    <section class="card" aria-labelledby="cost-title">
      <h3 id="cost-title">Cost</h3>
      <p data-testid="cost">
        <strong>{money(cost.total, c)}</strong>{" "}
        <span class="muted">
          so far: {cost.billable_messages} billable messages
          {cost.card_effective ? ` at the rate card of ${cost.card_effective}` : ""}
          {free.length > 0 &&
            `; ${cost.free_messages} free (${free.map(([why, n]) => `${n} ${why.replace(/_/g, " ")}`).join(", ")})`}
          {cost.unpriced_messages > 0 && `; ${cost.unpriced_messages} at an unknown rate`}
        </span>
      </p>
      {cost.by_market.length > 0 && (
        <Table
          rows={cost.by_market}
          columns={[
            { label: "Market", cell: (l) => l.market },
            { label: "Category", cell: (l) => l.category },
            { label: "Priced", numeric: true, cell: (l) => l.messages },
            { label: "Billable", numeric: true, cell: (l) => l.billable },
            { label: "Rate", numeric: true, cell: (l) => rateText(l.rate, c) },
            { label: "Cost", numeric: true, cell: (l) => costText(l.cost, c) },
          ]}
        />
      )}
      {estimate && (
        <>
          <h4>Estimate</h4>
          <EstimateTable estimate={estimate} />
        </>
      )}
    </section>
  );
}
