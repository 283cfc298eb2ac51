import type { Bindings } from "../env";

/** A broadcast's DO is named by account and id, so one account can never reach another's. */
export function broadcastStub(env: Bindings, accountId: string, broadcastId: string) {
  return env.BROADCAST.get(env.BROADCAST.idFromName(`${accountId}:${broadcastId}`));
}

export function senderStub(env: Bindings, phoneNumberId: string) {
  return env.SENDER.get(env.SENDER.idFromName(phoneNumberId));
}
