/** The suppression list (/v1/suppressions): numbers never messaged; add one, remove one. */
import { useState } from "preact/hooks";
import { api, apiList, errorText, post, type Suppression } from "../api";
import { Pager } from "../pager";
import { usePolling } from "../poll";
import { Alert } from "../ui";

const PAGE = 20;

export function Suppressions() {
  const [offset, setOffset] = useState(0);
  const [phone, setPhone] = useState("");
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const { data, error, reload } = usePolling(
    () => apiList<Suppression>(`/v1/suppressions?limit=${PAGE}&page=${offset / PAGE + 1}`),
    [offset],
    () => false,
  );
  const change = async (work: () => Promise<unknown>) => {
    setProblem(null);
    try {
      await work();
      reload();
      return true;
    } catch (err) {
      setProblem(errorText(err));
      return false;
    }
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const body = { phone: phone.trim(), ...(reason.trim() ? { reason: reason.trim() } : {}) };
    if (await change(() => api("/v1/suppressions", post(body)))) {
      setPhone("");
      setReason("");
    }
  };
  return (
    <section class="card" aria-labelledby="supp-title">
      <h3 id="supp-title">Suppressed numbers</h3>
      <form class="row" onSubmit={add}>
        <div>
          <label for="supp-phone">Phone (with country code)</label>
          <input
            id="supp-phone"
            required
            inputMode="tel"
            value={phone}
            onInput={(e) => setPhone(e.currentTarget.value)}
          />
        </div>
        <div>
          <label for="supp-reason">Reason</label>
          <input
            id="supp-reason"
            placeholder="manual"
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </div>
        <button type="submit">Suppress</button>
      </form>
      <Alert error={problem || error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Phone</th>
            <th scope="col">Reason</th>
            <th scope="col" class="hide-narrow">
              Since
            </th>
            <th scope="col">
              <span class="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((s) => (
            <tr>
              <td>{s.phone}</td>
              <td>{s.reason}</td>
              <td class="hide-narrow">{new Date(s.createdAt).toLocaleString()}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Remove ${s.phone}`}
                  onClick={() =>
                    change(() =>
                      api(`/v1/suppressions/${encodeURIComponent(s.phone)}`, { method: "DELETE" }),
                    )
                  }
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager offset={offset} size={PAGE} total={data?.total ?? 0} go={setOffset} />
    </section>
  );
}
