/** Latency figures shared by the benchmarks: nearest-rank percentiles over samples in nanoseconds, reported in ms. */

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarise(samplesNs: number[]): { p50: number; p90: number; p99: number; max: number } {
  const ms = Float64Array.from(samplesNs, (ns) => ns / 1e6).sort();
  return { p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), max: ms[ms.length - 1] ?? Number.NaN };
}

/** Milliseconds to four decimals, for the JSON line. */
export const round = (ms: number) => Math.round(ms * 10_000) / 10_000;
/** Milliseconds as microseconds, for the readable lines. */
export const fmt = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
