/**
 * The sending-window gate of one pump run: when each recipient's window
 * opens, cached per zone (every recipient of a zone opens at the same moment).
 */

import type { BroadcastPlan } from "../../domain/broadcast";
import { nextOpening, zoneOfPhone } from "../../domain/send-window";

export class SendWindowGate {
  private readonly opening = new Map<string, number>();

  constructor(
    private readonly plan: BroadcastPlan,
    private readonly now: number,
  ) {}

  get active(): boolean {
    return Boolean(this.plan.sendWindow);
  }

  /** Epoch ms from which this recipient may be sent: `now` when its window is open. */
  opensAt(identifier: string, timezone: string | null): number {
    const window = this.plan.sendWindow;
    if (!window) return this.now;
    const zone =
      this.plan.windowZone && this.plan.windowZone !== "recipient"
        ? this.plan.windowZone
        : (timezone ?? zoneOfPhone(identifier));
    let at = this.opening.get(zone);
    if (at === undefined) {
      at = nextOpening(window, this.now, zone);
      this.opening.set(zone, at);
    }
    return at;
  }
}
