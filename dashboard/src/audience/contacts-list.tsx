/** Contacts, searched by name or phone (GET /v1/contacts?searchText=), a page at a time. */
import { useEffect, useState } from "preact/hooks";
import { apiList, type Contact } from "../api";
import { Pager } from "../pager";
import { usePolling } from "../poll";
import { Alert } from "../ui";

const PAGE = 20;

export function ContactsList({ version }: { version: number }) {
  const [search, setSearch] = useState("");
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [search]);
  const query = new URLSearchParams({ limit: String(PAGE), page: String(offset / PAGE + 1) });
  if (search) query.set("searchText", search);
  const { data, error } = usePolling(
    () => apiList<Contact>(`/v1/contacts?${query}`),
    [search, offset, version],
    () => false,
  );
  const total = data?.total ?? 0;
  return (
    <section class="card" aria-labelledby="contacts-title">
      <h3 id="contacts-title">Contacts</h3>
      <label for="contact-search">Search</label>
      <input
        id="contact-search"
        type="search"
        placeholder="Name or phone"
        value={search}
        onInput={(e) => setSearch(e.currentTarget.value)}
      />
      <Alert error={error} />
      <table>
        <caption class="muted" style="text-align:left">
          {total} contact{total === 1 ? "" : "s"}
        </caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Phone</th>
            <th scope="col">Opted in</th>
            <th scope="col" class="hide-narrow">
              Added
            </th>
          </tr>
        </thead>
        <tbody>
          {data?.items.map((c) => (
            <tr>
              <td>{c.name ?? "—"}</td>
              <td>{c.phone}</td>
              <td>{c.optedIn ? "yes" : "no"}</td>
              <td class="hide-narrow">{new Date(c.createdAt).toLocaleDateString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager offset={offset} size={PAGE} total={total} go={setOffset} />
    </section>
  );
}
