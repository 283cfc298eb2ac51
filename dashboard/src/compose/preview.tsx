/**
 * The message as WhatsApp shows it for one row: the bubble with its header
 * (media as a labelled placeholder: the dashboard's CSP loads no third-party
 * images), the formatted body, the footer, the buttons under it, and a
 * carousel's cards side by side.
 */
import type {
  TemplateButtonShape,
  TemplateCardShape,
  TemplateHeaderShape,
} from "../../../src/domain/template";
import { type Mapping, type Slot, slotValue, type TemplateShape } from "./slots";
import { fill, formatWhatsApp } from "./whatsapp-text";

interface Values {
  header: string;
  body: Record<string, string>;
  buttons: Record<number, string>;
}

function valuesFor(slots: Slot[], card: number | null, mapping: Mapping, row?: string[]): Values {
  const values: Values = { header: "", body: {}, buttons: {} };
  for (const slot of slots.filter((s) => s.card === card)) {
    const value = slotValue(slot, mapping, row);
    if (slot.part === "header") values.header = value;
    else if (slot.part === "body") values.body[slot.name] = value;
    else values.buttons[Number(slot.key.split(".").at(-1))] = value;
  }
  return values;
}

function Header({ header, value }: { header: TemplateHeaderShape | null; value: string }) {
  if (!header?.format) return null;
  if (header.format === "TEXT")
    return (
      <p class="wa-title" data-testid="preview-header">
        {fill(header.text ?? "", { [header.variables[0] ?? ""]: value })}
      </p>
    );
  const file = value.split(/[?#]/)[0]?.split("/").at(-1) || "no link yet";
  const label =
    header.format === "LOCATION"
      ? value || "no location yet"
      : header.format === "PRODUCT"
        ? value.split(",")[0]?.trim() || "no product yet"
        : file;
  return (
    <div class={`wa-media ${header.format.toLowerCase()}`} data-testid="preview-header">
      <span>
        {header.format.toLowerCase()}: {label}
      </span>
    </div>
  );
}

function Buttons({ buttons, values }: { buttons: TemplateButtonShape[]; values: Values }) {
  if (buttons.length === 0) return null;
  return (
    <ul class="wa-buttons" aria-label="Buttons">
      {buttons.map((b) => {
        const suffix = values.buttons[b.index] ?? "";
        const url = b.url ? fill(b.url, { 1: suffix }) : null;
        const icon = b.type === "URL" ? "↗" : b.type === "COPY_CODE" ? "⧉" : "↩";
        return (
          <li data-testid="preview-button" title={url ?? undefined} data-url={url ?? undefined}>
            <span aria-hidden="true">{icon}</span>{" "}
            {b.text ?? (b.type === "COPY_CODE" ? "Copy code" : b.type)}
          </li>
        );
      })}
    </ul>
  );
}

function Card({ card, values }: { card: TemplateCardShape; values: Values }) {
  return (
    <li class="wa-card" data-testid="preview-card">
      <Header header={card.header} value={values.header} />
      <p class="wa-text">{formatWhatsApp(fill(card.body?.text ?? "", values.body))}</p>
      <Buttons buttons={card.buttons} values={values} />
    </li>
  );
}

export function Preview(props: {
  shape: TemplateShape;
  slots: Slot[];
  mapping: Mapping;
  row?: string[];
  caption: string;
}) {
  const { shape, slots, mapping, row } = props;
  const main = valuesFor(slots, null, mapping, row);
  return (
    <figure class="wa" aria-label="Message preview">
      <figcaption class="muted">{props.caption}</figcaption>
      <div class="wa-bubble">
        <Header header={shape.header} value={main.header} />
        <p class="wa-text" data-testid="preview-body">
          {formatWhatsApp(fill(shape.body?.text ?? "", main.body))}
        </p>
        {shape.footer && <p class="wa-footer">{shape.footer}</p>}
      </div>
      <Buttons buttons={shape.buttons} values={main} />
      {shape.cards && (
        <ul class="wa-cards" aria-label="Carousel cards">
          {shape.cards.map((card) => (
            <Card card={card} values={valuesFor(slots, card.index, mapping, row)} />
          ))}
        </ul>
      )}
    </figure>
  );
}
