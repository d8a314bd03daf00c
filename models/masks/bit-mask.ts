/**
 * A mask with one bit per weight (1 = kept), and the seeded generator of random masks for each
 * sparsity pattern (DESIGN §2). Shapes are [rows = K inputs, cols = N outputs], row-major; bit i of
 * the matrix is bit (i & 7) of byte (i >> 3), as numpy.packbits(bitorder='little') would store it.
 *
 * Random masks have an exact non-zero count, as SPDF's static random masks do (cs2-facts §8): a
 * uniformly chosen subset of exactly round(density · size) weights (or blocks), not independent coin
 * flips. `drawTileCounts` reproduces the law of these masks tile by tile; change one, change both.
 */
import { inputError } from '../diagnostics.ts';
import { nextUnit, type RandomGenerator } from '../random-streams.ts';
import { formatPattern, type SparsityPattern } from '../sparsity.ts';
import type { TileCounts } from './tile-counts.ts';

export interface BitMask {
  /** Input features (K). */
  readonly rows: number;
  /** Output features (N). */
  readonly cols: number;
  /** ceil(rows · cols / 8) bytes; padding bits past the last weight are always 0. */
  readonly bits: Uint8Array;
}

export function createBitMask(rows: number, cols: number): BitMask {
  checkShape(rows, cols);
  return { rows, cols, bits: new Uint8Array(Math.ceil((rows * cols) / 8)) };
}

export function getBit(mask: BitMask, row: number, col: number): boolean {
  const i = row * mask.cols + col;
  return ((mask.bits[i >>> 3]! >>> (i & 7)) & 1) === 1;
}

export function setBit(mask: BitMask, row: number, col: number, kept: boolean): void {
  const i = row * mask.cols + col;
  if (kept) mask.bits[i >>> 3]! |= 1 << (i & 7);
  else mask.bits[i >>> 3]! &= ~(1 << (i & 7));
}

const POPCOUNT: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let b = 1; b < 256; b++) table[b] = (b & 1) + table[b >>> 1]!;
  return table;
})();

export function countNonZeros(mask: BitMask): number {
  let total = 0;
  for (let i = 0; i < mask.bits.length; i++) total += POPCOUNT[mask.bits[i]!]!;
  return total;
}

/** Non-zeros per tile of a tileRows × tileCols tiling; the last tile row and column may be smaller. */
export function countTiles(mask: BitMask, tileRows: number, tileCols: number): TileCounts {
  checkTile(tileRows, tileCols);
  const gridRows = Math.ceil(mask.rows / tileRows);
  const gridCols = Math.ceil(mask.cols / tileCols);
  const counts = new Uint32Array(gridRows * gridCols);
  const { bits, cols } = mask;
  for (let byte = 0; byte < bits.length; byte++) {
    let b = bits[byte]!;
    while (b !== 0) {
      const low = b & -b;
      const i = byte * 8 + (31 - Math.clz32(low));
      const row = Math.floor(i / cols);
      const col = i - row * cols;
      counts[Math.floor(row / tileRows) * gridCols + Math.floor(col / tileCols)]!++;
      b ^= low;
    }
  }
  return { rows: mask.rows, cols: mask.cols, tileRows, tileCols, gridRows, gridCols, counts };
}

/** The exact number of kept items out of `size` at a density, for unstructured and block masks. */
export function exactKeptCount(size: number, density: number): number {
  return Math.round(density * size);
}

/**
 * A random mask with the pattern's law: unstructured keeps exactly round(density · rows · cols)
 * weights chosen uniformly; n:m keeps n of every m consecutive rows (the K dimension) in each column,
 * chosen uniformly; block keeps exactly round(density · blocks) whole blocks chosen uniformly, the
 * blocks at the bottom and right edges being cut to the matrix. `name` is for error messages.
 */
export function generateBitMask(
  rows: number,
  cols: number,
  density: number,
  pattern: SparsityPattern,
  rng: RandomGenerator,
  name = 'matrix',
): BitMask {
  checkDensity(density);
  const mask = createBitMask(rows, cols);
  switch (pattern.kind) {
    case 'unstructured':
      keepRandomSubset(mask.bits, rows * cols, exactKeptCount(rows * cols, density), rng);
      return mask;
    case 'n:m':
      checkNmFits(rows, density, pattern, name);
      fillNm(mask, pattern.n, pattern.m, rng);
      return mask;
    case 'block':
      expandBlocks(
        mask,
        drawBlockGrid(rows, cols, density, pattern, rng),
        pattern.blockRows,
        pattern.blockCols,
      );
      return mask;
  }
}

/**
 * Which blocks of a block pattern are kept: a mask over the ceil(rows / blockRows) ×
 * ceil(cols / blockCols) block grid. Shared with `drawTileCounts` so both draw blocks the same way.
 */
export function drawBlockGrid(
  rows: number,
  cols: number,
  density: number,
  pattern: Extract<SparsityPattern, { kind: 'block' }>,
  rng: RandomGenerator,
): BitMask {
  checkDensity(density);
  const grid = createBitMask(Math.ceil(rows / pattern.blockRows), Math.ceil(cols / pattern.blockCols));
  const blocks = grid.rows * grid.cols;
  keepRandomSubset(grid.bits, blocks, exactKeptCount(blocks, density), rng);
  return grid;
}

/**
 * An n:m pattern fixes the density and needs whole groups along K. These are the user's choices
 * (pattern vs model shape, or ERK with n:m), so they are reported as input errors naming the matrix.
 */
export function checkNmFits(
  rows: number,
  density: number,
  pattern: Extract<SparsityPattern, { kind: 'n:m' }>,
  name: string,
): void {
  const { n, m } = pattern;
  if (rows % m !== 0) {
    throw inputError(
      'shape-mismatch',
      name,
      `pattern ${formatPattern(pattern)} groups ${m} consecutive input rows, but ${name} has ${rows} input rows (not a multiple of ${m})`,
    );
  }
  if (Math.abs(density - n / m) > 1e-9) {
    throw inputError(
      'invalid-value',
      name,
      `pattern ${formatPattern(pattern)} keeps ${n}/${m} of the weights, but ${name} was given density ${density} (a per-layer distribution such as ERK cannot change an N:M density)`,
    );
  }
}

/** Sets exactly `kept` of bits [0, size) uniformly: rejection on the rarer of set and unset bits. */
function keepRandomSubset(bits: Uint8Array, size: number, kept: number, rng: RandomGenerator): void {
  const setKept = kept <= size - kept;
  if (!setKept) {
    bits.fill(0xff);
    if (size % 8 !== 0) bits[bits.length - 1] = (1 << (size % 8)) - 1;
  }
  let remaining = setKept ? kept : size - kept;
  while (remaining > 0) {
    const i = Math.floor(nextUnit(rng) * size);
    const bit = 1 << (i & 7);
    const isSet = (bits[i >>> 3]! & bit) !== 0;
    if (isSet === setKept) continue;
    bits[i >>> 3]! ^= bit;
    remaining--;
  }
}

/**
 * Floyd's algorithm picks a uniform subset of the rarer of kept and pruned rows in each group,
 * using the mask's own bits as the "already chosen" set.
 */
function fillNm(mask: BitMask, n: number, m: number, rng: RandomGenerator): void {
  const chooseKept = n <= m - n;
  const choose = chooseKept ? n : m - n;
  for (let col = 0; col < mask.cols; col++) {
    for (let start = 0; start < mask.rows; start += m) {
      if (!chooseKept) for (let r = 0; r < m; r++) setBit(mask, start + r, col, true);
      for (let j = m - choose; j < m; j++) {
        const t = Math.floor(nextUnit(rng) * (j + 1));
        const tChosen = getBit(mask, start + t, col) === chooseKept;
        setBit(mask, start + (tChosen ? j : t), col, chooseKept);
      }
    }
  }
}

function expandBlocks(mask: BitMask, grid: BitMask, blockRows: number, blockCols: number): void {
  for (let br = 0; br < grid.rows; br++) {
    for (let bc = 0; bc < grid.cols; bc++) {
      if (!getBit(grid, br, bc)) continue;
      const rowEnd = Math.min(mask.rows, (br + 1) * blockRows);
      const colEnd = Math.min(mask.cols, (bc + 1) * blockCols);
      for (let r = br * blockRows; r < rowEnd; r++) {
        for (let c = bc * blockCols; c < colEnd; c++) setBit(mask, r, c, true);
      }
    }
  }
}

function checkShape(rows: number, cols: number): void {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`mask shape must be non-negative integers, got [${rows}, ${cols}]`);
  }
}

export function checkTile(tileRows: number, tileCols: number): void {
  const ok = Number.isSafeInteger(tileRows) && Number.isSafeInteger(tileCols) && tileRows > 0 && tileCols > 0;
  if (!ok || tileRows * tileCols > 0xffff_ffff) {
    throw new Error(
      `tile must be positive integers with at most 2^32 − 1 weights, got ${tileRows}×${tileCols}`,
    );
  }
}

export function checkDensity(density: number): void {
  if (!(density >= 0 && density <= 1)) throw new Error(`density must be in [0, 1], got ${density}`);
}
