/**
 * The streamed sparse GEMM of one row group as a `wavelet`-fidelity program (issue 12), with the
 * values it computes: Y = X · W over a group of R mesh rows × C mesh columns, where PE (r, c)
 * holds the activations of k-slice r for the T tokens of mesh column c.
 *
 * - Weights stream in column by column (output j), each row's non-zeros of column j in k order,
 *   entering at the west edge of their row (the wafer I/O, `cyclesPerWeight` apart), and every
 *   router of the row passes each one east and down to its PE at once (multicast, color 0). Wavelets carry the value; a PE
 *   keeps the row's sparsity structure, as the real kernel's (value, index) wavelets carry it.
 * - Each weight is one AXPY over the PE's T tokens into the accumulator of its column:
 *   `macCycles + overheadCycles` cycles (a data task). A column needs one of the PE's
 *   `buffers` accumulators; one is free again once its partial sums have left.
 * - When a column's AXPYs are done, its partial sums go north along the PE column (color 1): the
 *   southernmost PE sends its T values, every PE on the way adds its own to each arriving value
 *   (a one-cycle task per wavelet, the streaming add) and passes the sum on, and the northernmost
 *   holds Y for its tokens. Reduction tasks go before weights (they free accumulators).
 *
 * `gemmGroupRowModel` runs the `row` fidelity's kernel on the same counts for the cross-check.
 */
import { createScratch, simulateGemmGroup } from '../engine/row-pipeline.ts';
import { type FabricCounters, NORTH, type PeProgram, RAMP, SOUTH } from './fabric.ts';
import {
  type GroupShape,
  groupFabric,
  ioColor,
  ioColorCount,
  routeIoChannels,
  rowKernelInput,
} from './group.ts';

export interface WaveletGemmInput extends GroupShape {
  /** Cycles per weight of each row's stream at the west edge (default 1: one wavelet per cycle). */
  readonly cyclesPerWeight?: number;
  /**
   * Values, for the functional check (default: none, timing only): the weights of row r in
   * stream order, and the activations X[t][k] of PE (r, c) as x(r, c, t, i) for the i-th input of
   * its k-slice. `index(r, w)` is the k-slice position of row r's w-th streamed weight.
   */
  readonly values?: {
    readonly weight: (r: number, w: number) => number;
    readonly index: (r: number, w: number) => number;
    readonly x: (r: number, c: number, t: number, i: number) => number;
  };
}

export interface WaveletGemmResult {
  readonly cycles: number;
  /** Y[c][j · T + t] at the northern PE of each mesh column (FP32), when values were given. */
  readonly y: readonly Float64Array[];
  readonly counters: FabricCounters;
}

/** The color of the partial sums (a trace tells adds from AXPYs by it). */
export const GEMM_PARTIALS_COLOR = 0;
const PARTIALS = GEMM_PARTIALS_COLOR;
/** Weights use colors from here on, one per row of an I/O channel. */
const WEIGHTS = 1;

export function simulateWaveletGemmGroup(g: WaveletGemmInput): WaveletGemmResult {
  const { rows: R, cols: C, tokensPerPe: T, n: N, counts } = g;
  const fabric = groupFabric(g, WEIGHTS + ioColorCount(g));
  const axpyCycles = g.macCycles + g.overheadCycles;
  const y = Array.from({ length: C }, () => new Float64Array(g.values ? N * T : 0));
  // Weights: from the wafer I/O channels, along each row and down to every PE.
  const firstOf = (r: number) => {
    const first = new Uint32Array(N + 1); // row r's stream position of column j's first weight
    for (let j = 0; j < N; j++) first[j + 1] = first[j]! + counts[r * N + j]!;
    return first;
  };
  const firsts = Array.from({ length: R }, (_, r) => firstOf(r));
  routeIoChannels(
    fabric,
    g,
    WEIGHTS,
    (r, j) =>
      Array.from({ length: counts[r * N + j]! }, (_, i) =>
        g.values ? g.values.weight(r, firsts[r]![j]! + i) : 1,
      ),
    g.cyclesPerWeight ?? 1,
  );
  for (let r = 0; r < R; r++) {
    const perColumn = Array.from({ length: N }, (_, j) => counts[r * N + j]!);
    const total = firsts[r]![N]!;
    for (let c = 0; c < C; c++) {
      const pe = fabric.at(r, c);
      // Partial sums: north along the PE column.
      if (R > 1) {
        if (r > 0) fabric.route(pe, PARTIALS, RAMP, [NORTH]);
        if (r < R - 1) fabric.route(pe, PARTIALS, SOUTH, [RAMP]);
      }
      fabric.load(
        pe,
        gemmPe({ g, r, c, perColumn, total, axpyCycles, y: y[c]!, weights: ioColor(g, WEIGHTS, r) }),
      );
    }
  }
  const cycles = fabric.run();
  return { cycles, y, counters: fabric.counters };
}

/** The program of PE (r, c). */
function gemmPe(args: {
  g: WaveletGemmInput;
  r: number;
  c: number;
  perColumn: readonly number[];
  total: number;
  axpyCycles: number;
  y: Float64Array;
  /** The color of this row's weights. */
  weights: number;
}): PeProgram {
  const { g, r, c, perColumn, total, axpyCycles, y, weights: WEIGHTS } = args;
  const { rows: R, tokensPerPe: T, n: N, buffers: A } = g;
  const values = g.values;
  // Accumulators: the partial sums of up to A columns in flight.
  const acc = values ? Array.from({ length: A }, () => new Float64Array(T)) : [];
  let weightColumn = 0; // the column the next weight belongs to
  let weightInColumn = 0;
  let weightIndex = 0; // position in the row's stream
  let columnsComputed = 0; // columns whose AXPYs are all done
  let reduceColumn = 0; // the column whose partial sums are being reduced
  let reduced = 0; // partial wavelets of reduceColumn handled
  const skipEmpty = () => {
    while (weightColumn < N && perColumn[weightColumn] === 0) {
      weightColumn++;
      columnsComputed = weightColumn;
    }
  };
  skipEmpty();
  // The southernmost PE starts the chain: it sends a column's partials once they are computed.
  const south = R === 1 || r === R - 1;
  const sendPartials = (ctx: { send(color: number, value: number): void }) => {
    while (south && reduceColumn < columnsComputed) {
      const slot = reduceColumn % g.buffers;
      for (let t = 0; t < T; t++) {
        if (R === 1) {
          if (values) y[reduceColumn * T + t] = acc[slot]![t]!;
        } else ctx.send(PARTIALS, values ? acc[slot]![t]! : 0);
        if (values) acc[slot]![t] = 0;
      }
      reduceColumn++;
    }
  };
  return {
    handles: [PARTIALS, WEIGHTS],
    canTake(color) {
      // A weight needs its column's accumulator: free once the column A before it has left.
      if (color === WEIGHTS) return weightColumn - reduceColumn < g.buffers;
      // A partial sum needs this PE's own part of its column.
      return reduceColumn < columnsComputed;
    },
    start(ctx) {
      sendPartials(ctx);
    },
    onWavelet(color, value, ctx) {
      if (color === WEIGHTS) {
        if (values) {
          const slot = weightColumn % g.buffers;
          const i = values.index(r, weightIndex);
          for (let t = 0; t < T; t++)
            acc[slot]![t] = Math.fround(acc[slot]![t]! + Math.fround(value * values.x(r, c, t, i)));
        }
        weightIndex++;
        weightInColumn++;
        if (weightInColumn === perColumn[weightColumn]) {
          weightColumn++;
          weightInColumn = 0;
          columnsComputed = weightColumn;
          skipEmpty();
          sendPartials(ctx);
        }
        if (weightIndex > total) throw new Error(`gemm PE (${r}, ${c}): more weights than its row holds`);
        return axpyCycles;
      }
      // A partial sum from the south: add this PE's own and pass it on (or keep it, northernmost).
      const slot = reduceColumn % g.buffers;
      const sum = values ? Math.fround(value + acc[slot]![reduced]!) : 0;
      if (r > 0) ctx.send(PARTIALS, sum);
      else if (values) y[reduceColumn * T + reduced] = sum;
      if (values) acc[slot]![reduced] = 0;
      reduced++;
      if (reduced === T) {
        reduced = 0;
        reduceColumn++;
      }
      return 1;
    },
  };
}

/**
 * The `row` fidelity's end cycle for the same group and counts (its kernel as `simulateMatmul`
 * configures it, the stream at `cyclesPerWeight`).
 */
export function gemmGroupRowModel(g: WaveletGemmInput): number {
  // The kernel's stream delivers a group's weights at this rate; one per cycle is the link's.
  const { params, counts } = rowKernelInput(g, g.cyclesPerWeight ?? 1);
  return simulateGemmGroup(params, counts, createScratch(g.rows, g.buffers)).endCycle;
}
