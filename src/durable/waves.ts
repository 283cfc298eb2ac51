/**
 * The cron passes' fan-out (retention, the replay window's sweep): calls to
 * Durable Objects made as many at a time as one invocation has connections
 * (REFERENCE.md: six), wave after wave, and none started past the pass's
 * deadline. Answers what each started call answered, in order.
 */
import { CONNECTIONS_PER_INVOCATION } from "../domain/pacing";

export async function inConnectionWaves<T, R>(
  items: readonly T[],
  until: number,
  each: (item: T) => Promise<R>,
): Promise<R[]> {
  const answers: R[] = [];
  for (let i = 0; i < items.length && Date.now() < until; i += CONNECTIONS_PER_INVOCATION) {
    answers.push(...(await Promise.all(items.slice(i, i + CONNECTIONS_PER_INVOCATION).map(each))));
  }
  return answers;
}
