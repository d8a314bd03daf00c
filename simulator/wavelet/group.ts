/**
 * What the kernel programs of one row group share (gemm.ts, sddmm.ts): the group's shape and
 * machine figures, its fabric, and the same group as the `row` kernels read it.
 */
import type { HardwareConfig } from '../../hardware/hardware-config.ts';
import { fabricQueueWavelets, macsPerCycle } from '../../hardware/machine-rates.ts';
import type { GroupCounts, RowKernelParams } from '../engine/row-pipeline.ts';
import {
  EAST,
  Fabric,
  NORTH,
  type OccupancySampler,
  RAMP,
  SOUTH,
  type TaskRecorder,
  WEST,
} from './fabric.ts';

/** One row group of R mesh rows × C mesh columns over N output columns. */
export interface GroupShape {
  readonly rows: number;
  readonly cols: number;
  /** Tokens per PE (T). */
  readonly tokensPerPe: number;
  /** Non-zeros of k-slice r in output column j, at counts[r · n + j]. */
  readonly counts: Uint32Array;
  /** Output columns (N). */
  readonly n: number;
  readonly macCycles: number;
  readonly overheadCycles: number;
  /** Accumulators (GEMM) or column buffers (SDDMM) per PE. */
  readonly buffers: number;
  readonly hopLatencyCycles: number;
  readonly rampLatencyCycles: number;
  readonly queueDepth: number;
  /**
   * Rows each wafer I/O channel feeds (default 1: every row its own stream at its west edge). A
   * channel enters at the west edge of the first of its rows and carries their weights (or
   * indices) in stream order, column by column and row by row, at the rows' combined rate.
   */
  readonly ioRowsPerChannel?: number;
  /** Records the data tasks when given. */
  readonly recorder?: TaskRecorder;
  /** Samples the rows' queues and links when given. */
  readonly sampler?: OccupancySampler;
}

/**
 * The machine's figures for a group of T tokens per PE: the MAC cycles of one AXPY or dot product
 * (as the row kernel counts them), the task overhead, the latencies, and queues as deep as a
 * link's round trip, so that they never bind.
 */
export function machineFigures(
  hw: HardwareConfig,
  tokensPerPe: number,
): Pick<
  GroupShape,
  'macCycles' | 'overheadCycles' | 'hopLatencyCycles' | 'rampLatencyCycles' | 'queueDepth'
> {
  return {
    macCycles: Math.ceil(tokensPerPe / macsPerCycle(hw)),
    overheadCycles: hw.taskOverheadCycles,
    hopLatencyCycles: hw.hopLatencyCycles,
    rampLatencyCycles: hw.rampLatencyCycles,
    queueDepth: fabricQueueWavelets(hw),
  };
}

/** The group's fabric, with `colors` colors. */
export function groupFabric(g: GroupShape, colors: number): Fabric {
  return new Fabric({
    rows: g.rows,
    cols: g.cols,
    colors,
    hopLatencyCycles: g.hopLatencyCycles,
    rampLatencyCycles: g.rampLatencyCycles,
    queueDepth: g.queueDepth,
    ...(g.recorder ? { recorder: g.recorder } : {}),
    ...(g.sampler ? { sampler: g.sampler } : {}),
  });
}

/**
 * The group as the row kernels read it: their parameters (the stream at `cyclesPerWeight` per
 * row, so the group's at that over R) and the counts column-major (row r of column j at j · R + r).
 */
export function rowKernelInput(
  g: GroupShape,
  cyclesPerWeight: number,
): { params: RowKernelParams; counts: GroupCounts } {
  const counts = new Uint32Array(g.rows * g.n);
  for (let r = 0; r < g.rows; r++)
    for (let j = 0; j < g.n; j++) counts[j * g.rows + r] = g.counts[r * g.n + j]!;
  return {
    params: {
      rowsPerGroup: g.rows,
      tokensPerPe: g.tokensPerPe,
      macCycles: g.macCycles,
      overheadCycles: g.overheadCycles,
      addCycles: g.tokensPerPe,
      hopCycles: 2 * g.rampLatencyCycles + 2 * g.hopLatencyCycles,
      multicastHopCycles: g.hopLatencyCycles,
      rampCycles: g.rampLatencyCycles,
      rowPes: g.cols,
      queueWavelets: g.queueDepth,
      ioCyclesPerWeight: cyclesPerWeight / g.rows,
      ioRowsPerChannel: g.ioRowsPerChannel ?? 1,
      buffers: g.buffers,
    },
    counts: { counts, stride: 1, colStep: g.rows, countRows: g.rows, colStart: 0, colEnd: g.n },
  };
}

/** The colors an I/O channel's rows use: one per row of a channel, from `firstColor` on. */
export function ioColorCount(g: GroupShape): number {
  return Math.min(g.ioRowsPerChannel ?? 1, g.rows);
}

/** The color of row r's weights (or indices) from its I/O channel. */
export function ioColor(g: GroupShape, firstColor: number, r: number): number {
  return firstColor + (r % (g.ioRowsPerChannel ?? 1));
}

/**
 * The wafer I/O of a group: one channel per `ioRowsPerChannel` rows, entering at the west edge of
 * its first row and carrying its rows' values column by column, row by row, at the rows'
 * combined rate (`cyclesPerRowValue` per value of one row). At the west column a value goes
 * south to its row, then east along the row and down to every PE (multicast). `valuesOf(r, j)`
 * gives row r's values of column j in order.
 */
export function routeIoChannels(
  fabric: Fabric,
  g: GroupShape,
  firstColor: number,
  valuesOf: (r: number, j: number) => readonly number[],
  cyclesPerRowValue: number,
): void {
  const per = g.ioRowsPerChannel ?? 1;
  for (let r0 = 0; r0 < g.rows; r0 += per) {
    const r1 = Math.min(g.rows, r0 + per);
    for (let r = r0; r < r1; r++) {
      const own = ioColor(g, firstColor, r);
      for (let c = 0; c < g.cols; c++) {
        const pe = fabric.at(r, c);
        const along = c < g.cols - 1 ? [EAST, RAMP] : [RAMP];
        if (c > 0) {
          fabric.route(pe, own, WEST, along);
          continue;
        }
        // The west column: from the channel (its first row) or from the row above; this row's
        // values turn east, the rows below go on south.
        const input = r === r0 ? WEST : NORTH;
        fabric.route(pe, own, input, along);
        for (let below = r + 1; below < r1; below++)
          fabric.route(pe, ioColor(g, firstColor, below), input, [SOUTH]);
      }
    }
    const values: number[] = [];
    const colors: number[] = [];
    for (let j = 0; j < g.n; j++) {
      for (let r = r0; r < r1; r++) {
        for (const v of valuesOf(r, j)) {
          values.push(v);
          colors.push(ioColor(g, firstColor, r));
        }
      }
    }
    const rate = cyclesPerRowValue / (r1 - r0);
    if (rate < 1) {
      throw new Error(
        `wavelet I/O: a channel of ${r1 - r0} rows at ${cyclesPerRowValue} cycles per value of a row needs more than one wavelet per cycle`,
      );
    }
    fabric.inject(fabric.at(r0, 0), WEST, colors, values, rate);
  }
}
