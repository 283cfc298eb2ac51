/**
 * Usage: what the account's broadcasts cost over a period, from GET
 * /v1/usage — cost per day as a chart (uPlot bars), and by market below.
 */
import { useMemo, useState } from "preact/hooks";
import { api } from "./api";
import { TimeChart } from "./charts/time-chart";
import { money } from "./cost";
import { usePolling } from "./poll";
import { Alert, Table } from "./ui";

interface Bucket {
  key: string;
  messages: number;
  billable_messages: number;
  free_messages: number;
  cost: number;
  unpriced_messages: number;
}

interface Usage {
  currency: string;
  from: string;
  to: string;
  total: number;
  buckets: Bucket[];
}

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function UsagePage() {
  const [from, setFrom] = useState(() => day(Date.now() - 29 * DAY_MS));
  const [to, setTo] = useState(() => day(Date.now()));
  const query = `from=${from}&to=${to}`;
  const { data, error } = usePolling(
    async () => {
      const [byDay, byMarket] = await Promise.all([
        api<Usage>(`/v1/usage?${query}&groupBy=day`),
        api<Usage>(`/v1/usage?${query}&groupBy=market`),
      ]);
      return { byDay, byMarket };
    },
    [query],
    () => false,
  );
  // Every day of the period, priced or not, so the axis spans the period asked for.
  const chart = useMemo(() => {
    const cost = new Map((data?.byDay.buckets ?? []).map((b) => [b.key, b.cost]));
    const x: number[] = [];
    const y: number[] = [];
    const first = Date.parse(data?.byDay.from ?? "");
    const last = Date.parse(data?.byDay.to ?? "");
    for (let t = first; t <= last && x.length <= 366; t += DAY_MS) {
      x.push(t / 1000);
      y.push(cost.get(day(t)) ?? 0);
    }
    return [x, y] as [number[], number[]];
  }, [data]);
  const currency = data?.byDay.currency ?? "USD";
  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      <div class="card row">
        <label>
          From <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
      </div>
      <Alert error={error} />
      {data && (
        <>
          <div class="card">
            <h3>
              Cost per day:{" "}
              <span data-testid="usage-total">{money(data.byDay.total, currency)}</span>
            </h3>
            <TimeChart
              label={`Cost per day from ${from} to ${to}: ${money(data.byDay.total, currency)} in all`}
              empty="No period to show."
              lines={[{ label: `Cost (${currency})`, stroke: "#2b6cb0", bars: true }]}
              data={chart}
              yLabel={currency}
            />
          </div>
          <div class="card">
            <h3>By market</h3>
            <Table
              rows={data.byMarket.buckets}
              columns={[
                { label: "Market", cell: (b) => b.key },
                { label: "Messages", numeric: true, cell: (b) => b.messages },
                { label: "Billable", numeric: true, cell: (b) => b.billable_messages },
                { label: "Free", numeric: true, cell: (b) => b.free_messages },
                { label: "Cost", numeric: true, cell: (b) => money(b.cost, currency) },
              ]}
            />
          </div>
        </>
      )}
    </section>
  );
}
