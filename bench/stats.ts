/** Small statistics for the benchmarks: medians, and how far a median of noisy samples can be trusted. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A seeded generator (mulberry32), so that the same samples always give the same interval. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 95% percentile-bootstrap interval of the median: the range the median of such samples falls in, 19 times in 20,
 * had the runs been repeated on this machine. With 9 to 15 samples it is rough, but it says honestly whether a
 * median a few percent from a target is on the target's side of the noise.
 */
export function medianInterval(values: readonly number[], resamples = 4000): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  const random = seededRandom(0x5eed);
  const medians = new Float64Array(resamples);
  const draw = new Array<number>(values.length);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) draw[i] = values[Math.floor(random() * values.length)]!;
    medians[r] = median(draw);
  }
  medians.sort();
  return [medians[Math.floor(resamples * 0.025)]!, medians[Math.ceil(resamples * 0.975) - 1]!];
}
