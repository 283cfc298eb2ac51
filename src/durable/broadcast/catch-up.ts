/**
 * Invariant 8: a count read from the projection (a budget, a frequency cap)
 * sees at least what the counted broadcasts' own GETs show, because each of
 * them flushes what it has shown first (`catchUp`), as a retarget does.
 */
import type { Bindings } from "../../env";
import { errorFields, log } from "../../log";
import { broadcastStub } from "../stubs";

/** Flushes each broadcast but `except` (the caller's own); `purpose` names the count in logs. */
export async function catchUpBroadcasts(
  env: Bindings,
  accountId: string,
  ids: readonly string[],
  except: string | null,
  purpose: string,
): Promise<void> {
  await Promise.all(
    ids
      .filter((id) => id !== except)
      .map((id) =>
        broadcastStub(env, accountId, id)
          .catchUp()
          .catch((err) =>
            // One that cannot flush now is counted as the projection has it:
            // the check errs towards sending, as it did before it caught up.
            log("warn", `${purpose} catch-up failed`, { broadcastId: id, ...errorFields(err) }),
          ),
      ),
  );
}
