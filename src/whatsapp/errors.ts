/**
 * What each Cloud API error means for a broadcast (REFERENCE.md, "Errors").
 * Meta says to branch on the code, not the title; the HTTP status only tells 5xx apart.
 */
export type ErrorClass =
  /** The number's throughput was exceeded: slow the sender down and try again. */
  | "throughput"
  /** Too many messages to this one person lately (131056): only this recipient waits. */
  | "pair"
  /** Transient: try this recipient again later. */
  | "retry"
  /** About the sender or the template, not this recipient: pause the broadcast. */
  | "halt"
  /** Final for this recipient. */
  | "permanent";

const THROUGHPUT = new Set([130429, 80007, 4]);
export const PAIR_RATE_CODE = 131056;
export const SPAM_LIMIT_CODE = 131048;
const TRANSIENT = new Set([1, 2, 131000, 131057, 133004]);
const HALT = new Set([190, 131031, 368, 132015, 132016, 131048, 132001, 200, 10]);

/** `code` 0 stands for "no answer" (timeout or network failure). */
export function classifyError(code: number, httpStatus: number): ErrorClass {
  if (code === PAIR_RATE_CODE) return "pair";
  if (THROUGHPUT.has(code) || httpStatus === 429) return "throughput";
  if (HALT.has(code)) return "halt";
  if (TRANSIENT.has(code) || code === 0 || httpStatus >= 500) return "retry";
  return "permanent";
}

export const TIMEOUT_CODE = 0;
