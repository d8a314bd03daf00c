import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextUnit, type RandomGenerator, randomStream } from '../random-streams.ts';
import {
  hypergeometricMean,
  hypergeometricPmf,
  hypergeometricVariance,
  logHypergeometricPmf,
  sampleHypergeometric,
  stirlerr,
} from './hypergeometric.ts';
import { chiSquareFit, moments } from './test-statistics.ts';

function binomialBig(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let result = 1n;
  for (let i = 0; i < k; i++) result = (result * BigInt(n - i)) / BigInt(i + 1);
  return result;
}

/** The PMF as an exact rational, carried to ~25 significant digits before becoming a double. */
function exactPmf(x: number, draws: number, successes: number, population: number): number {
  const numerator = binomialBig(successes, x) * binomialBig(population - successes, draws - x);
  if (numerator === 0n) return 0;
  const denominator = binomialBig(population, draws);
  const shift = Math.max(0, denominator.toString().length - numerator.toString().length + 25);
  return Number((numerator * 10n ** BigInt(shift)) / denominator) / 10 ** shift;
}

function samples(
  rng: RandomGenerator,
  count: number,
  draws: number,
  successes: number,
  population: number,
): number[] {
  return Array.from({ length: count }, () => sampleHypergeometric(rng, draws, successes, population));
}

function histogram(xs: readonly number[], size: number): number[] {
  const h = new Array<number>(size).fill(0);
  for (const x of xs) h[x]!++;
  return h;
}

function pmfVector(draws: number, successes: number, population: number): number[] {
  return Array.from({ length: Math.min(draws, successes) + 1 }, (_, x) =>
    hypergeometricPmf(x, draws, successes, population),
  );
}

describe('PMF against exact rationals (closed form)', () => {
  it.each([
    [5, 3, 8],
    [10, 7, 20],
    [16, 120, 480],
    [40, 45, 100],
    [150, 170, 200],
    [1, 1, 1],
  ])('Hypergeometric(draws %i, successes %i, population %i)', (draws, successes, population) => {
    for (let x = 0; x <= Math.min(draws, successes); x++) {
      const exact = exactPmf(x, draws, successes, population);
      const ours = hypergeometricPmf(x, draws, successes, population);
      if (exact === 0) expect(ours).toBe(0);
      else expect(Math.abs(ours - exact) / exact).toBeLessThan(1e-12);
    }
  });

  it('is 0 outside the support and sums to 1 at a population near 2^40', () => {
    expect(hypergeometricPmf(-1, 5, 3, 8)).toBe(0);
    expect(hypergeometricPmf(4, 5, 3, 8)).toBe(0);
    expect(hypergeometricPmf(0, 5, 6, 8)).toBe(0); // at least 3 successes must be drawn
    const population = 2 ** 40;
    const draws = 5000;
    const successes = 2 ** 38;
    let total = 0;
    let mean = 0;
    for (let x = 0; x <= draws; x++) {
      const p = hypergeometricPmf(x, draws, successes, population);
      total += p;
      mean += x * p;
    }
    expect(total).toBeCloseTo(1, 12);
    expect(mean).toBeCloseTo(hypergeometricMean(draws, successes, population), 8);
  });

  it('the Stirling error table joins its series at 15 and starts at 1 − ln √(2π)', () => {
    expect(stirlerr(1)).toBeCloseTo(1 - 0.5 * Math.log(2 * Math.PI), 15);
    const nn = 225;
    const series = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / 1188 / nn) / nn) / nn) / nn) / 15;
    expect(Math.abs(stirlerr(15) - series)).toBeLessThan(1e-15);
  });
});

describe('samples follow the exact PMF (χ² goodness of fit, p ≈ 1e-6 threshold, 20 000 draws each)', () => {
  // Inversion (min(draws, successes) ≤ 40 after the symmetries), HRUA (above), and every symmetry.
  it.each([
    ['inversion', 10, 7, 20],
    ['inversion', 16, 120, 480],
    ['inversion', 40, 45, 100],
    ['inversion, draws > N/2', 150, 30, 200],
    ['inversion, successes > N/2', 30, 190, 200],
    ['HRUA', 60, 80, 200],
    ['HRUA', 100, 500, 1000],
    ['HRUA, both > N/2', 700, 900, 1000],
    ['HRUA', 300, 2000, 5000],
  ])('%s: (%i, %i, %i)', (_path, draws, successes, population) => {
    const rng = randomStream(11, 'hypergeometric', `${draws}/${successes}/${population}`);
    const xs = samples(rng, 20_000, draws, successes, population);
    const probabilities = pmfVector(draws, successes, population);
    const fit = chiSquareFit(histogram(xs, probabilities.length), probabilities);
    expect(fit.statistic).toBeLessThan(fit.critical);
  });

  it('the same test rejects sampling with replacement (the oracle has power)', () => {
    const rng = randomStream(11, 'binomial');
    const [draws, successes, population] = [40, 45, 100];
    const xs = Array.from({ length: 20_000 }, () => {
      let x = 0;
      for (let i = 0; i < draws; i++) if (nextUnit(rng) < successes / population) x++;
      return x;
    });
    const probabilities = pmfVector(draws, successes, population);
    const fit = chiSquareFit(histogram(xs, probabilities.length), probabilities);
    expect(fit.statistic).toBeGreaterThan(fit.critical);
  });
});

describe('large populations (mean within 5 SE, variance within 5 × √(2/n) relative)', () => {
  it.each([
    ['HRUA', 2 ** 39 + 12_345, 2 ** 38 + 7, 2 ** 40],
    ['HRUA', 1_000_000, 3_000_000_000, 2 ** 40],
    ['inversion', 16, 2 ** 38, 2 ** 40],
    ['inversion, tiny successes', 2 ** 39, 25, 2 ** 40],
  ])('%s: (%d, %d, %d)', (_path, draws, successes, population) => {
    const count = 20_000;
    const rng = randomStream(5, 'hypergeometric-large', `${draws}/${successes}`);
    const m = moments(samples(rng, count, draws, successes, population));
    const mean = hypergeometricMean(draws, successes, population);
    const variance = hypergeometricVariance(draws, successes, population);
    expect(Math.abs(m.mean - mean)).toBeLessThan(5 * Math.sqrt(variance / count));
    expect(Math.abs(m.variance / variance - 1)).toBeLessThan(5 * Math.sqrt(2 / count));
  });
});

describe('bounds and degenerate cases', () => {
  it('degenerate parameters give the only possible value', () => {
    const rng = randomStream(0, 'degenerate');
    expect(sampleHypergeometric(rng, 0, 5, 10)).toBe(0);
    expect(sampleHypergeometric(rng, 7, 0, 10)).toBe(0);
    expect(sampleHypergeometric(rng, 7, 10, 10)).toBe(7);
    expect(sampleHypergeometric(rng, 10, 4, 10)).toBe(4);
    expect(sampleHypergeometric(rng, 0, 0, 0)).toBe(0);
    expect(sampleHypergeometric(rng, 2 ** 40, 12_345, 2 ** 40)).toBe(12_345);
    expect(sampleHypergeometric(rng, 9, 9, 10)).toBeGreaterThanOrEqual(8); // only 1 failure to draw
  });

  it('rejects impossible parameters (a bug in the caller, not an input error)', () => {
    const rng = randomStream(0, 'invalid');
    expect(() => sampleHypergeometric(rng, 11, 5, 10)).toThrow(/hypergeometric needs/);
    expect(() => sampleHypergeometric(rng, 1.5, 5, 10)).toThrow(/hypergeometric needs/);
    expect(() => sampleHypergeometric(rng, 1, 5, 2 ** 51)).toThrow(/hypergeometric needs/);
  });

  const params = fc
    .tuple(
      fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2 ** 40 })),
      fc.double(),
      fc.double(),
    )
    .map(([population, a, b]) => {
      const pick = (u: number) =>
        Math.min(population, Math.floor((Number.isFinite(u) ? Math.abs(u) % 1 : 0.5) * (population + 1)));
      return [pick(a), pick(b), population] as const;
    });

  it('a draw lies in [max(0, n + K − N), min(n, K)]', () => {
    fc.assert(
      fc.property(params, fc.nat(), ([draws, successes, population], seed) => {
        const rng = randomStream(seed, 'bounds');
        for (let i = 0; i < 5; i++) {
          const x = sampleHypergeometric(rng, draws, successes, population);
          expect(Number.isInteger(x)).toBe(true);
          expect(x).toBeGreaterThanOrEqual(Math.max(0, draws + successes - population));
          expect(x).toBeLessThanOrEqual(Math.min(draws, successes));
        }
      }),
    );
  });

  it('logHypergeometricPmf is finite exactly on the support', () => {
    fc.assert(
      fc.property(params, ([draws, successes, population]) => {
        const lo = Math.max(0, draws + successes - population);
        const hi = Math.min(draws, successes);
        expect(Number.isFinite(logHypergeometricPmf(lo, draws, successes, population))).toBe(true);
        expect(Number.isFinite(logHypergeometricPmf(hi, draws, successes, population))).toBe(true);
        expect(logHypergeometricPmf(lo - 1, draws, successes, population)).toBe(Number.NEGATIVE_INFINITY);
        expect(logHypergeometricPmf(hi + 1, draws, successes, population)).toBe(Number.NEGATIVE_INFINITY);
      }),
    );
  });
});
