/**
 * Exact per-tile non-zero counts: the compact form of a mask for matrices too big for a bit per
 * weight (DESIGN §2). What the simulator needs from a mask is the load per PE, i.e. the non-zeros
 * that land in each tile, so `drawTileCounts` draws those counts directly from the law that
 * `generateBitMask` induces on them, without materialising bits:
 * - unstructured: the exact total spread over tiles by a multivariate hypergeometric, drawn as
 *   sequential conditional hypergeometric draws in tile order;
 * - n:m: a group inside one tile contributes n; a group straddling tile rows spreads its n kept
 *   weights over its pieces by hypergeometric draws (a uniform n-subset of m, seen per piece);
 * - block: the block grid is drawn exactly as the bit mask draws it, and each kept block adds its
 *   overlap area to each tile it covers.
 */
import type { RandomGenerator } from '../random-streams.ts';
import type { SparsityPattern } from '../sparsity.ts';
import {
  type BitMask,
  checkDensity,
  checkNmFits,
  checkTile,
  drawBlockGrid,
  exactKeptCount,
} from './bit-mask.ts';
import { sampleHypergeometric } from './hypergeometric.ts';

export interface TileCounts {
  readonly rows: number;
  readonly cols: number;
  readonly tileRows: number;
  readonly tileCols: number;
  /** ceil(rows / tileRows). */
  readonly gridRows: number;
  /** ceil(cols / tileCols). */
  readonly gridCols: number;
  /** Non-zeros of tile (i, j) at i · gridCols + j. */
  readonly counts: Uint32Array;
}

export function createTileCounts(rows: number, cols: number, tileRows: number, tileCols: number): TileCounts {
  checkTile(tileRows, tileCols);
  const gridRows = Math.ceil(rows / tileRows);
  const gridCols = Math.ceil(cols / tileCols);
  return { rows, cols, tileRows, tileCols, gridRows, gridCols, counts: new Uint32Array(gridRows * gridCols) };
}

/** Weights in tile (tileRow, tileCol): tiles in the last row or column may be cut by the matrix edge. */
export function tileArea(tiles: TileCounts, tileRow: number, tileCol: number): number {
  const height = Math.min(tiles.tileRows, tiles.rows - tileRow * tiles.tileRows);
  const width = Math.min(tiles.tileCols, tiles.cols - tileCol * tiles.tileCols);
  return height * width;
}

export function totalNonZeros(tiles: TileCounts): number {
  let total = 0;
  for (let i = 0; i < tiles.counts.length; i++) total += tiles.counts[i]!;
  return total;
}

/**
 * Per-tile non-zero counts of a random mask with the same law as
 * `countTiles(generateBitMask(rows, cols, density, pattern, rng, name), tileRows, tileCols)`.
 */
export function drawTileCounts(
  rows: number,
  cols: number,
  tileRows: number,
  tileCols: number,
  density: number,
  pattern: SparsityPattern,
  rng: RandomGenerator,
  name = 'matrix',
): TileCounts {
  checkDensity(density);
  const tiles = createTileCounts(rows, cols, tileRows, tileCols);
  switch (pattern.kind) {
    case 'unstructured':
      drawUnstructured(tiles, exactKeptCount(rows * cols, density), rng);
      return tiles;
    case 'n:m':
      checkNmFits(rows, density, pattern, name);
      drawNm(tiles, pattern.n, pattern.m, rng);
      return tiles;
    case 'block':
      addBlocks(
        tiles,
        drawBlockGrid(rows, cols, density, pattern, rng),
        pattern.blockRows,
        pattern.blockCols,
      );
      return tiles;
  }
}

function drawUnstructured(tiles: TileCounts, kept: number, rng: RandomGenerator): void {
  const { rows, cols, tileRows, tileCols, gridRows, gridCols, counts } = tiles;
  let keptLeft = kept;
  let weightsLeft = rows * cols;
  for (let i = 0; i < gridRows; i++) {
    const height = Math.min(tileRows, rows - i * tileRows);
    for (let j = 0; j < gridCols; j++) {
      const area = height * Math.min(tileCols, cols - j * tileCols);
      // Once nothing (or everything) is left to place, the rest is fixed and consumes no randomness.
      const x =
        keptLeft === 0
          ? 0
          : keptLeft === weightsLeft
            ? area
            : sampleHypergeometric(rng, area, keptLeft, weightsLeft);
      counts[i * gridCols + j] = x;
      keptLeft -= x;
      weightsLeft -= area;
    }
  }
}

/**
 * Groups are the same in every column, so what each tile row gets from whole groups is computed once;
 * only the groups that straddle tile rows need draws, per column. Their pieces are kept as flat arrays
 * so the per-column loop allocates nothing.
 */
function drawNm(tiles: TileCounts, n: number, m: number, rng: RandomGenerator): void {
  const { rows, cols, tileRows, tileCols, gridCols, counts } = tiles;
  const wholeGroupKept = new Float64Array(tiles.gridRows);
  const pieceTileRow: number[] = [];
  const pieceLength: number[] = [];
  const groupFirstPiece: number[] = [];
  for (let start = 0; start < rows; start += m) {
    const first = Math.floor(start / tileRows);
    const last = Math.floor((start + m - 1) / tileRows);
    if (first === last) {
      wholeGroupKept[first]! += n;
      continue;
    }
    groupFirstPiece.push(pieceTileRow.length);
    for (let t = first; t <= last; t++) {
      pieceTileRow.push(t);
      pieceLength.push(Math.min(start + m, (t + 1) * tileRows) - Math.max(start, t * tileRows));
    }
  }
  groupFirstPiece.push(pieceTileRow.length);
  const pieceRow = Int32Array.from(pieceTileRow);
  const pieceLen = Int32Array.from(pieceLength);
  const firstPiece = Int32Array.from(groupFirstPiece);
  const straddling = firstPiece.length - 1;

  for (let i = 0; i < tiles.gridRows; i++) {
    for (let j = 0; j < gridCols; j++) {
      counts[i * gridCols + j] = wholeGroupKept[i]! * Math.min(tileCols, cols - j * tileCols);
    }
  }
  if (straddling === 0) return;
  for (let col = 0; col < cols; col++) {
    const j = Math.floor(col / tileCols);
    for (let g = 0; g < straddling; g++) {
      let keptLeft = n;
      let rowsLeft = m;
      const end = firstPiece[g + 1]! - 1;
      for (let p = firstPiece[g]!; p < end; p++) {
        const length = pieceLen[p]!;
        const x = sampleHypergeometric(rng, length, keptLeft, rowsLeft);
        counts[pieceRow[p]! * gridCols + j]! += x;
        keptLeft -= x;
        rowsLeft -= length;
      }
      counts[pieceRow[end]! * gridCols + j]! += keptLeft;
    }
  }
}

/** A kept block is dense, so its share of each tile is its overlap area: no randomness beyond the grid. */
function addBlocks(tiles: TileCounts, grid: BitMask, blockRows: number, blockCols: number): void {
  const { rows, cols, tileRows, tileCols, gridCols, counts } = tiles;
  const { bits } = grid;
  for (let byte = 0; byte < bits.length; byte++) {
    let b = bits[byte]!;
    while (b !== 0) {
      const low = b & -b;
      b ^= low;
      const block = byte * 8 + (31 - Math.clz32(low));
      const blockRow = Math.floor(block / grid.cols);
      const blockCol = block - blockRow * grid.cols;
      const rowStart = blockRow * blockRows;
      const rowEnd = Math.min(rows, rowStart + blockRows);
      const colStart = blockCol * blockCols;
      const colEnd = Math.min(cols, colStart + blockCols);
      for (let i = Math.floor(rowStart / tileRows); i * tileRows < rowEnd; i++) {
        const height = Math.min(rowEnd, (i + 1) * tileRows) - Math.max(rowStart, i * tileRows);
        for (let j = Math.floor(colStart / tileCols); j * tileCols < colEnd; j++) {
          const width = Math.min(colEnd, (j + 1) * tileCols) - Math.max(colStart, j * tileCols);
          counts[i * gridCols + j]! += height * width;
        }
      }
    }
  }
}
