/**
 * What the kernel programs of one row group share (gemm.ts, sddmm.ts): the group's shape and
 * machine figures, its fabric, and the same group as the `row` kernels read it.
 */
import type { HardwareConfig } from '../../hardware/hardware-config.ts';
import { fabricQueueWavelets, macsPerCycle } from '../../hardware/machine-rates.ts';
import type { GroupCounts, RowKernelParams } from '../engine/row-pipeline.ts';
import { Fabric, type TaskRecorder } from './fabric.ts';

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
  /** Records the data tasks when given. */
  readonly recorder?: TaskRecorder;
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
      buffers: g.buffers,
    },
    counts: { counts, stride: 1, colStep: g.rows, countRows: g.rows, colStart: 0, colEnd: g.n },
  };
}
