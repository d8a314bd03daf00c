/**
 * Statistical oracles for the mask tests (not library code). Thresholds are at about 5σ / p ≈ 1e-6
 * per comparison, so with fixed seeds and a few hundred comparisons per file a pass is not luck and a
 * real difference of the size the tests target still fails (the tests show that on a wrong model).
 */

/** Upper quantile of χ²(df) by Wilson–Hilferty; z = 4.75 is p ≈ 1e-6. */
export function chiSquareCritical(df: number, z = 4.75): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

export interface ChiSquare {
  readonly statistic: number;
  readonly df: number;
  readonly critical: number;
}

/**
 * Pearson goodness of fit of counts to probabilities; adjacent bins are pooled until each expects at
 * least 5 (the usual condition for the χ² approximation).
 */
export function chiSquareFit(observed: readonly number[], probabilities: readonly number[]): ChiSquare {
  const n = observed.reduce((a, b) => a + b, 0);
  const pooledObserved: number[] = [];
  const pooledExpected: number[] = [];
  let o = 0;
  let e = 0;
  for (let i = 0; i < probabilities.length; i++) {
    o += observed[i] ?? 0;
    e += n * probabilities[i]!;
    if (e >= 5) {
      pooledObserved.push(o);
      pooledExpected.push(e);
      o = 0;
      e = 0;
    }
  }
  if (pooledExpected.length === 0) return { statistic: 0, df: 1, critical: chiSquareCritical(1) };
  pooledObserved[pooledObserved.length - 1]! += o;
  pooledExpected[pooledExpected.length - 1]! += e;
  let statistic = 0;
  for (let i = 0; i < pooledExpected.length; i++)
    statistic += (pooledObserved[i]! - pooledExpected[i]!) ** 2 / pooledExpected[i]!;
  const df = Math.max(1, pooledExpected.length - 1);
  return { statistic, df, critical: chiSquareCritical(df) };
}

/** χ² test that two samples of small non-negative integers come from the same law (pooled bins). */
export function chiSquareSameLaw(a: readonly number[], b: readonly number[]): ChiSquare {
  const size = Math.max(...a, ...b) + 1;
  const histogram = (xs: readonly number[]) => {
    const h = new Array<number>(size).fill(0);
    for (const x of xs) h[x]!++;
    return h;
  };
  const ha = histogram(a);
  const hb = histogram(b);
  const rows: [number, number][] = [];
  let ca = 0;
  let cb = 0;
  for (let v = 0; v < size; v++) {
    ca += ha[v]!;
    cb += hb[v]!;
    if (ca + cb >= 20) {
      rows.push([ca, cb]);
      ca = 0;
      cb = 0;
    }
  }
  if (rows.length === 0) return { statistic: 0, df: 1, critical: chiSquareCritical(1) };
  rows[rows.length - 1]![0] += ca;
  rows[rows.length - 1]![1] += cb;
  const na = a.length;
  const nb = b.length;
  let statistic = 0;
  for (const [x, y] of rows) {
    const ex = ((x + y) * na) / (na + nb);
    const ey = ((x + y) * nb) / (na + nb);
    statistic += (x - ex) ** 2 / ex + (y - ey) ** 2 / ey;
  }
  const df = Math.max(1, rows.length - 1);
  return { statistic, df, critical: chiSquareCritical(df) };
}

export interface Moments {
  readonly n: number;
  readonly mean: number;
  /** Unbiased sample variance. */
  readonly variance: number;
  /** Fourth central moment, for the standard error of the variance. */
  readonly fourth: number;
}

export function moments(xs: ArrayLike<number>): Moments {
  const n = xs.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += xs[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - mean;
    m2 += d * d;
    m4 += d ** 4;
  }
  return { n, mean, variance: m2 / (n - 1), fourth: m4 / n };
}

/** z of the difference of two sample means. */
export function meanZ(a: Moments, b: Moments): number {
  const se = Math.sqrt(a.variance / a.n + b.variance / b.n);
  return se === 0 ? (a.mean === b.mean ? 0 : Number.POSITIVE_INFINITY) : (a.mean - b.mean) / se;
}

/** z of the difference of two sample variances; Var(s²) ≈ (μ4 − σ⁴) / n for large n. */
export function varianceZ(a: Moments, b: Moments): number {
  const se = Math.sqrt(
    Math.max(0, a.fourth - a.variance ** 2) / a.n + Math.max(0, b.fourth - b.variance ** 2) / b.n,
  );
  return se === 0
    ? a.variance === b.variance
      ? 0
      : Number.POSITIVE_INFINITY
    : (a.variance - b.variance) / se;
}
