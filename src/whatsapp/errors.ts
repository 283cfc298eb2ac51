/**
 * What each Cloud API error means for a broadcast: the table is
 * domain/meta-errors.ts (pure); this is the Cloud API client's view of it.
 */
import { type ErrorRule, errorRule } from "../domain/meta-errors";

export type { ErrorAction, ErrorRule } from "../domain/meta-errors";
export { PAIR_RATE_CODE, SPAM_LIMIT_CODE, TIMEOUT_CODE } from "../domain/meta-errors";

/** `code` 0 stands for "no answer" (timeout or network failure). */
export function classifyError(code: number, httpStatus: number): ErrorRule {
  return errorRule(code, httpStatus);
}
