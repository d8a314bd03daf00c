/**
 * One random mask seen through several tilings at once: the forward pass reads W in k-slices of
 * one height, backward-data reads Wᵀ, the weight gradient another slicing. Counting every tiling
 * from the same draw keeps the passes consistent (the same non-zeros everywhere) without storing
 * a bit per weight.
 *
 * Unstructured masks are drawn as a uniform subset of exactly round(density · rows · cols) weights
 * (the law of `generateBitMask`), in two exact steps: the kept count of each matrix row from a
 * multivariate hypergeometric (sequential conditional draws), then a uniform subset of that size
 * within the row (an exchangeable bit fill, 32 columns per few random words, fixed up to the exact
 * count). The row is then counted into every tiling from its bits. N:M and block masks are drawn
 * as bit masks and counted.
 *
 * Counts come out column by column (`SliceCounts`): the kernels walk a column's k-slices in turn,
 * so that order keeps their reads contiguous (row by row, a power-of-two width would put every
 * row of a column in the same cache set).
 */
import type { RandomGenerator } from '../random-streams.ts';
import type { SparsityPattern } from '../sparsity.ts';
import { type BitMask, checkDensity, checkTile, exactKeptCount, generateBitMask } from './bit-mask.ts';
import { sampleHypergeometric } from './hypergeometric.ts';

/** A tiling of k-slices × 1 over W (or over Wᵀ when transposed). */
export interface SliceTiling {
  readonly kSlice: number;
  readonly transposed: boolean;
}

/**
 * Counts of at most kSlice each, in the narrowest array that holds them: a GPT-3 XL matrix has
 * about a million tiles per tiling, and the kernels' reads of them are what two workers compete
 * for (the cores share the memory bandwidth beyond their own caches).
 */
export type CountArray = Uint8Array | Uint16Array | Uint32Array;

export function createCountArray(length: number, maxCount: number): CountArray {
  if (maxCount <= 0xff) return new Uint8Array(length);
  if (maxCount <= 0xffff) return new Uint16Array(length);
  return new Uint32Array(length);
}

/**
 * Non-zeros per (k-slice, output column) of one tiling, stored column by column. For W as stored
 * ([K inputs, N outputs]) K is its rows; for Wᵀ (transposed) K is W's columns and N its rows.
 */
export interface SliceCounts {
  readonly kSlice: number;
  /** ceil(K / kSlice). */
  readonly slices: number;
  /** Output columns (N). */
  readonly cols: number;
  /** Non-zeros of k-slice s in output column j at j · slices + s. */
  readonly counts: CountArray;
}

export function createSliceCounts(k: number, n: number, kSlice: number): SliceCounts {
  checkTile(kSlice, 1);
  const slices = Math.ceil(k / kSlice);
  return { kSlice, slices, cols: n, counts: createCountArray(slices * n, kSlice) };
}

/** Non-zeros of k-slice `slice` in output column `col`. */
export function sliceCount(c: SliceCounts, slice: number, col: number): number {
  return c.counts[col * c.slices + slice]!;
}

function createFor(rows: number, cols: number, t: SliceTiling): SliceCounts {
  return t.transposed ? createSliceCounts(cols, rows, t.kSlice) : createSliceCounts(rows, cols, t.kSlice);
}

/** Adds every kept weight of a bit mask to each tiling's counts. */
export function countBitsForTilings(mask: BitMask, tilings: readonly SliceTiling[]): SliceCounts[] {
  const out = tilings.map((t) => createFor(mask.rows, mask.cols, t));
  const { bits, cols } = mask;
  for (let byte = 0; byte < bits.length; byte++) {
    let b = bits[byte]!;
    while (b !== 0) {
      const low = b & -b;
      const index = byte * 8 + (31 - Math.clz32(low));
      const row = Math.floor(index / cols);
      const col = index - row * cols;
      for (let t = 0; t < tilings.length; t++) {
        const tiling = tilings[t]!;
        const { counts, slices } = out[t]!;
        // Forward: output column `col`, k-slice of `row`; transposed: output column `row`.
        if (tiling.transposed) counts[row * slices + Math.floor(col / tiling.kSlice)]!++;
        else counts[col * slices + Math.floor(row / tiling.kSlice)]!++;
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
): SliceCounts[] {
  if (pattern.kind !== 'unstructured') {
    return countBitsForTilings(generateBitMask(rows, cols, density, pattern, rng, name), tilings);
  }
  checkDensity(density);
  const out = tilings.map((t) => createFor(rows, cols, t));
  // Forward tilings add each row's bits into bit-sliced counters (a carry-save add per word), read
  // out into the counts at the end of each k-slice; transposed tilings count each row's slices of
  // columns by popcount (a row of W is an output column of Wᵀ: its slices are contiguous).
  const words = Math.ceil(cols / 32);
  const forward: { out: SliceCounts; planes: Int32Array; depth: number; block: Uint32Array }[] = [];
  // The block's rows are padded by a cache line, so that a power-of-two width does not put every
  // row of a column in the same cache set.
  const blockStride = cols + SLICE_BLOCK;
  const transposed: { counts: CountArray; slices: number; bounds: Int32Array }[] = [];
  tilings.forEach((t, i) => {
    const o = out[i]!;
    if (!t.transposed) {
      // Bit-sliced counters: plane p holds bit p of every column's count within the k-slice.
      const depth = 32 - Math.clz32(t.kSlice);
      forward.push({
        out: o,
        planes: new Int32Array(depth * words),
        depth,
        block: new Uint32Array(SLICE_BLOCK * blockStride),
      });
      return;
    }
    const bounds = new Int32Array(o.slices + 1);
    for (let slice = 0; slice <= o.slices; slice++) bounds[slice] = Math.min(cols, slice * t.kSlice);
    transposed.push({ counts: o.counts, slices: o.slices, bounds });
  });
  const lastWordMask = cols % 32 === 0 ? -1 : (1 << (cols % 32)) - 1;
  const rowBits = new Int32Array(words);
  let keptLeft = exactKeptCount(rows * cols, density);
  let weightsLeft = rows * cols;
  // xoshiro128** on a typed-array state (a closure over mutable locals would keep them out of
  // registers), seeded from the matrix's named stream.
  const state = Int32Array.of(rng.next() | 0, rng.next() | 0, rng.next() | 0, rng.next() | 0);
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  for (let row = 0; row < rows; row++) {
    const kept =
      keptLeft === 0
        ? 0
        : keptLeft === weightsLeft
          ? cols
          : sampleHypergeometric(rng, cols, keptLeft, weightsLeft);
    keptLeft -= kept;
    weightsLeft -= cols;
    // The row's kept columns: an exactly uniform `kept`-subset, drawn as an exchangeable bit fill
    // (i.i.d. Bernoulli bits at a dyadic density near kept / cols, 32 at a time) fixed up to the
    // exact count by clearing uniformly chosen set bits or setting uniformly chosen clear ones.
    // The fill's law is invariant under permutations of the columns and so is each fix-up step,
    // so the result is too: with its size fixed, it is uniform over the kept-subsets.
    if (kept === 0) rowBits.fill(0);
    else if (kept === cols) {
      rowBits.fill(-1);
      rowBits[words - 1] = lastWordMask;
    } else {
      const count = fillRow(state, rowBits, words, kept / cols, lastWordMask);
      if (count !== kept) fixUpRow(state, rowBits, cols, count, kept);
    }
    for (let t = 0; t < forward.length; t++) {
      const f = forward[t]!;
      const kSlice = f.out.kSlice;
      addToPlanes(f.planes, f.depth, words, rowBits);
      if ((row + 1) % kSlice === 0 || row === rows - 1) {
        // A block of k-slices is read out row by row, then written column by column.
        const slice = Math.floor(row / kSlice);
        readPlanes(f.planes, f.depth, words, cols, f.block, (slice % SLICE_BLOCK) * blockStride);
        if (slice % SLICE_BLOCK === SLICE_BLOCK - 1 || row === rows - 1) {
          const first = slice - (slice % SLICE_BLOCK);
          writeBlock(f.block, blockStride, cols, f.out, first, slice - first + 1);
        }
      }
    }
    for (const t of transposed) countRanges(rowBits, t.bounds, t.counts, row * t.slices);
  }
  return out;
}

const TWO_32 = 4_294_967_296;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/*
 * The generator is xoshiro128** (Blackman and Vigna), its state in an Int32Array between rows and
 * in local variables within one, where the JIT keeps it in registers: a function that loads and
 * stores the array on every word spent most of a row's time on those memory accesses. One step:
 *   out = rotl(s1 · 5, 7) · 9;  t = s1 << 9;  s2 ^= s0;  s3 ^= s1;  s1 ^= s2;  s0 ^= s3;  s2 ^= t;
 *   s3 = rotl(s3, 11).
 */

/**
 * Fills `bits` (`words` words, the last masked by `lastWordMask`) with i.i.d. Bernoulli(q) bits,
 * q = m / 2^8 the nearest to `density`, and returns how many are set. The binary digits of m, the
 * least significant set digit first (x = r), then x | r for a 1 and x & r for a 0: each step
 * halves or doubles-and-halves P(bit), exactly.
 */
function fillRow(
  state: Int32Array,
  bits: Int32Array,
  words: number,
  density: number,
  lastWordMask: number,
): number {
  const m = Math.min(255, Math.max(1, Math.round(density * 256)));
  const lowest = 31 - Math.clz32(m & -m);
  let s0 = state[0]!;
  let s1 = state[1]!;
  let s2 = state[2]!;
  let s3 = state[3]!;
  let count = 0;
  for (let w = 0; w < words; w++) {
    let x = 0;
    for (let digit = lowest; digit < 8; digit++) {
      const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      x = digit === lowest ? r : (m >> digit) & 1 ? x | r : x & r;
    }
    if (w === words - 1) x &= lastWordMask;
    bits[w] = x;
    count += popcount(x);
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
  return count;
}

/**
 * Brings a row of `count` set bits (of `cols`) to exactly `kept` by clearing uniformly chosen set
 * bits or setting uniformly chosen clear ones. The fill's law is invariant under permutations of
 * the columns and so is each step here, so the result is too: with its size fixed, it is uniform
 * over the kept-subsets. Uniform columns by Lemire's multiply-and-reject, exactly.
 */
function fixUpRow(state: Int32Array, bits: Int32Array, cols: number, count: number, kept: number): void {
  let s0 = state[0]!;
  let s1 = state[1]!;
  let s2 = state[2]!;
  let s3 = state[3]!;
  const clear = count > kept;
  const threshold = (TWO_32 - cols) % cols;
  while (count !== kept) {
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    const low = Math.imul(r, cols) >>> 0;
    if (low < cols && low < threshold) continue;
    const c = Math.floor((r * cols) / TWO_32);
    const bit = 1 << (c & 31);
    const set = (bits[c >>> 5]! & bit) !== 0;
    if (set !== clear) continue;
    bits[c >>> 5]! ^= bit;
    count += clear ? -1 : 1;
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** Adds one row of bits to bit-sliced counters (`depth` planes of `words` words): carry-save. */
function addToPlanes(planes: Int32Array, depth: number, words: number, bits: Int32Array): void {
  for (let w = 0; w < words; w++) {
    let carry = bits[w]!;
    for (let p = 0; carry !== 0 && p < depth; p++) {
      const at = p * words + w;
      const v = planes[at]!;
      planes[at] = v ^ carry;
      carry = v & carry;
    }
  }
}

/** K-slices read out together before they are written column by column (16 counts: a cache line). */
const SLICE_BLOCK = 16;

/** block[base + c] = the bit-sliced count of column c, for every column; then clears the planes. */
function readPlanes(
  planes: Int32Array,
  depth: number,
  words: number,
  cols: number,
  block: Uint32Array,
  base: number,
): void {
  block.fill(0, base, base + cols);
  for (let w = 0; w < words; w++) {
    const at = base + w * 32;
    // Plane by plane, each set bit adds its weight to its column: work ∝ set bits, not 32 × depth.
    for (let p = 0; p < depth; p++) {
      let b = planes[p * words + w]!;
      const weight = 1 << p;
      while (b !== 0) {
        const low = b & -b;
        block[at + 31 - Math.clz32(low)]! += weight;
        b ^= low;
      }
    }
  }
  planes.fill(0);
}

/**
 * Writes `height` k-slices from `first` on, held row by row in `block`, into the counts: a run of
 * columns at a time, so the rows read and the columns written stay in cache.
 */
function writeBlock(
  block: Uint32Array,
  stride: number,
  cols: number,
  out: SliceCounts,
  first: number,
  height: number,
): void {
  const { counts, slices } = out;
  for (let c0 = 0; c0 < cols; c0 += SLICE_BLOCK) {
    const c1 = Math.min(cols, c0 + SLICE_BLOCK);
    for (let b = 0; b < height; b++) {
      const from = b * stride;
      for (let c = c0; c < c1; c++) counts[c * slices + first + b] = block[from + c]!;
    }
  }
}

/** out[at + i] = set bits of `bits` in columns [bounds[i], bounds[i + 1]), by prefix popcounts. */
function countRanges(bits: Int32Array, bounds: Int32Array, out: CountArray, at: number): void {
  let word = 0;
  let before = 0; // set bits in the words before `word`
  let previous = 0;
  for (let i = 0; i < bounds.length; i++) {
    const c = bounds[i]!;
    while (word < c >>> 5) before += popcount(bits[word++]!);
    const partial = (c & 31) === 0 ? 0 : popcount(bits[word]! & ((1 << (c & 31)) - 1));
    const rank = before + partial;
    if (i > 0) out[at + i - 1] = rank - previous;
    previous = rank;
  }
}

/** Set bits of a 32-bit word (SWAR). */
function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
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
