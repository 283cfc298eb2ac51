/**
 * Erasing a person from an account (a data-subject request): their contact,
 * and their number, name, rendered parameters and replies in every broadcast.
 * Each BroadcastDO scrubs its own rows (its revision moves, so the projection
 * is rewritten from the scrubbed rows); D1's projection is scrubbed directly
 * too, so reads are clean at once. Statuses, times and the client's own
 * references stay, so every broadcast's counters still equal its rows.
 * The suppression list keeps the number: erasing it would let the person be
 * messaged again (delete it with DELETE /v1/suppressions/{phone} if asked).
 */
import { audienceWriter } from "../../../db/audience-store";
import { broadcastsThatMayHold, eraseFromProjection } from "../../../db/erasure";
import { ERASED } from "../../../durable/broadcast/store";
import { broadcastStub } from "../../../durable/stubs";
import type { Bindings } from "../../../env";

export interface ErasureReport {
  contacts: number;
  broadcasts: number;
  recipients: number;
}

/** Broadcast Durable Objects asked at once. */
const FAN_OUT = 16;

export async function erasePerson(
  env: Bindings,
  accountId: string,
  digits: string,
): Promise<ErasureReport> {
  const contacts = await (await audienceWriter(env, accountId)).deleteContactByPhone(
    accountId,
    digits,
  );
  const candidates = await broadcastsThatMayHold(env, accountId, digits);
  let broadcasts = 0;
  let recipients = 0;
  for (let i = 0; i < candidates.length; i += FAN_OUT) {
    const counts = await Promise.all(
      candidates
        .slice(i, i + FAN_OUT)
        .map((id) => broadcastStub(env, accountId, id).erasePerson(digits)),
    );
    for (const n of counts) {
      if (n > 0) broadcasts++;
      recipients += n;
    }
  }
  await eraseFromProjection(env, accountId, digits, ERASED);
  return { contacts, broadcasts, recipients };
}
