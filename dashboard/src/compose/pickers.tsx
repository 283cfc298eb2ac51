/** Choosing the sender (GET /v1/senders) and one of its approved templates (GET /v1/templates). */
import { useEffect } from "preact/hooks";
import { api, type Sender, type Template } from "../api";
import { usePolling } from "../poll";
import { Alert } from "../ui";

const never = () => false;

export function SenderPicker(props: { value: string; onChange: (sender: Sender) => void }) {
  const { data, error } = usePolling(() => api<Sender[]>("/v1/senders?limit=100"), [], never);
  const senders = data ?? [];
  const chosen = senders.find((s) => s.phoneNumber === props.value);
  // The account's default sender is chosen until the user picks another.
  useEffect(() => {
    const first = senders.find((s) => s.isDefault) ?? senders[0];
    if (!props.value && first) props.onChange(first);
  }, [data]);
  return (
    <div>
      <label for="c-sender">Sender</label>
      <select
        id="c-sender"
        value={props.value}
        onChange={(e) => {
          const sender = senders.find((s) => s.phoneNumber === e.currentTarget.value);
          if (sender) props.onChange(sender);
        }}
      >
        {senders.map((s) => (
          <option value={s.phoneNumber}>
            +{s.phoneNumber} ({s.throughputMps}/s{s.isDefault ? ", default" : ""})
          </option>
        ))}
      </select>
      {chosen?.qualityWarning && <p class="warn">Quality: {chosen.qualityWarning.message}</p>}
      <Alert error={error} />
    </div>
  );
}

export function TemplatePicker(props: {
  sender: Sender | null;
  value: Template | null;
  onChange: (template: Template | null) => void;
}) {
  const senderId = props.sender?.id;
  const { data, error } = usePolling(
    async () =>
      senderId
        ? api<Template[]>(`/v1/templates?status=APPROVED&limit=100&senderId=${senderId}`)
        : [],
    [senderId],
    never,
  );
  const templates = data ?? [];
  const t = props.value;
  return (
    <div class="grow">
      <label for="c-template">Template (approved)</label>
      <select
        id="c-template"
        value={t?.id ?? ""}
        onChange={(e) =>
          props.onChange(templates.find((x) => x.id === e.currentTarget.value) ?? null)
        }
      >
        <option value="">Choose a template…</option>
        {templates.map((x) => (
          <option value={x.id}>
            {x.name} ({x.language}, {x.category.toLowerCase()})
          </option>
        ))}
      </select>
      {t && (
        <dl class="facts" aria-label="Template">
          <dt>Name</dt>
          <dd>{t.name}</dd>
          <dt>Language</dt>
          <dd>{t.language}</dd>
          <dt>Category</dt>
          <dd>{t.category}</dd>
          <dt>Quality</dt>
          {/* The API does not report Meta's template quality score yet; its status is what it knows. */}
          <dd>{t.status === "APPROVED" ? "approved, no quality issue reported" : t.status}</dd>
        </dl>
      )}
      <Alert error={error} />
    </div>
  );
}
