import { useState } from "preact/hooks";
import { type Activity, api, type Details, percent, type Recipient } from "./api";
import { Pager } from "./pager";
import { usePolling } from "./poll";

const LIVE = new Set(["scheduled", "sending"]);
/**
 * Meta's statuses (sent, delivered, read) keep arriving after the last send
 * settles and the broadcast completes: the funnel follows them this long
 * after the end instead of freezing at the figures of the completing poll.
 */
const FOLLOW_AFTER_END_MS = 10 * 60_000;

function moving(d: Details): boolean {
  if (LIVE.has(d.status) || d.pending > 0) return true;
  const ended = d.completed_at ? Date.parse(d.completed_at) : Number.NaN;
  return Number.isFinite(ended) && Date.now() - ended < FOLLOW_AFTER_END_MS;
}
const RECIPIENT_STATES = [
  "",
  "pending",
  "submitted",
  "sent",
  "delivered",
  "read",
  "failed",
  "rejected",
  "undeliverable",
  "cancelled",
];
const PAGE = 50;

export function BroadcastPage({ uuid }: { uuid: string }) {
  const { data, error, reload } = usePolling(
    async () => {
      const [details, activity] = await Promise.all([
        api<Details>(`/broadcasts/${uuid}`),
        api<Activity>(`/broadcasts/${uuid}/activity`),
      ]);
      return { details, activity };
    },
    [uuid],
    (d) => moving(d.details),
  );
  const [acting, setActing] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const act = async (action: "cancel" | "pause" | "resume") => {
    setActing(action);
    setActionError(null);
    try {
      await api(`/broadcasts/${uuid}/${action}`, { method: "POST" });
      reload();
    } catch (err) {
      setActionError(err instanceof Error ? err.message : String(err));
    } finally {
      setActing(null);
    }
  };
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p class="muted">Loading…</p>;
  const d = data.details;
  const done = percent(d.submitted + d.failed + d.cancelled, d.recipients - d.rejected);
  return (
    <section aria-labelledby="b-title">
      <p>
        <a href="#/">← All broadcasts</a>
      </p>
      <h2 id="b-title">
        {d.name} <span class={`status ${d.status}`}>{d.status}</span>
      </h2>
      {d.pause_reason && <p class="error">Paused: {d.pause_reason}</p>}
      <div class="card">
        <div
          class="bar"
          role="progressbar"
          aria-label="Progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={done}
        >
          <span style={`width:${done}%`} />
        </div>
        <p>
          <strong data-testid="progress">{done}%</strong>{" "}
          <span class="muted">
            — {d.submitted} sent of {d.recipients - d.rejected}; scheduled{" "}
            {new Date(d.scheduled_at).toLocaleString()}
          </span>
        </p>
        <div class="row">
          <button
            type="button"
            class="danger"
            disabled={!!acting || !["scheduled", "sending", "paused", "draft"].includes(d.status)}
            onClick={() => act("cancel")}
          >
            Cancel
          </button>
          <button
            type="button"
            disabled={!!acting || !["scheduled", "sending"].includes(d.status)}
            onClick={() => act("pause")}
          >
            Pause
          </button>
          <button
            type="button"
            class="primary"
            disabled={!!acting || d.status !== "paused"}
            onClick={() => act("resume")}
          >
            Resume
          </button>
        </div>
        {actionError && (
          <p class="error" role="alert">
            {actionError}
          </p>
        )}
      </div>
      <Funnel d={d} />
      <div class="card">
        <h3>Send rate (messages Meta accepted, per second)</h3>
        <RateChart points={data.activity.send_rate} />
      </div>
      <div class="card">
        <h3>Failures by error</h3>
        {data.activity.failures.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Meta's title</th>
                <th scope="col">Recipients</th>
              </tr>
            </thead>
            <tbody>
              {data.activity.failures.map((f) => (
                <tr>
                  <td>{f.error_code ?? "—"}</td>
                  <td>{f.title}</td>
                  <td>{f.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <Recipients uuid={uuid} version={d.submitted + d.read + d.failed} />
    </section>
  );
}

function Funnel({ d }: { d: Details }) {
  const steps: [string, number, boolean][] = [
    ["Accepted", d.recipients - d.rejected, false],
    ["Sent", d.submitted, false],
    ["Delivered", d.delivered, false],
    ["Read", d.read, false],
    ["Replied", d.replied, false],
    ["Failed", d.failed, true],
    ["Rejected", d.rejected, true],
  ];
  const base = d.recipients - d.rejected;
  return (
    <section class="card" aria-labelledby="funnel-title">
      <h3 id="funnel-title">Funnel</h3>
      <div class="funnel">
        {steps.map(([label, n, bad]) => (
          <div class={`step${bad ? " bad" : ""}`} data-step={label.toLowerCase()}>
            <span class="muted">{label}</span>
            <strong>{n}</strong>
            <span class="muted">{label === "Rejected" ? "at create" : `${percent(n, base)}%`}</span>
          </div>
        ))}
      </div>
    </section>
  );
}

/** Bars of sends per second, hand-drawn in SVG (no chart library). */
function RateChart({ points }: { points: Activity["send_rate"] }) {
  if (points.length === 0) return <p class="muted">Nothing sent yet.</p>;
  const width = 640;
  const height = 140;
  const first = Date.parse(points[0]?.at ?? "");
  const last = Date.parse(points.at(-1)?.at ?? "");
  const seconds = Math.max(1, (last - first) / 1000 + 1);
  const max = Math.max(...points.map((p) => p.count));
  const barWidth = Math.max(1, width / seconds - 1);
  const peak = `peak ${max}/s over ${Math.round(seconds)} s`;
  return (
    <svg
      viewBox={`0 0 ${width} ${height + 16}`}
      role="img"
      aria-label={`Send rate: ${peak}`}
      style="width:100%;height:auto"
    >
      {points.map((p) => {
        const x = ((Date.parse(p.at) - first) / 1000 / seconds) * width;
        const h = (p.count / max) * height;
        return (
          <rect x={x} y={height - h} width={barWidth} height={h} fill="#0a5c36">
            <title>{`${new Date(p.at).toLocaleTimeString()}: ${p.count}/s`}</title>
          </rect>
        );
      })}
      <text x="0" y={height + 12}>
        {new Date(first).toLocaleTimeString()}
      </text>
      <text x={width} y={height + 12} text-anchor="end">
        {peak}
      </text>
    </svg>
  );
}

function Recipients({ uuid, version }: { uuid: string; version: number }) {
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (status) query.set("status", status);
  const { data, error } = usePolling(
    () =>
      api<{ recipients: Recipient[]; pagination: { total: number } }>(
        `/broadcasts/${uuid}/recipients?${query}`,
      ),
    [uuid, status, offset, version],
    () => false,
  );
  const total = data?.pagination.total ?? 0;
  return (
    <div class="card">
      <h3>Recipients</h3>
      <div class="row">
        <div>
          <label for="r-status">Status</label>
          <select
            id="r-status"
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setOffset(0);
            }}
          >
            {RECIPIENT_STATES.map((s) => (
              <option value={s}>{s || "any"}</option>
            ))}
          </select>
        </div>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Status</th>
            <th scope="col" class="hide-narrow">
              Reference
            </th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {data?.recipients.map((r) => (
            <tr>
              <td>{r.identifier}</td>
              <td>{r.status}</td>
              <td class="hide-narrow">{r.client_reference ?? "—"}</td>
              <td class="muted">
                {r.error
                  ? `${r.error_code ? `${r.error_code}: ` : ""}${r.error}`
                  : r.next_send_at
                    ? `waits until ${new Date(r.next_send_at).toLocaleString()}`
                    : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager offset={offset} size={PAGE} total={total} go={setOffset} />
    </div>
  );
}
