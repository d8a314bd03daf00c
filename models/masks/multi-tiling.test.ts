import { describe, expect, it } from 'vitest';
import { randomStream } from '../random-streams.ts';
import { countTiles, generateBitMask } from './bit-mask.ts';
import {
  countBitsForTilings,
  createCountArray,
  drawMaskTilings,
  sliceCount,
  uniformBelow,
} from './multi-tiling.ts';
import { chiSquareFit, chiSquareSameLaw, meanZ, moments, varianceZ } from './test-statistics.ts';

const UNSTRUCTURED = { kind: 'unstructured' } as const;
const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);

describe('drawMaskTilings: one unstructured mask seen through several tilings', () => {
  // 0.8 draws each row through its zeros (the complement), 0.3 through its non-zeros.
  it.each([0.3, 0.8])(
    'density %s has the law of counting generateBitMask (every tile: mean, variance, distribution; 3000 samples)',
    (density) => {
      const rows = 12;
      const cols = 10;
      const tilings = [
        { kSlice: 4, transposed: false },
        { kSlice: 3, transposed: true },
      ];
      const samples = 3000;
      const collect = (draw: (s: number) => ArrayLike<number>[]) => {
        const out: number[][] = [];
        for (let s = 0; s < samples; s++) {
          const all = draw(s).flatMap((c) => Array.from(c));
          all.forEach((v, k) => {
            out[k] ??= [];
            out[k]!.push(v);
          });
        }
        return out;
      };
      const fromBits = collect((s) =>
        countBitsForTilings(
          generateBitMask(rows, cols, density, UNSTRUCTURED, randomStream(11, 'bits', String(s))),
          tilings,
        ).map((t) => t.counts),
      );
      const drawn = collect((s) =>
        drawMaskTilings(rows, cols, density, UNSTRUCTURED, randomStream(11, 'drawn', String(s)), tilings).map(
          (t) => t.counts,
        ),
      );
      let worstZ = 0;
      let worstChi = 0;
      fromBits.forEach((xs, k) => {
        const a = moments(xs);
        const b = moments(drawn[k]!);
        worstZ = Math.max(worstZ, Math.abs(meanZ(a, b)), Math.abs(varianceZ(a, b)));
        const chi = chiSquareSameLaw(xs, drawn[k]!);
        worstChi = Math.max(worstChi, chi.statistic / chi.critical);
      });
      expect(worstZ).toBeLessThan(5);
      expect(worstChi).toBeLessThan(1);
    },
  );

  it.each([0.4, 0.9])(
    'density %s: every tiling counts the same mask (k-slices of 1 are the bits)',
    (density) => {
      const rows = 9;
      const cols = 7;
      const [forward, transposed] = drawMaskTilings(
        rows,
        cols,
        density,
        UNSTRUCTURED,
        randomStream(3, 'same'),
        [
          { kSlice: 1, transposed: false },
          { kSlice: 1, transposed: true },
        ],
      );
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const bit = sliceCount(forward!, i, j);
          expect(bit === 0 || bit === 1).toBe(true);
          expect(sliceCount(transposed!, j, i)).toBe(bit);
        }
      }
      expect(sum(forward!.counts)).toBe(Math.round(density * rows * cols));
    },
  );

  it('keeps exactly round(density · size) weights in every tiling, and is deterministic', () => {
    const tilings = [
      { kSlice: 57, transposed: false },
      { kSlice: 40, transposed: true },
      { kSlice: 13, transposed: false },
    ];
    for (const [density, kept] of [
      [0.25, 37_500],
      [0.95, 142_500],
    ] as const) {
      const a = drawMaskTilings(300, 500, density, UNSTRUCTURED, randomStream(5, 'm'), tilings);
      const b = drawMaskTilings(300, 500, density, UNSTRUCTURED, randomStream(5, 'm'), tilings);
      for (const t of a) expect(sum(t.counts)).toBe(kept);
      for (const t of a) for (const c of t.counts) expect(c).toBeLessThanOrEqual(t.kSlice);
      expect(a.map((t) => [...t.counts])).toEqual(b.map((t) => [...t.counts]));
    }
  });

  it('N:M and block patterns are drawn as bit masks and counted the same way', () => {
    const tilings = [{ kSlice: 4, transposed: false }];
    const drawn = drawMaskTilings(
      16,
      8,
      0.5,
      { kind: 'n:m', n: 2, m: 4 },
      randomStream(1, 'nm'),
      tilings,
    )[0]!;
    const bits = generateBitMask(16, 8, 0.5, { kind: 'n:m', n: 2, m: 4 }, randomStream(1, 'nm'));
    const tiles = countTiles(bits, 4, 1);
    for (let slice = 0; slice < 4; slice++)
      for (let col = 0; col < 8; col++)
        expect(sliceCount(drawn, slice, col)).toBe(tiles.counts[slice * tiles.gridCols + col]);
    expect([...drawn.counts].every((c) => c === 2)).toBe(true); // 2 of every 4 along K
  });
});

describe('count arrays', () => {
  it('are the narrowest that holds kSlice, and count past 255 and 65,535 exactly', () => {
    for (const [kSlice, kind] of [
      [255, Uint8Array],
      [256, Uint16Array],
      [65_535, Uint16Array],
      [65_536, Uint32Array],
    ] as const) {
      expect(createCountArray(4, kSlice)).toBeInstanceOf(kind);
    }
    // A full mask: every k-slice count is its height (300, then the last slice's 100).
    const full = drawMaskTilings(700, 3, 1, UNSTRUCTURED, randomStream(1, 'full'), [
      { kSlice: 300, transposed: false },
    ])[0]!;
    expect(full.counts).toBeInstanceOf(Uint16Array);
    expect(Array.from(full.counts)).toEqual([300, 300, 100, 300, 300, 100, 300, 300, 100]);
  });
});

describe('uniformBelow', () => {
  it('is uniform over [0, range) (χ² over 12 bins of 60,000 draws)', () => {
    const rng = randomStream(9, 'below');
    const bins = new Array(12).fill(0);
    for (let i = 0; i < 60_000; i++) bins[uniformBelow(rng, 12)]++;
    const fit = chiSquareFit(bins, new Array(12).fill(1 / 12));
    expect(fit.statistic).toBeLessThan(fit.critical);
  });
});
