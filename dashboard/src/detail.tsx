import { useEffect, useRef, useState } from "preact/hooks";
import { type Activity, api, type Details, download, percent, type Recipient } from "./api";
import { DeliveryChart, SendRateChart } from "./charts/live-charts";
import { CostCard } from "./cost";
import { Pager } from "./pager";
import { usePolling } from "./poll";
import { Alert } from "./ui";

const LIVE = new Set(["scheduled", "sending"]);
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
/** Statuses keep arriving after the last send: a completed broadcast is watched a while longer. */
const SETTLING_MS = 5 * 60_000;
const live = (d: Details) =>
  LIVE.has(d.status) ||
  d.pending > 0 ||
  (d.completed_at !== null &&
    Date.now() - Date.parse(d.completed_at) < SETTLING_MS &&
    d.read + d.failed < d.submitted);

export function BroadcastPage({
  uuid,
  recipientStatus = "",
}: {
  uuid: string;
  recipientStatus?: string;
}) {
  const { data, error, reload } = usePolling(
    async () => {
      const [details, activity] = await Promise.all([
        api<Details>(`/broadcasts/${uuid}`),
        api<Activity>(`/broadcasts/${uuid}/activity`),
      ]);
      return { details, activity };
    },
    [uuid],
    (d) => live(d.details),
  );
  const [acting, setActing] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const downloadRecipients = async () => {
    setActing("download");
    setActionError(null);
    try {
      await download(
        `/broadcasts/${uuid}/recipients/export?format=csv`,
        `broadcast-${uuid}-recipients.csv`,
      );
    } catch (err) {
      setActionError(err instanceof Error ? err.message : String(err));
    } finally {
      setActing(null);
    }
  };
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
  if (error) return <Alert error={error} />;
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
          <button
            type="button"
            disabled={!!acting}
            onClick={downloadRecipients}
            title="Every recipient and its status, as CSV"
          >
            {acting === "download" ? "Downloading…" : "Download recipients"}
          </button>
        </div>
        <Alert error={actionError} />
      </div>
      <Funnel d={d} />
      <CostCard estimate={d.estimate} cost={d.cost} />
      <div class="card">
        <h3>Send rate (messages Meta accepted, per second)</h3>
        <SendRateChart uuid={uuid} points={data.activity.send_rate} />
      </div>
      <div class="card">
        <h3>Delivered and read over time</h3>
        <DeliveryChart uuid={uuid} live={live(data.details)} />
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
                <th scope="col">
                  <span class="sr-only">Who</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.activity.failures.map((f) => (
                <tr>
                  <td>{f.error_code ?? "—"}</td>
                  <td>{f.title}</td>
                  <td class="num">{f.count}</td>
                  <td>
                    <a href={`#/b/${uuid}?recipients=failed`}>See the failed recipients</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <Recipients
        uuid={uuid}
        version={d.submitted + d.read + d.failed}
        initialStatus={recipientStatus}
      />
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

function Recipients(props: { uuid: string; version: number; initialStatus: string }) {
  const { uuid, version } = props;
  const [status, setStatus] = useState(props.initialStatus);
  const [offset, setOffset] = useState(0);
  // A link such as a failure's "see them" changes the filter of a page already open.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    setStatus(props.initialStatus);
    setOffset(0);
    if (props.initialStatus) heading.current?.scrollIntoView();
  }, [props.initialStatus]);
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
      <h3 ref={heading} id="recipients">
        Recipients
      </h3>
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
      <Alert error={error} />
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
