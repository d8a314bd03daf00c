/**
 * Exact hypergeometric sampling: the number of successes in `draws` items taken without replacement
 * from a population of `population` items of which `successes` are successes. This is the law of a
 * tile's non-zero count under a mask with an exact non-zero total (DESIGN §2), so per-tile counts can
 * be drawn without a bit per weight.
 *
 * Two exact methods, chosen by the smaller of draws and successes (after the symmetries below):
 * - ≤ 40: inversion from 0 with the PMF ratio recurrence (one uniform, ~mean + 1 steps). Tiles of a few
 *   dozen weights, the common case, take this path.
 * - otherwise: HRUA, Stadlober's ratio-of-uniforms rejection as numpy implements it, but with the
 *   PMF ratio computed by Loader's saddle-point form (as R's dhyper) instead of differences of
 *   log-factorials: at populations near 2^40 a log-factorial is ~3e13 and its rounding alone (~0.004)
 *   would bias the acceptance test; Loader's terms stay small and keep full relative accuracy.
 */
import { nextUnit, type RandomGenerator } from '../random-streams.ts';

/** Above 2^50 the products in the PMF recurrences lose integer exactness. */
export const MAX_HYPERGEOMETRIC_POPULATION = 2 ** 50;

const INVERSION_MAX_DRAWS = 40;
const LN_2PI = Math.log(2 * Math.PI);

/**
 * stirlerr(n) = ln n! − (n + ½) ln n + n − ln √(2π) for n = 0..15 ([0] unused), the doubles nearest R's
 * nmath/stirlerr.c values: computing them from sums of logs would lose ~1e-15 to cancellation.
 */
const STIRLERR_SMALL = [
  0.0, 0.08106146679532726, 0.0413406959554093, 0.02767792568499834, 0.020790672103765093,
  0.016644691189821193, 0.013876128823070748, 0.01189670994589177, 0.010411265261972096, 0.009255462182712733,
  0.00833056343336287, 0.007573675487951841, 0.00694284010720953, 0.006408994188004207, 0.0059513701127588475,
  0.005554733551962801,
] as const;

/** The error of Stirling's formula for ln n! (Loader 2000), for integer n ≥ 0. */
export function stirlerr(n: number): number {
  if (n <= 15) return STIRLERR_SMALL[n]!;
  const nn = n * n;
  const s0 = 1 / 12;
  const s1 = 1 / 360;
  const s2 = 1 / 1260;
  const s3 = 1 / 1680;
  const s4 = 1 / 1188;
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/** x ln(x / np) + np − x without cancellation when x ≈ np (Loader 2000). */
function bd0(x: number, np: number): number {
  if (Math.abs(x - np) < 0.1 * (x + np)) {
    let v = (x - np) / (x + np);
    let s = (x - np) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const previous = s;
      s += ej / (2 * j + 1);
      if (s === previous) return s;
    }
  }
  return x * Math.log(x / np) + np - x;
}

/** ln of the binomial PMF at x for n trials with success probability p (q = 1 − p), Loader's form. */
function logBinomialRaw(x: number, n: number, p: number, q: number): number {
  if (p === 0) return x === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (q === 0) return x === n ? 0 : Number.NEGATIVE_INFINITY;
  if (x === 0) return n === 0 ? 0 : p < 0.1 ? -bd0(n, n * q) - n * p : n * Math.log(q);
  if (x === n) return q < 0.1 ? -bd0(n, n * p) - n * q : n * Math.log(p);
  if (x < 0 || x > n) return Number.NEGATIVE_INFINITY;
  const lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
  const lf = LN_2PI + Math.log(x) + Math.log1p(-x / n);
  return lc - 0.5 * lf;
}

/** ln P(X = x) for X ~ Hypergeometric(draws, successes, population); −∞ outside the support. */
export function logHypergeometricPmf(
  x: number,
  draws: number,
  successes: number,
  population: number,
): number {
  const failures = population - successes;
  if (x < 0 || x > successes || draws - x < 0 || draws - x > failures) return Number.NEGATIVE_INFINITY;
  if (draws === 0 || draws === population) return 0;
  const p = draws / population;
  const q = (population - draws) / population;
  return (
    logBinomialRaw(x, successes, p, q) +
    logBinomialRaw(draws - x, failures, p, q) -
    logBinomialRaw(draws, population, p, q)
  );
}

export function hypergeometricPmf(x: number, draws: number, successes: number, population: number): number {
  return Math.exp(logHypergeometricPmf(x, draws, successes, population));
}

function checkArguments(draws: number, successes: number, population: number): void {
  const ok =
    Number.isInteger(draws) &&
    Number.isInteger(successes) &&
    Number.isInteger(population) &&
    population >= 0 &&
    population <= MAX_HYPERGEOMETRIC_POPULATION &&
    draws >= 0 &&
    draws <= population &&
    successes >= 0 &&
    successes <= population;
  if (!ok) {
    throw new Error(
      `hypergeometric needs integers 0 ≤ draws, successes ≤ population ≤ 2^50; got draws=${draws}, successes=${successes}, population=${population}`,
    );
  }
}

/**
 * One exact draw of X ~ Hypergeometric(draws, successes, population). Consumes the generator; the
 * number of values consumed depends on the outcome.
 */
export function sampleHypergeometric(
  rng: RandomGenerator,
  draws: number,
  successes: number,
  population: number,
): number {
  checkArguments(draws, successes, population);
  // Symmetries that leave a draw with n ≤ N/2, k ≤ N/2 (so the support starts at 0) and n ≤ k:
  // X(n, k, N) = k − X(N − n, k, N) = n − X(n, N − k, N), and X(n, k, N) has the law of X(k, n, N).
  const complementDraws = draws > population - draws;
  const n0 = complementDraws ? population - draws : draws;
  const complementSuccesses = successes > population - successes;
  const k0 = complementSuccesses ? population - successes : successes;
  const n = Math.min(n0, k0);
  const k = Math.max(n0, k0);
  let x =
    n === 0 ? 0 : n <= INVERSION_MAX_DRAWS ? invert(rng, n, k, population) : hrua(rng, n, k, population);
  if (complementSuccesses) x = n0 - x;
  if (complementDraws) x = successes - x;
  return x;
}

/** Inversion from 0; requires 0 < n ≤ k and n + k ≤ N, so P(0) ≥ 1/C(80, 40) never underflows. */
function invert(rng: RandomGenerator, n: number, k: number, population: number): number {
  // A ratio per factor: the products alone would overflow at populations near 2^40.
  let p = 1;
  for (let i = 0; i < n; i++) p *= (population - k - i) / (population - i);
  let u = nextUnit(rng);
  let x = 0;
  const tail = population - k - n + 1;
  while (u >= p && x < n) {
    u -= p;
    p *= ((k - x) * (n - x)) / ((x + 1) * (tail + x));
    x++;
  }
  return x;
}

const HRUA_D1 = 2 * Math.sqrt(2 / Math.E);
const HRUA_D2 = 3 - 2 * Math.sqrt(3 / Math.E);

/** Stadlober's HRUA; requires n ≤ k ≤ N/2 after the symmetries. Support is 0..n. */
function hrua(rng: RandomGenerator, n: number, k: number, population: number): number {
  const p = k / population;
  const mean = n * p;
  const variance = ((population - n) * n * p * (1 - p)) / (population - 1);
  const a = mean + 0.5;
  const h = HRUA_D1 * Math.sqrt(variance + 0.5) + HRUA_D2;
  // The hat is scaled by the PMF at the mode; (n+1)(k+1) can exceed 2^53, so settle the mode exactly.
  const mode = Math.floor(((n + 1) * (k + 1)) / (population + 2));
  const logMode = Math.max(
    logHypergeometricPmf(mode - 1, n, k, population),
    logHypergeometricPmf(mode, n, k, population),
    logHypergeometricPmf(mode + 1, n, k, population),
  );
  // No 16σ truncation as numpy has: the tail beyond it is tiny but keeping it makes the law exact.
  const bound = n + 1;
  for (;;) {
    const u = nextUnit(rng);
    const v = nextUnit(rng);
    if (u === 0) continue;
    const candidate = a + (h * (v - 0.5)) / u;
    if (candidate < 0 || candidate >= bound) continue;
    const x = Math.floor(candidate);
    const t = logHypergeometricPmf(x, n, k, population) - logMode;
    if (u * (4 - u) - 3 <= t) return x; // squeeze: 2 ln u ≤ u(4 − u) − 3
    if (u * (u - t) >= 1) continue; // squeeze: 2 ln u ≥ u − 1/u
    if (2 * Math.log(u) <= t) return x;
  }
}

export function hypergeometricMean(draws: number, successes: number, population: number): number {
  return population === 0 ? 0 : (draws * successes) / population;
}

export function hypergeometricVariance(draws: number, successes: number, population: number): number {
  if (population <= 1) return 0;
  const p = successes / population;
  return (draws * p * (1 - p) * (population - draws)) / (population - 1);
}
