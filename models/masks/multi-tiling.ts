/**
 * One random mask seen through several tilings at once: the forward pass reads W in k-slices of
 * one height, backward-data reads Wᵀ, the weight gradient another slicing. Counting every tiling
 * from the same draw keeps the passes consistent (the same non-zeros everywhere) without storing
 * a bit per weight.
 *
 * Unstructured masks are drawn as a uniform subset of exactly round(density · rows · cols) weights
 * (the law of `generateBitMask`), in two exact steps: the kept count of each matrix row from a
 * multivariate hypergeometric (sequential conditional draws), then a uniform subset of that size
 * within the row (Floyd's algorithm, drawing the zeros instead when they are fewer). The cost is
 * one draw per non-zero or per zero, whichever is smaller. N:M and block masks are drawn as bit
 * masks and counted.
 */
import type { RandomGenerator } from '../random-streams.ts';
import type { SparsityPattern } from '../sparsity.ts';
import { type BitMask, checkDensity, exactKeptCount, generateBitMask } from './bit-mask.ts';
import { sampleHypergeometric } from './hypergeometric.ts';
import { createTileCounts, type TileCounts } from './tile-counts.ts';

/** A tiling of k-slices × 1 over W (or over Wᵀ when transposed). */
export interface SliceTiling {
  readonly kSlice: number;
  readonly transposed: boolean;
}

function createFor(rows: number, cols: number, t: SliceTiling): TileCounts {
  return t.transposed ? createTileCounts(cols, rows, t.kSlice, 1) : createTileCounts(rows, cols, t.kSlice, 1);
}

/** Adds every kept weight of a bit mask to each tiling's counts. */
export function countBitsForTilings(mask: BitMask, tilings: readonly SliceTiling[]): TileCounts[] {
  const out = tilings.map((t) => createFor(mask.rows, mask.cols, t));
  const { bits, rows, cols } = mask;
  for (let byte = 0; byte < bits.length; byte++) {
    let b = bits[byte]!;
    while (b !== 0) {
      const low = b & -b;
      const index = byte * 8 + (31 - Math.clz32(low));
      const row = Math.floor(index / cols);
      const col = index - row * cols;
      for (let t = 0; t < tilings.length; t++) {
        const tiling = tilings[t]!;
        const counts = out[t]!.counts;
        if (tiling.transposed) counts[Math.floor(col / tiling.kSlice) * rows + row]!++;
        else counts[Math.floor(row / tiling.kSlice) * cols + col]!++;
      }
      b ^= low;
    }
  }
  return out;
}

/**
 * Per-tile counts of one random mask (the law of `generateBitMask(rows, cols, density, pattern)`)
 * for each tiling. `name` is for error messages.
 */
export function drawMaskTilings(
  rows: number,
  cols: number,
  density: number,
  pattern: SparsityPattern,
  rng: RandomGenerator,
  tilings: readonly SliceTiling[],
  name = 'matrix',
): TileCounts[] {
  if (pattern.kind !== 'unstructured') {
    return countBitsForTilings(generateBitMask(rows, cols, density, pattern, rng, name), tilings);
  }
  checkDensity(density);
  const out = tilings.map((t) => createFor(rows, cols, t));
  // Per kept weight, each tiling adds one to a tile. Forward tilings index the current row's slice
  // of their grid directly (row-local, cache-friendly); transposed tilings would stride through
  // the whole grid, so they count into a small per-row histogram flushed at the end of the row.
  const forward: { counts: Uint32Array; kSlice: number }[] = [];
  const transposed: { counts: Uint32Array; colTile: Int32Array; hist: Uint32Array; widths: Uint32Array }[] =
    [];
  tilings.forEach((t, i) => {
    const counts = out[i]!.counts;
    if (!t.transposed) {
      forward.push({ counts, kSlice: t.kSlice });
      return;
    }
    const colTile = new Int32Array(cols);
    for (let c = 0; c < cols; c++) colTile[c] = Math.floor(c / t.kSlice);
    const tiles = Math.ceil(cols / t.kSlice);
    const widths = new Uint32Array(tiles);
    for (let tile = 0; tile < tiles; tile++) widths[tile] = Math.min(t.kSlice, cols - tile * t.kSlice);
    transposed.push({ counts, colTile, hist: new Uint32Array(tiles), widths });
  });
  const rowBase = new Int32Array(forward.length);
  // Rows drawn through their zeros (below) count as full rows of each forward k-slice; the
  // zeros are subtracted as they are drawn. Uint32 arithmetic wraps, so a tile may go "below
  // zero" before its full rows are added at the end and still end exact.
  const fullRows = forward.map((f) => new Uint32Array(Math.ceil(rows / f.kSlice)));
  const chosen = new Int32Array(Math.ceil(cols / 32));
  let keptLeft = exactKeptCount(rows * cols, density);
  let weightsLeft = rows * cols;
  let s0 = rng.next() | 0;
  let s1 = rng.next() | 0;
  let s2 = rng.next() | 0;
  let s3 = rng.next() | 0;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  for (let row = 0; row < rows; row++) {
    const kept =
      keptLeft === 0
        ? 0
        : keptLeft === weightsLeft
          ? cols
          : sampleHypergeometric(rng, cols, keptLeft, weightsLeft);
    keptLeft -= kept;
    weightsLeft -= cols;
    // A uniform subset of `kept` columns is the complement of a uniform subset of the others:
    // draw whichever is smaller, so a dense-ish row costs its zeros, not its non-zeros.
    const drawZeros = kept > cols - kept;
    const drawn = drawZeros ? cols - kept : kept;
    const step = drawZeros ? -1 : 1;
    for (let t = 0; t < forward.length; t++) {
      const tileRow = Math.floor(row / forward[t]!.kSlice);
      rowBase[t] = tileRow * cols;
      if (drawZeros) fullRows[t]![tileRow]!++;
    }
    for (const t of transposed) {
      if (!drawZeros) continue;
      // Start the row's histogram full (each tile's width), minus the zeros drawn below.
      t.hist.set(t.widths);
    }
    // Floyd's algorithm: a uniform `drawn`-subset of the columns, one draw per member, with the
    // chosen set in a bitset small enough for the L1 cache. The draw is xoshiro128** inlined on
    // local state (seeded from the matrix's named stream) with Lemire's exact multiply-and-reject.
    for (let top = cols - drawn; top < cols; top++) {
      const range = top + 1;
      let pick: number;
      for (;;) {
        const x = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = rotl(s3, 11);
        const low = Math.imul(x, range) >>> 0;
        if (low < range && low < (TWO_32 - range) % range) continue;
        pick = Math.floor((x * range) / TWO_32);
        break;
      }
      const col = (chosen[pick >>> 5]! & (1 << (pick & 31))) !== 0 ? top : pick;
      chosen[col >>> 5]! |= 1 << (col & 31);
      for (let t = 0; t < forward.length; t++) forward[t]!.counts[rowBase[t]! + col]! += step;
      for (let t = 0; t < transposed.length; t++) transposed[t]!.hist[transposed[t]!.colTile[col]!]! += step;
    }
    chosen.fill(0);
    for (const t of transposed) {
      for (let tile = 0; tile < t.hist.length; tile++) {
        t.counts[tile * rows + row] = t.hist[tile]!;
        t.hist[tile] = 0;
      }
    }
  }
  forward.forEach((f, t) => {
    const full = fullRows[t]!;
    for (let tileRow = 0; tileRow < full.length; tileRow++) {
      const add = full[tileRow]!;
      if (add === 0) continue;
      for (let c = 0; c < cols; c++) f.counts[tileRow * cols + c]! += add;
    }
  });
  return out;
}

const TWO_32 = 4_294_967_296;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Uniform integer in [0, range) for range < 2^21 from one 32-bit draw, exactly (Lemire's
 * multiply-and-reject: the product stays below 2^53, so it is exact in a double).
 */
export function uniformBelow(rng: RandomGenerator, range: number): number {
  let m = (rng.next() >>> 0) * range;
  let low = m % TWO_32;
  if (low < range) {
    const threshold = (TWO_32 - range) % range;
    while (low < threshold) {
      m = (rng.next() >>> 0) * range;
      low = m % TWO_32;
    }
  }
  return Math.floor(m / TWO_32);
}
