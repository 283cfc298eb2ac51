/**
 * The live page's two charts: sends per second on a time axis with the
 * sender's cap as a line, and delivered/read over time.
 */
import { useMemo } from "preact/hooks";
import { type Activity, api, type Sender, senderKey } from "../api";
import { usePolling } from "../poll";
import { useStatusTimeline } from "./status-timeline";
import { TimeChart } from "./time-chart";

/** At most an hour of one-second bars; a longer send is drawn from its own points. */
const MAX_FILLED_SECONDS = 3_600;

/**
 * The broadcast's sender: the one it was composed with in this tab, else the
 * account's default (the API's details do not name the sender; said in the label).
 */
function useSenderCap(uuid: string): { cap: number; label: string } | null {
  const { data } = usePolling(
    () => api<Sender[]>("/v1/senders?limit=100"),
    [],
    () => false,
  );
  if (!data) return null;
  const from = sessionStorage.getItem(senderKey(uuid));
  const known = data.find((s) => s.phoneNumber === from);
  const sender = known ?? data.find((s) => s.isDefault) ?? data[0];
  if (!sender) return null;
  const whose = known ? "" : "default sender ";
  return { cap: sender.throughputMps, label: `Cap of ${whose}+${sender.phoneNumber}` };
}

function perSecond(points: Activity["send_rate"]): [number[], number[]] {
  const secs = points.map((p) => Math.floor(Date.parse(p.at) / 1000));
  const first = secs[0] ?? 0;
  const span = (secs.at(-1) ?? 0) - first + 1;
  if (span > MAX_FILLED_SECONDS) return [secs, points.map((p) => p.count)];
  const counts = new Array<number>(span).fill(0);
  secs.forEach((s, i) => {
    counts[s - first] = points[i]?.count ?? 0;
  });
  return [counts.map((_, i) => first + i), counts];
}

export function SendRateChart({ uuid, points }: { uuid: string; points: Activity["send_rate"] }) {
  const cap = useSenderCap(uuid);
  const data = useMemo(() => {
    const [x, y] = perSecond(points);
    return [x, y, x.map(() => cap?.cap ?? null)] as [number[], number[], (number | null)[]];
  }, [points, cap?.cap]);
  const peak = Math.max(0, ...points.map((p) => p.count));
  const seconds = data[0].length > 0 ? (data[0].at(-1) ?? 0) - (data[0][0] ?? 0) + 1 : 0;
  const label = `Send rate: peak ${peak}/s over ${seconds} s${cap ? `; ${cap.label}: ${cap.cap}/s` : ""}`;
  return (
    <TimeChart
      label={label}
      empty="Nothing sent yet."
      yLabel="per second"
      data={data}
      lines={[
        { label: "Accepted by Meta /s", stroke: "#0a5c36", bars: true },
        { label: cap?.label ?? "Cap", stroke: "#a40e26", dash: [6, 4] },
      ]}
    />
  );
}

export function DeliveryChart({ uuid, live }: { uuid: string; live: boolean }) {
  const t = useStatusTimeline(uuid, live);
  const data = useMemo(() => [t.at, t.delivered, t.read] as [number[], number[], number[]], [t]);
  const last = (xs: number[]) => xs.at(-1) ?? 0;
  return (
    <TimeChart
      label={`Delivered and read over time: ${last(t.delivered)} delivered, ${last(t.read)} read`}
      empty="Nothing delivered yet."
      yLabel="recipients"
      data={data}
      lines={[
        { label: "Delivered", stroke: "#0b5394", stepped: true },
        { label: "Read", stroke: "#0a5c36", stepped: true },
      ]}
    />
  );
}
