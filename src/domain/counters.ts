/**
 * The exact per-status counters, read the way both surfaces report them:
 * `sent`, `delivered` and `read` are cumulative (a read message counts as sent
 * and delivered too), `failed` includes validity expiries.
 */
import type { Counters } from "./broadcast";

export function countersView(c: Counters) {
  const accepted =
    c.pending +
    c.queued +
    c.sending +
    c.submitted +
    c.sent +
    c.delivered +
    c.read +
    c.failed +
    c.undeliverable +
    c.cancelled;
  return {
    accepted,
    recipients: accepted + c.rejected,
    submitted: c.submitted + c.sent + c.delivered + c.read,
    sent: c.sent + c.delivered + c.read,
    delivered: c.delivered + c.read,
    read: c.read,
    rejected: c.rejected,
    failed: c.failed + c.undeliverable,
    pending: c.pending + c.queued + c.sending,
    cancelled: c.cancelled,
    replied: c.replied,
  };
}
