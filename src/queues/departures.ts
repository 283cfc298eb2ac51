/**
 * The departure gate: within one isolate, sends to one number leave at
 * least one slot interval apart, in the order their slots come due. Slots
 * from the SenderDO are already spaced; the gate keeps them spaced *as they
 * actually leave*, when a busy event loop wakes several late timers at once
 * (what the receiver sees is departures, not slot times).
 */
const gates = new Map<string, number>();

/**
 * When a send with this slot may leave (epoch ms): its slot, or one interval
 * after the last departure this gate granted, whichever is later. The grant
 * is taken now, in call order.
 */
export function departureTime(
  phoneNumberId: string,
  slot: number,
  intervalMs: number,
  now = Date.now(),
): number {
  const at = Math.max(slot, now, gates.get(phoneNumberId) ?? 0);
  gates.set(phoneNumberId, at + intervalMs);
  return at;
}
