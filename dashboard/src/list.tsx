import { useEffect, useState } from "preact/hooks";
import { api, type Overview, percent } from "./api";
import { Pager } from "./pager";
import { usePolling } from "./poll";
import { Alert } from "./ui";

const STATES = ["", "draft", "scheduled", "sending", "paused", "completed", "cancelled"];
const PAGE = 20;

export function BroadcastList() {
  const [status, setStatus] = useState("");
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [status, search]);
  const query = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
  if (status) query.set("status", status);
  if (search) query.set("search", search);
  const { data, error } = usePolling(
    () => api<{ broadcasts: Overview[]; pagination: { total: number } }>(`/broadcasts?${query}`),
    [status, search, offset],
    (d) => d.broadcasts.some((b) => b.status === "sending"),
  );
  const total = data?.pagination.total ?? 0;
  return (
    <section aria-labelledby="list-title">
      <h2 id="list-title">Broadcasts</h2>
      <div class="card row">
        <div>
          <label for="status">Status</label>
          <select id="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            {STATES.map((s) => (
              <option value={s}>{s || "any"}</option>
            ))}
          </select>
        </div>
        <div>
          <label for="search">Name</label>
          <input
            id="search"
            type="search"
            value={search}
            placeholder="Search by name"
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </div>
      </div>
      <Alert error={error} />
      <div class="card">
        <table>
          <caption class="muted" style="text-align:left">
            {total} broadcast{total === 1 ? "" : "s"}
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col" class="hide-narrow">
                Schedule
              </th>
              <th scope="col">Progress</th>
              <th scope="col" class="hide-narrow">
                Delivered
              </th>
              <th scope="col" class="hide-narrow">
                Read
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.broadcasts.map((b) => {
              const done = percent(b.submitted + b.failed, b.recipients);
              return (
                <tr>
                  <td>
                    <a href={`#/b/${b.uuid}`}>{b.name}</a>
                    <div class="muted">{b.surface === "v1" ? "v1" : "Broadcasts API"}</div>
                  </td>
                  <td>
                    <span class={`status ${b.status}`}>{b.status}</span>
                  </td>
                  <td class="hide-narrow">
                    {b.scheduled_at ? new Date(b.scheduled_at).toLocaleString() : "—"}
                  </td>
                  <td>
                    <div
                      class="bar"
                      role="progressbar"
                      aria-label={`${b.name} progress`}
                      aria-valuemin={0}
                      aria-valuemax={100}
                      aria-valuenow={done}
                    >
                      <span style={`width:${done}%`} />
                    </div>
                    <span class="muted">
                      {b.submitted + b.failed} / {b.recipients}
                    </span>
                  </td>
                  <td class="hide-narrow">{percent(b.delivered, b.submitted)}%</td>
                  <td class="hide-narrow">{percent(b.read, b.submitted)}%</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <Pager offset={offset} size={PAGE} total={total} go={setOffset} />
      </div>
    </section>
  );
}
