import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextUnit, type RandomGenerator, randomStream } from '../random-streams.ts';
import type { SparsityPattern } from '../sparsity.ts';
import { countTiles, exactKeptCount, generateBitMask } from './bit-mask.ts';
import { hypergeometricMean, hypergeometricPmf, hypergeometricVariance } from './hypergeometric.ts';
import { chiSquareFit, chiSquareSameLaw, meanZ, moments, varianceZ } from './test-statistics.ts';
import { drawTileCounts, type TileCounts, tileArea, totalNonZeros } from './tile-counts.ts';

/** Sample i of a many-sample test (see bit-mask.test.ts: streams differ by purpose, not seed). */
const sampleStream = (label: string, i: number) => randomStream(2024, label, String(i));

interface Case {
  readonly label: string;
  readonly rows: number;
  readonly cols: number;
  readonly tileRows: number;
  readonly tileCols: number;
  readonly density: number;
  readonly pattern: SparsityPattern;
}

/** Small matrices whose tilings cut edge tiles and (for n:m and block) straddle groups and blocks. */
const CASES: readonly Case[] = [
  {
    label: 'unstructured 0.3',
    rows: 23,
    cols: 17,
    tileRows: 5,
    tileCols: 4,
    density: 0.3,
    pattern: { kind: 'unstructured' },
  },
  {
    label: 'unstructured 0.85',
    rows: 13,
    cols: 11,
    tileRows: 3,
    tileCols: 5,
    density: 0.85,
    pattern: { kind: 'unstructured' },
  },
  {
    label: '2:4, groups straddle 6-row tiles',
    rows: 24,
    cols: 10,
    tileRows: 6,
    tileCols: 3,
    density: 0.5,
    pattern: { kind: 'n:m', n: 2, m: 4 },
  },
  {
    label: '3:8, groups span 3-4 tile rows',
    rows: 24,
    cols: 7,
    tileRows: 3,
    tileCols: 2,
    density: 3 / 8,
    pattern: { kind: 'n:m', n: 3, m: 8 },
  },
  {
    label: '1:3 over 2-row tiles',
    rows: 12,
    cols: 5,
    tileRows: 2,
    tileCols: 5,
    density: 1 / 3,
    pattern: { kind: 'n:m', n: 1, m: 3 },
  },
  {
    label: 'block 3×2 over 4×4 tiles',
    rows: 20,
    cols: 15,
    tileRows: 4,
    tileCols: 4,
    density: 0.4,
    pattern: { kind: 'block', blockRows: 3, blockCols: 2 },
  },
];

type TileSampler = (c: Case, rng: RandomGenerator) => TileCounts;

const fromBitMask: TileSampler = (c, rng) =>
  countTiles(generateBitMask(c.rows, c.cols, c.density, c.pattern, rng), c.tileRows, c.tileCols);
const fromDraw: TileSampler = (c, rng) =>
  drawTileCounts(c.rows, c.cols, c.tileRows, c.tileCols, c.density, c.pattern, rng);
/** A wrong model for the power check: tiles independent, each weight kept with probability density. */
const independentTiles: TileSampler = (c, rng) => {
  const tiles = drawTileCounts(c.rows, c.cols, c.tileRows, c.tileCols, 0, { kind: 'unstructured' }, rng);
  for (let i = 0; i < tiles.gridRows; i++) {
    for (let j = 0; j < tiles.gridCols; j++) {
      let x = 0;
      for (let w = tileArea(tiles, i, j); w > 0; w--) if (nextUnit(rng) < c.density) x++;
      tiles.counts[i * tiles.gridCols + j] = x;
    }
  }
  return tiles;
};

/**
 * Per sample: every tile's count, and the sums over each row and each column of tiles (sums expose
 * the dependence between tiles that a per-tile marginal cannot). Returns one array per statistic.
 */
function statistics(c: Case, sampler: TileSampler, label: string, samples: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < samples; s++) {
    const t = sampler(c, sampleStream(label, s));
    const values: number[] = [...t.counts];
    for (let i = 0; i < t.gridRows; i++)
      values.push(t.counts.slice(i * t.gridCols, (i + 1) * t.gridCols).reduce((a, b) => a + b, 0));
    for (let j = 0; j < t.gridCols; j++) {
      let sum = 0;
      for (let i = 0; i < t.gridRows; i++) sum += t.counts[i * t.gridCols + j]!;
      values.push(sum);
    }
    values.forEach((v, k) => {
      if (out[k] === undefined) out[k] = [];
      out[k].push(v);
    });
  }
  return out;
}

/** The largest |z| over means and variances of all statistics, and the worst χ²/critical per tile. */
function compareLaws(a: number[][], b: number[][], tiles: number) {
  let worstZ = 0;
  let worstChiSquare = 0;
  a.forEach((xs, k) => {
    const ma = moments(xs);
    const mb = moments(b[k]!);
    worstZ = Math.max(worstZ, Math.abs(meanZ(ma, mb)), Math.abs(varianceZ(ma, mb)));
    if (k < tiles) {
      const test = chiSquareSameLaw(xs, b[k]!);
      worstChiSquare = Math.max(worstChiSquare, test.statistic / test.critical);
    }
  });
  return { worstZ, worstChiSquare };
}

describe('drawTileCounts has the law of counting tiles of generateBitMask (4000 samples each)', () => {
  // Each comparison is a two-sample z on a mean or variance (Var(s²) ≈ (μ4 − σ⁴)/n), or a χ² with
  // p ≈ 1e-6, so over the ~100 comparisons of a case a false alarm has probability ~1e-4; with 4000
  // samples a 20% variance difference on a band sum gives z ≈ 6 and fails (see the power check).
  const SAMPLES = 4000;
  it.each(CASES)('$label', (c) => {
    const fromMask = statistics(c, fromBitMask, `mask ${c.label}`, SAMPLES);
    const drawn = statistics(c, fromDraw, `draw ${c.label}`, SAMPLES);
    const tiles = Math.ceil(c.rows / c.tileRows) * Math.ceil(c.cols / c.tileCols);
    const { worstZ, worstChiSquare } = compareLaws(fromMask, drawn, tiles);
    expect(worstZ).toBeLessThan(5);
    expect(worstChiSquare).toBeLessThan(1);
  });

  it('the comparison rejects independent per-tile counts (the oracle has power)', () => {
    const c = CASES[0]!;
    const fromMask = statistics(c, fromBitMask, 'mask power', SAMPLES);
    const wrong = statistics(c, independentTiles, 'independent power', SAMPLES);
    expect(compareLaws(fromMask, wrong, 0).worstZ).toBeGreaterThan(5);
  });

  it('unstructured tiles have the hypergeometric mean and variance (closed form)', () => {
    const c = CASES[0]!;
    const drawn = statistics(c, fromDraw, 'closed form', SAMPLES);
    const total = c.rows * c.cols;
    const kept = exactKeptCount(total, c.density);
    const shape = drawTileCounts(
      c.rows,
      c.cols,
      c.tileRows,
      c.tileCols,
      0,
      c.pattern,
      sampleStream('shape', 0),
    );
    for (let i = 0; i < shape.gridRows; i++) {
      for (let j = 0; j < shape.gridCols; j++) {
        const area = tileArea(shape, i, j);
        const m = moments(drawn[i * shape.gridCols + j]!);
        const variance = hypergeometricVariance(area, kept, total);
        expect(Math.abs(m.mean - hypergeometricMean(area, kept, total))).toBeLessThan(
          5 * Math.sqrt(variance / SAMPLES),
        );
        expect(Math.abs(m.variance / variance - 1)).toBeLessThan(5 * Math.sqrt(2 / SAMPLES));
      }
    }
  });
});

const patterns = fc.oneof(
  fc.constant<SparsityPattern>({ kind: 'unstructured' }),
  fc
    .integer({ min: 2, max: 8 })
    .chain((m) => fc.integer({ min: 1, max: m - 1 }).map((n): SparsityPattern => ({ kind: 'n:m', n, m }))),
  fc
    .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }))
    .map(([blockRows, blockCols]): SparsityPattern => ({ kind: 'block', blockRows, blockCols })),
);

const cases = fc
  .record({
    pattern: patterns,
    rows: fc.integer({ min: 1, max: 40 }),
    cols: fc.integer({ min: 1, max: 40 }),
    tileRows: fc.integer({ min: 1, max: 12 }),
    tileCols: fc.integer({ min: 1, max: 12 }),
    density: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map((c) =>
    c.pattern.kind === 'n:m'
      ? { ...c, rows: Math.ceil(c.rows / c.pattern.m) * c.pattern.m, density: c.pattern.n / c.pattern.m }
      : c,
  );

describe('conservation (property)', () => {
  it('counts sum to the mask total and never exceed a tile', () => {
    fc.assert(
      fc.property(cases, fc.nat(), (c, seed) => {
        const tiles = drawTileCounts(
          c.rows,
          c.cols,
          c.tileRows,
          c.tileCols,
          c.density,
          c.pattern,
          randomStream(seed, 'p'),
        );
        expect(tiles.counts.length).toBe(Math.ceil(c.rows / c.tileRows) * Math.ceil(c.cols / c.tileCols));
        for (let i = 0; i < tiles.gridRows; i++) {
          for (let j = 0; j < tiles.gridCols; j++) {
            expect(tiles.counts[i * tiles.gridCols + j]).toBeLessThanOrEqual(tileArea(tiles, i, j));
          }
        }
        const total = totalNonZeros(tiles);
        if (c.pattern.kind === 'unstructured') expect(total).toBe(exactKeptCount(c.rows * c.cols, c.density));
        if (c.pattern.kind === 'n:m') expect(total).toBe((c.pattern.n / c.pattern.m) * c.rows * c.cols);
        if (c.pattern.kind === 'block') {
          // The block grid is drawn exactly as generateBitMask draws it: same stream, same tiles.
          const mask = generateBitMask(c.rows, c.cols, c.density, c.pattern, randomStream(seed, 'p'));
          expect([...tiles.counts]).toEqual([...countTiles(mask, c.tileRows, c.tileCols).counts]);
        }
      }),
    );
  });

  it('n:m with tiles of whole groups is deterministic: n/m of each tile', () => {
    const tiles = drawTileCounts(12, 5, 4, 2, 0.5, { kind: 'n:m', n: 2, m: 4 }, randomStream(0, 'x'));
    expect([...tiles.counts]).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2]);
  });

  it('densities 0 and 1 give empty and full tiles', () => {
    const empty = drawTileCounts(7, 9, 2, 4, 0, { kind: 'unstructured' }, randomStream(0, 'x'));
    expect(totalNonZeros(empty)).toBe(0);
    const full = drawTileCounts(
      7,
      9,
      2,
      4,
      1,
      { kind: 'block', blockRows: 3, blockCols: 3 },
      randomStream(0, 'x'),
    );
    expect([...full.counts]).toEqual([8, 8, 2, 8, 8, 2, 8, 8, 2, 4, 4, 1]);
  });
});

describe('determinism', () => {
  it.each(CASES)('$label: same seed and purpose, same counts; another purpose, other counts', (c) => {
    const draw = (purpose: string) =>
      drawTileCounts(
        c.rows,
        c.cols,
        c.tileRows,
        c.tileCols,
        c.density,
        c.pattern,
        randomStream(9, 'mask', purpose),
      );
    expect(draw('layers.2.q').counts).toEqual(draw('layers.2.q').counts);
    expect(draw('layers.2.q').counts).not.toEqual(draw('layers.2.k').counts);
  });
});

describe('scale: a 12288 × 12288 matrix in 16 × 1 tiles', () => {
  it('draws 9.4M tile counts, conserves the total, and their histogram is the hypergeometric marginal', () => {
    // How fast is a benchmark's question (BENCHMARKS.md), not a test's: a timed assertion flakes on a busy machine.
    const [rows, cols, density] = [12_288, 12_288, 0.25];
    const tiles = drawTileCounts(
      rows,
      cols,
      16,
      1,
      density,
      { kind: 'unstructured' },
      randomStream(1, 'mask', 'big'),
    );
    const kept = exactKeptCount(rows * cols, density);
    expect(totalNonZeros(tiles)).toBe(kept);
    const histogram = new Array<number>(17).fill(0);
    for (let i = 0; i < tiles.counts.length; i++) histogram[tiles.counts[i]!]!++;
    // Tiles are exchangeable, so each has this marginal; conditioning on the total only lowers the
    // histogram's variance, which makes the χ² conservative, not lenient.
    const probabilities = histogram.map((_, x) => hypergeometricPmf(x, 16, kept, rows * cols));
    const fit = chiSquareFit(histogram, probabilities);
    expect(fit.statistic).toBeLessThan(fit.critical);
  });
});
