/**
 * The SDDMM of the weight gradient (dW = Xᵀ · dY at the mask's non-zeros only) of one row group
 * as a `wavelet`-fidelity program (issue 12), with its values. PE (r, c) holds the activations of
 * k-slice r for the T tokens of mesh column c.
 *
 * - The output gradient dY streams in column by column (output j): each PE column's T values of
 *   column j enter at its north edge and every router of the column passes each one south and
 *   down to its PE at once (multicast, color 0). A PE stores them in one of its `buffers` column
 *   buffers (a one-cycle task per wavelet); a buffer is free again once the column's dot
 *   products on that PE are done.
 * - The mask's non-zeros of column j, row by row in k order, enter at the west edge of their
 *   row (the wafer I/O, `cyclesPerIndex` apart) as index wavelets, multicast along the row
 *   (color 1). For each, once its column is in, a PE computes the dot product of its T tokens:
 *   `macCycles + overheadCycles` cycles.
 * - Each dot product is a partial gradient over one mesh column's tokens: the partials of a
 *   non-zero are summed along the row, east to west (color 2), each PE adding its own to the
 *   arriving one (a one-cycle task) and passing it on; the westernmost holds dW[k, j].
 *
 * `sddmmGroupRowModel` runs the `row` fidelity's kernel on the same counts for the cross-check.
 */
import { createScratch } from '../engine/row-pipeline.ts';
import { simulateSddmmGroup } from '../engine/sddmm-pipeline.ts';
import { EAST, type FabricCounters, NORTH, type PeProgram, RAMP, SOUTH, WEST } from './fabric.ts';
import {
  type GroupShape,
  groupFabric,
  ioColor,
  ioColorCount,
  routeIoChannels,
  rowKernelInput,
} from './group.ts';

export interface WaveletSddmmInput extends GroupShape {
  /** Cycles per index of each row's stream at the west edge (default 1). */
  readonly cyclesPerIndex?: number;
  /**
   * Values, for the functional check: dY(c, t, j) of mesh column c's token t, X(r, c, t, i) the
   * i-th input of k-slice r, and `index(r, w)` the k-slice position of row r's w-th non-zero.
   */
  readonly values?: {
    readonly dy: (c: number, t: number, j: number) => number;
    readonly x: (r: number, c: number, t: number, i: number) => number;
    readonly index: (r: number, w: number) => number;
  };
}

export interface WaveletSddmmResult {
  readonly cycles: number;
  /** dW of each row's non-zeros in stream order (FP32), at the westernmost PE, with values. */
  readonly gradients: readonly Float64Array[];
  readonly counters: FabricCounters;
}

const DY = 0;
const PARTIALS = 1;
/** Indices use colors from here on, one per row of an I/O channel. */
const INDEX_COLORS = 2;

export function simulateWaveletSddmmGroup(g: WaveletSddmmInput): WaveletSddmmResult {
  const { rows: R, cols: C, tokensPerPe: T, n: N, counts } = g;
  const fabric = groupFabric(g, INDEX_COLORS + ioColorCount(g));
  // Indices: from the wafer I/O channels, along each row and down to every PE.
  routeIoChannels(
    fabric,
    g,
    INDEX_COLORS,
    (r, j) => new Array<number>(counts[r * N + j]!).fill(0),
    g.cyclesPerIndex ?? 1,
  );
  const gradients: Float64Array[] = [];
  for (let r = 0; r < R; r++) {
    const perColumn = Array.from({ length: N }, (_, j) => counts[r * N + j]!);
    const total = perColumn.reduce((a, b) => a + b, 0);
    gradients.push(new Float64Array(g.values ? total : 0));
    for (let c = 0; c < C; c++) {
      const pe = fabric.at(r, c);
      fabric.route(pe, DY, NORTH, r < R - 1 ? [SOUTH, RAMP] : [RAMP]);
      if (C > 1) {
        if (c > 0) fabric.route(pe, PARTIALS, RAMP, [WEST]);
        if (c < C - 1) fabric.route(pe, PARTIALS, EAST, [RAMP]);
      }
      if (r === 0) {
        const dy: number[] = [];
        for (let j = 0; j < N; j++) for (let t = 0; t < T; t++) dy.push(g.values ? g.values.dy(c, t, j) : 0);
        fabric.inject(pe, NORTH, DY, dy, 1);
      }
      fabric.load(pe, sddmmPe(g, r, c, perColumn, gradients[r]!));
    }
  }
  const cycles = fabric.run();
  return { cycles, gradients, counters: fabric.counters };
}

function sddmmPe(
  g: WaveletSddmmInput,
  r: number,
  c: number,
  perColumn: readonly number[],
  gradients: Float64Array,
): PeProgram {
  // This row's indices come on its own color of the I/O channel.
  const INDICES = ioColor(g, INDEX_COLORS, r);
  const { cols: C, tokensPerPe: T, n: N, buffers: B } = g;
  const values = g.values;
  const buffer = values ? Array.from({ length: B }, () => new Float64Array(T)) : [];
  let dyColumn = 0; // the column the next dY wavelet fills
  let dyReceived = 0; // of its T values
  let indexColumn = 0; // the column of the next index
  let indexInColumn = 0;
  let index = 0; // position in the row's stream of non-zeros
  // Partial gradients this PE computed, waiting for the one from the east (not the easternmost).
  const own: number[] = [];
  let ownTaken = 0;
  let partialsHandled = 0;
  const skipEmpty = () => {
    while (indexColumn < N && perColumn[indexColumn] === 0) indexColumn++;
  };
  skipEmpty();
  const eastmost = c === C - 1;
  const dot = (j: number, w: number) => {
    if (!values) return 0;
    const slot = j % B;
    const i = values.index(r, w);
    let sum = 0;
    for (let t = 0; t < T; t++)
      sum = Math.fround(sum + Math.fround(buffer[slot]![t]! * values.x(r, c, t, i)));
    return sum;
  };
  return {
    handles: [PARTIALS, INDICES, DY],
    canTake(color) {
      // A column's values go into a buffer freed by the dot products of the column B before it.
      if (color === DY) return dyColumn - indexColumn < B;
      // An index needs its whole column of dY.
      if (color === INDICES) return indexColumn < dyColumn;
      // A partial from the east needs this PE's own partial of the same non-zero.
      return partialsHandled < own.length + ownTaken;
    },
    onWavelet(color, value, ctx) {
      if (color === DY) {
        if (values) buffer[dyColumn % B]![dyReceived] = value;
        dyReceived++;
        if (dyReceived === T) {
          dyReceived = 0;
          dyColumn++;
        }
        return 1;
      }
      if (color === INDICES) {
        const partial = dot(indexColumn, index);
        if (C === 1) {
          if (values) gradients[index] = partial;
        } else if (eastmost) ctx.send(PARTIALS, partial);
        else own.push(partial);
        index++;
        indexInColumn++;
        if (indexInColumn === perColumn[indexColumn]) {
          indexInColumn = 0;
          indexColumn++;
          skipEmpty();
        }
        return g.macCycles + g.overheadCycles;
      }
      // A partial gradient from the east: add this PE's own for the same non-zero, pass it west.
      const mine = own[partialsHandled - ownTaken]!;
      const sum = Math.fround(value + mine);
      partialsHandled++;
      // Keep the list short: drop what has been used.
      if (partialsHandled - ownTaken > 1024) {
        own.splice(0, partialsHandled - ownTaken);
        ownTaken = partialsHandled;
      }
      if (c > 0) ctx.send(PARTIALS, sum);
      else if (values) gradients[partialsHandled - 1] = sum;
      return 1;
    },
  };
}

/**
 * The `row` fidelity's end cycle for the same group and counts: its SDDMM kernel with the
 * column broadcast, the dot products and the index stream at `cyclesPerIndex` per row.
 */
export function sddmmGroupRowModel(g: WaveletSddmmInput): number {
  const { params, counts } = rowKernelInput(g, g.cyclesPerIndex ?? 1);
  return simulateSddmmGroup(params, counts, createScratch(g.rows, g.buffers)).endCycle;
}
