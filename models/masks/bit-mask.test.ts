import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../diagnostics.ts';
import { randomStream } from '../random-streams.ts';
import type { SparsityPattern } from '../sparsity.ts';
import {
  type BitMask,
  countNonZeros,
  countTiles,
  createBitMask,
  exactKeptCount,
  generateBitMask,
  getBit,
  setBit,
} from './bit-mask.ts';
import { chiSquareFit } from './test-statistics.ts';

/**
 * Sample i of a many-sample test: one seed, the sample index in the purpose. (Varying the seed under
 * a fixed purpose is not used here: randomStream's first output does not depend on seeds < 2^32.)
 */
const sampleStream = (label: string, i: number) => randomStream(2024, label, String(i));

const UNSTRUCTURED: SparsityPattern = { kind: 'unstructured' };
const nm = (n: number, m: number): SparsityPattern => ({ kind: 'n:m', n, m });
const block = (blockRows: number, blockCols: number): SparsityPattern => ({
  kind: 'block',
  blockRows,
  blockCols,
});

function toRows(mask: BitMask): string[] {
  return Array.from({ length: mask.rows }, (_, r) =>
    Array.from({ length: mask.cols }, (_, c) => (getBit(mask, r, c) ? '1' : '0')).join(''),
  );
}

describe('bit storage (literal cases)', () => {
  it('is row-major, little-endian within a byte, padding bits stay 0', () => {
    const mask = createBitMask(3, 3);
    setBit(mask, 0, 1, true);
    setBit(mask, 2, 2, true);
    setBit(mask, 1, 0, true);
    setBit(mask, 1, 0, false);
    expect(toRows(mask)).toEqual(['010', '000', '001']);
    expect([...mask.bits]).toEqual([0b0000_0010, 0b0000_0001]); // bit 1, and bit 8 = (2, 2)
    expect(countNonZeros(mask)).toBe(2);
  });

  it('countTiles counts per tile, with cut edge tiles', () => {
    const mask = createBitMask(3, 5);
    for (const [r, c] of [
      [0, 0],
      [0, 1],
      [1, 4],
      [2, 2],
      [2, 4],
    ] as const) {
      setBit(mask, r, c, true);
    }
    const tiles = countTiles(mask, 2, 2); // 2 × 3 grid; last row and column of tiles cut
    expect(tiles.gridRows).toBe(2);
    expect(tiles.gridCols).toBe(3);
    expect([...tiles.counts]).toEqual([2, 0, 1, 0, 1, 1]);
  });
});

describe('exact densities (conservation)', () => {
  it('unstructured keeps exactly round(density · rows · cols)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(),
        (rows, cols, density, seed) => {
          const mask = generateBitMask(rows, cols, density, UNSTRUCTURED, randomStream(seed, 'mask'));
          expect(countNonZeros(mask)).toBe(exactKeptCount(rows * cols, density));
          const padding = mask.bits.length * 8 - rows * cols;
          expect(mask.bits[mask.bits.length - 1]! >>> (8 - padding)).toBe(0);
        },
      ),
    );
  });

  it('n:m keeps exactly n in every group of m input rows of every column', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 9 })
          .chain((m) => fc.tuple(fc.integer({ min: 1, max: m - 1 }), fc.constant(m))),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        ([n, m], groups, cols, seed) => {
          const mask = generateBitMask(groups * m, cols, n / m, nm(n, m), randomStream(seed, 'mask'));
          for (let c = 0; c < cols; c++) {
            for (let g = 0; g < groups; g++) {
              let kept = 0;
              for (let r = 0; r < m; r++) kept += getBit(mask, g * m + r, c) ? 1 : 0;
              expect(kept).toBe(n);
            }
          }
        },
      ),
    );
  });

  it('block keeps exactly round(density · blocks) whole blocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(),
        (rows, cols, br, bc, density, seed) => {
          const mask = generateBitMask(rows, cols, density, block(br, bc), randomStream(seed, 'mask'));
          const gridRows = Math.ceil(rows / br);
          const gridCols = Math.ceil(cols / bc);
          let keptBlocks = 0;
          for (let i = 0; i < gridRows; i++) {
            for (let j = 0; j < gridCols; j++) {
              const first = getBit(mask, i * br, j * bc);
              keptBlocks += first ? 1 : 0;
              for (let r = i * br; r < Math.min(rows, (i + 1) * br); r++) {
                for (let c = j * bc; c < Math.min(cols, (j + 1) * bc); c++)
                  expect(getBit(mask, r, c)).toBe(first);
              }
            }
          }
          expect(keptBlocks).toBe(exactKeptCount(gridRows * gridCols, density));
        },
      ),
    );
  });

  it('countTiles agrees with counting bit by bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(),
        (rows, cols, tileRows, tileCols, seed) => {
          const mask = generateBitMask(rows, cols, 0.4, UNSTRUCTURED, randomStream(seed, 'mask'));
          const tiles = countTiles(mask, tileRows, tileCols);
          const naive = new Array<number>(tiles.gridRows * tiles.gridCols).fill(0);
          for (let r = 0; r < rows; r++) {
            for (let c = 0; c < cols; c++) {
              if (getBit(mask, r, c))
                naive[Math.floor(r / tileRows) * tiles.gridCols + Math.floor(c / tileCols)]!++;
            }
          }
          expect([...tiles.counts]).toEqual(naive);
        },
      ),
    );
  });
});

describe('uniformity over seeds (each kept set equally likely)', () => {
  // 4000 masks: a position's inclusion frequency has SE √(p(1−p)/4000) ≤ 0.008; allow 5 SE.
  it.each([0.35, 0.8])(
    'unstructured at density %d: every position kept with probability k / size',
    (density) => {
      const [rows, cols, samples] = [5, 4, 4000];
      const kept = exactKeptCount(rows * cols, density);
      const p = kept / (rows * cols);
      const frequency = new Array<number>(rows * cols).fill(0);
      for (let s = 0; s < samples; s++) {
        const mask = generateBitMask(rows, cols, density, UNSTRUCTURED, sampleStream('uniform', s));
        for (let i = 0; i < rows * cols; i++)
          frequency[i]! += getBit(mask, Math.floor(i / cols), i % cols) ? 1 : 0;
      }
      const se = Math.sqrt((p * (1 - p)) / samples);
      for (const f of frequency) expect(Math.abs(f / samples - p)).toBeLessThan(5 * se);
    },
  );

  it.each([
    [2, 4],
    [3, 4],
    [1, 3],
  ])('n:m with %i:%i: each of the C(m, n) subsets of a group is equally likely (χ²)', (n, m) => {
    const subsets = new Map<string, number>();
    for (let s = 0; s < 1000; s++) {
      const mask = generateBitMask(m * 3, 4, n / m, nm(n, m), sampleStream('nm-uniform', s));
      for (let c = 0; c < 4; c++) {
        for (let g = 0; g < 3; g++) {
          const key = Array.from({ length: m }, (_, r) => (getBit(mask, g * m + r, c) ? '1' : '0')).join('');
          subsets.set(key, (subsets.get(key) ?? 0) + 1);
        }
      }
    }
    let choose = 1;
    for (let i = 0; i < n; i++) choose = (choose * (m - i)) / (i + 1);
    expect(subsets.size).toBe(choose);
    const fit = chiSquareFit([...subsets.values()], new Array<number>(choose).fill(1 / choose));
    expect(fit.statistic).toBeLessThan(fit.critical);
  });
});

describe('errors name the matrix', () => {
  it('n:m needs rows divisible by m', () => {
    const attempt = () => generateBitMask(10, 4, 0.5, nm(2, 4), randomStream(0, 'x'), 'layers.0.ffnOut');
    expect(attempt).toThrow(InputError);
    try {
      attempt();
    } catch (error) {
      expect((error as InputError).diagnostics).toMatchInlineSnapshot(`
        [
          {
            "code": "shape-mismatch",
            "message": "pattern 2:4 groups 4 consecutive input rows, but layers.0.ffnOut has 10 input rows (not a multiple of 4)",
            "path": "layers.0.ffnOut",
          },
        ]
      `);
    }
  });

  it('n:m fixes the density', () => {
    expect(() => generateBitMask(8, 4, 0.3, nm(2, 4), randomStream(0, 'x'), 'layers.1.q')).toThrow(
      /layers\.1\.q: pattern 2:4 keeps 2\/4 of the weights, but layers\.1\.q was given density 0\.3/,
    );
  });
});

describe('determinism', () => {
  it('same seed and purpose give the same mask; another purpose another', () => {
    const make = (purpose: string) =>
      generateBitMask(16, 16, 0.25, UNSTRUCTURED, randomStream(3, 'mask', purpose)).bits;
    expect(make('layers.0.q')).toEqual(make('layers.0.q'));
    expect(make('layers.0.q')).not.toEqual(make('layers.0.k'));
  });
});
