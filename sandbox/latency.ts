/**
 * How long the sandbox takes to answer a send: a log-normal per number with
 * the given median (p50) and 99th percentile, drawn deterministically from
 * the number's seed and the request's ordinal, so a benchmark run is
 * repeatable. 0/0 (the default in tests and `npm run dev`): answer at once.
 *
 * The delay is on the answer, not on the arrival: the throughput window
 * counts a send when it reaches the sandbox, as Meta's counts it at its edge.
 */
export type LatencyModel = {
  p50_ms: number;
  p99_ms: number;
  seed: number;
};

/** z of the 99th percentile of the standard normal. */
const Z99 = 2.326;

export function latencyMs(model: LatencyModel, ordinal: number): number {
  if (model.p50_ms <= 0) return 0;
  const sigma = model.p99_ms > model.p50_ms ? Math.log(model.p99_ms / model.p50_ms) / Z99 : 0;
  return Math.round(model.p50_ms * Math.exp(sigma * standardNormal(model.seed, ordinal)));
}

/** A standard normal from two uniform draws (Box–Muller) of a hash of (seed, ordinal). */
function standardNormal(seed: number, ordinal: number): number {
  const u1 = Math.max(1e-12, uniform(seed, ordinal * 2));
  const u2 = uniform(seed, ordinal * 2 + 1);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A uniform in [0, 1) from (seed, n): splitmix32's finaliser, good enough for test noise. */
function uniform(seed: number, n: number): number {
  let x = (Math.imul(seed | 0, 0x9e3779b9) + Math.imul(n | 0, 0x85ebca6b)) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}
