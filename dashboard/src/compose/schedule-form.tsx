/**
 * When to send: the start and the validity end in the user's own clock
 * (datetime-local), shown in UTC as they are sent; and the sending window
 * (README "Sending windows"): the account's default, any time, or local hours
 * on each recipient's clock or one zone's.
 */
export interface Schedule {
  scheduledFor: string;
  validUntil: string;
  window: "default" | "none" | "hours";
  start: string;
  end: string;
  timezone: string;
}

export const USER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export const initialSchedule = (): Schedule => ({
  scheduledFor: "",
  validUntil: "",
  window: "default",
  start: "09:00",
  end: "20:00",
  timezone: "recipient",
});

/** A datetime-local value (the user's clock) as the ISO instant the API takes. */
export const toUtc = (local: string): string | undefined =>
  local ? new Date(local).toISOString() : undefined;

export function scheduleFields(s: Schedule): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const scheduled = toUtc(s.scheduledFor);
  const valid = toUtc(s.validUntil);
  if (scheduled) fields.scheduled_for = scheduled;
  if (valid) fields.valid_until = valid;
  if (s.window === "none") fields.send_window = null;
  if (s.window === "hours") {
    fields.send_window = { start: s.start, end: s.end };
    fields.timezone = s.timezone;
  }
  return fields;
}

function When(props: {
  id: string;
  label: string;
  value: string;
  hint: string;
  set: (v: string) => void;
}) {
  const utc = toUtc(props.value);
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="datetime-local"
        value={props.value}
        aria-describedby={`${props.id}-utc`}
        onInput={(e) => props.set(e.currentTarget.value)}
      />
      <p id={`${props.id}-utc`} class="muted small">
        {utc ? `${utc.replace(".000Z", "Z")} (UTC)` : props.hint}
      </p>
    </div>
  );
}

export function ScheduleForm({
  value,
  onChange,
}: {
  value: Schedule;
  onChange: (s: Schedule) => void;
}) {
  const set = (patch: Partial<Schedule>) => onChange({ ...value, ...patch });
  return (
    <fieldset>
      <legend>When (your time: {USER_ZONE})</legend>
      <div class="row">
        <When
          id="c-scheduled"
          label="Send at"
          value={value.scheduledFor}
          hint="Empty: now"
          set={(scheduledFor) => set({ scheduledFor })}
        />
        <When
          id="c-valid"
          label="Valid until"
          value={value.validUntil}
          hint="Empty: no end"
          set={(validUntil) => set({ validUntil })}
        />
      </div>
      <div class="row">
        <div>
          <label for="c-window">Sending window</label>
          <select
            id="c-window"
            value={value.window}
            onChange={(e) => set({ window: e.currentTarget.value as Schedule["window"] })}
          >
            <option value="default">The account's default</option>
            <option value="none">Any time</option>
            <option value="hours">Only between…</option>
          </select>
        </div>
        {value.window === "hours" && (
          <>
            <div>
              <label for="c-start">From</label>
              <input
                id="c-start"
                type="time"
                value={value.start}
                onInput={(e) => set({ start: e.currentTarget.value })}
              />
            </div>
            <div>
              <label for="c-end">To</label>
              <input
                id="c-end"
                type="time"
                value={value.end}
                onInput={(e) => set({ end: e.currentTarget.value })}
              />
            </div>
            <div>
              <label for="c-zone">On whose clock</label>
              <select
                id="c-zone"
                value={value.timezone}
                onChange={(e) => set({ timezone: e.currentTarget.value })}
              >
                <option value="recipient">Each recipient's</option>
                <option value={USER_ZONE}>Yours ({USER_ZONE})</option>
                {USER_ZONE !== "UTC" && <option value="UTC">UTC</option>}
              </select>
            </div>
          </>
        )}
      </div>
    </fieldset>
  );
}
