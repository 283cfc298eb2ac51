/**
 * WhatsApp's text formatting, as the app renders it: *bold*, _italic_,
 * ~strikethrough~ and ```monospace```, nested where WhatsApp nests them. A
 * marker only counts around non-blank text, as in the app ("2 * 3 * 4" stays).
 */
import type { ComponentChildren } from "preact";

const MARKUP =
  /```([\s\S]+?)```|\*(\S(?:[^*\n]*?\S)?)\*|_(\S(?:[^_\n]*?\S)?)_|~(\S(?:[^~\n]*?\S)?)~/g;

export function formatWhatsApp(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(MARKUP)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    const [, mono, bold, italic, strike] = m;
    if (mono !== undefined) out.push(<code>{mono}</code>);
    else if (bold !== undefined) out.push(<strong>{formatWhatsApp(bold)}</strong>);
    else if (italic !== undefined) out.push(<em>{formatWhatsApp(italic)}</em>);
    else if (strike !== undefined) out.push(<s>{formatWhatsApp(strike)}</s>);
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** A template text with its `{{variables}}` filled; an unfilled one shows as `{{name}}`. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, name: string) =>
    values[name] ? values[name] : whole,
  );
}
