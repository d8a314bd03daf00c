/**
 * Simulates one placed node of the dataflow graph and returns its counters (DESIGN §6). A pure
 * function of (node, placement, hardware, counts): the same inputs give the same counters in any
 * thread. Matmuls run the row-pipeline kernels group by group; element-wise ops and I/O streams
 * are single-stage and cost what their placement computes.
 */
import type { DataflowNode } from '../../compiler/ir/graph.ts';
import { elementwiseCycles } from '../../compiler/place/place-node.ts';
import type { MatmulTiling, Placement } from '../../compiler/place/placed-program.ts';
import type { HardwareConfig } from '../../hardware/hardware-config.ts';
import {
  fabricQueueWavelets,
  IO_CHANNEL_ROWS,
  ioBitsPerCycle,
  ioWeightsPerCycle,
  macsPerCycle,
} from '../../hardware/machine-rates.ts';
import type { SliceCounts } from '../../models/masks/multi-tiling.ts';
import { type Counters, zeroCounters, zeroCycles } from '../counters.ts';
import { sampleGroup, type WaveletSample } from '../wavelet/sample.ts';
import type { RowCounts } from './mask-counts.ts';
import { createScratch, type GroupTiming, type RowKernelParams, simulateGemmGroup } from './row-pipeline.ts';
import { simulateSddmmGroup } from './sddmm-pipeline.ts';

export interface NodeResult {
  readonly counters: Counters;
  /** Datapath busy cycles of each mesh row (every active PE of a row does the same work). */
  readonly rowBusy: Float64Array;
  /** Mesh columns that hold tokens: the PEs of a row beyond these are idle. */
  readonly activeCols: number;
  /** With the wavelet fidelity: the sampled region its cycles were scaled by. */
  readonly wavelet?: WaveletSample;
}

export function rowKernelParams(hw: HardwareConfig, t: MatmulTiling): RowKernelParams {
  const perHop = 2 * hw.rampLatencyCycles + 2 * hw.hopLatencyCycles;
  const macCycles = Math.ceil(t.tokensPerPe / macsPerCycle(hw));
  let ioCyclesPerWeight = 0;
  if (t.fromIo) {
    // Each group is fed by the I/O channels along its own rows (cs2-facts §2: channels enter
    // every ~16 rows on the east and west edges), so it gets its rows' share of the bandwidth.
    const share = t.rowsPerGroup / hw.meshRows;
    const rate =
      t.kernel === 'sddmm'
        ? ioBitsPerCycle(hw) / Math.max(hw.weightValueBits, t.density < 1 ? hw.weightIndexBits : 0)
        : ioWeightsPerCycle(hw, t.density < 1);
    ioCyclesPerWeight = 1 / (rate * share);
  }
  return {
    rowsPerGroup: t.rowsPerGroup,
    tokensPerPe: t.tokensPerPe,
    macCycles,
    overheadCycles: hw.taskOverheadCycles,
    // Partial sums (GEMM) and output-gradient columns (SDDMM) arrive one FP32 wavelet per cycle,
    // and the PE handles each as it comes: a column costs its tokens in cycles either way.
    addCycles: t.tokensPerPe,
    hopCycles: perHop,
    multicastHopCycles: hw.hopLatencyCycles,
    rampCycles: hw.rampLatencyCycles,
    rowPes: t.activeCols,
    queueWavelets: fabricQueueWavelets(hw),
    ioCyclesPerWeight,
    ioRowsPerChannel: IO_CHANNEL_ROWS,
    buffers: t.buffers,
  };
}

/**
 * Runs every row group of a matmul over its counts (a mask's tile counts, or one count per row for
 * a dense operand); the slowest group sets the time.
 */
export function simulateMatmul(
  hw: HardwareConfig,
  t: MatmulTiling,
  counts: SliceCounts | RowCounts,
  options: { readonly denseWork?: boolean; readonly fidelity?: 'row' | 'wavelet' } = {},
): NodeResult {
  const layout =
    'perRow' in counts
      ? { counts: counts.perRow, stride: 1, colStep: 0, countRows: counts.perRow.length }
      : { counts: counts.counts, stride: 1, colStep: counts.slices, countRows: counts.slices };
  const p = rowKernelParams(hw, t);
  const scratch = createScratch(t.rowsPerGroup, t.buffers);
  const run = t.kernel === 'sddmm' ? simulateSddmmGroup : simulateGemmGroup;
  const rowBusy = new Float64Array(hw.meshRows);
  let slowest: GroupTiming | undefined;
  let slowestColumns = { colStart: 0, colEnd: 0 };
  let nonZeros = 0;
  let wavelets = 0;
  for (let g = 0; g < t.rowGroups; g++) {
    const colStart = g * t.colsPerGroup;
    const colEnd = Math.min(t.n, colStart + t.colsPerGroup);
    if (colStart >= colEnd) continue;
    const timing = run(p, { ...layout, colStart, colEnd }, scratch);
    rowBusy.set(timing.rowBusy, g * t.rowsPerGroup);
    nonZeros += timing.nonZeros;
    wavelets += timing.fabricWavelets;
    if (!slowest || timing.endCycle > slowest.endCycle) {
      slowest = timing;
      slowestColumns = { colStart, colEnd };
    }
  }
  const cycles = zeroCycles();
  if (slowest) {
    const c = slowest.critical;
    const meanBusy = slowest.meanMacCycles + slowest.meanOverheadCycles;
    cycles.compute = slowest.meanMacCycles;
    cycles.overhead = slowest.meanOverheadCycles;
    cycles.imbalance = Math.max(0, c.busy - meanBusy); // the mean of equal rows can round above them
    cycles.io = c.ioWait;
    cycles.reduction = c.reductionWait;
    // The kernels' drain includes the multicast across the row's PEs (and an SDDMM's row sums).
    cycles.fillDrain = c.fill + c.drain;
  }
  // The wavelet fidelity: the slowest group's sampled region on both fidelities, every cause
  // scaled by their ratio (simulator/wavelet/sample.ts).
  let wavelet: WaveletSample | undefined;
  if (options.fidelity === 'wavelet' && slowest) {
    wavelet = sampleGroup(hw, t, layout, slowestColumns.colStart, slowestColumns.colEnd, p);
    const ratio = wavelet.rowCycles > 0 ? wavelet.waveletCycles / wavelet.rowCycles : 1;
    for (const cause of Object.keys(cycles) as (keyof typeof cycles)[]) cycles[cause] *= ratio;
  }
  if (t.kernel === 'attention' || options.denseWork) {
    // Work sparsity cannot touch (DESIGN §6): activation × activation products, the LM head,
    // weights the sparsity spec leaves dense. Its cycles are all `dense`, whatever held them up.
    let all = 0;
    for (const cause of Object.keys(cycles) as (keyof typeof cycles)[]) {
      all += cycles[cause];
      cycles[cause] = 0;
    }
    cycles.dense = all;
  }
  const denseMacs = t.k * t.n * t.m;
  const issued = nonZeros * t.m;
  let busyPes = 0;
  for (let r = 0; r < hw.meshRows; r++) busyPes += rowBusy[r]!;
  const valueBytes = hw.weightValueBits / 8;
  const indexBytes = t.density < 1 ? hw.weightIndexBits / 8 : 0;
  const counters: Counters = {
    ...zeroCounters(),
    cycles,
    macsIssued: issued,
    macsSkipped: denseMacs - issued,
    weightsStreamed: t.fromIo ? nonZeros : 0,
    fabricWavelets: wavelets * t.activeCols,
    bytesIn: !t.fromIo
      ? 0
      : t.kernel === 'sddmm'
        ? nonZeros * indexBytes
        : nonZeros * (valueBytes + indexBytes),
    bytesOut: t.fromIo && t.kernel === 'sddmm' ? nonZeros * valueBytes : 0,
    peBusyCycles: busyPes * t.activeCols,
  };
  return { counters, rowBusy, activeCols: t.activeCols, ...(wavelet ? { wavelet } : {}) };
}

/** Element-wise ops, I/O streams and the optimizer: single-stage costs from the placement. */
export function simulateSimple(hw: HardwareConfig, node: DataflowNode, placement: Placement): NodeResult {
  const t = placement.tiling;
  const cycles = zeroCycles();
  const rowBusy = new Float64Array(hw.meshRows);
  let activeCols = 0;
  let bytesIn = 0;
  let bytesOut = 0;
  let peBusy = 0;
  if (t.kernel === 'elementwise') {
    const tokens = node.op === 'softmax' ? node.shape[0]! * node.shape[2]! : node.shape[0]!;
    const tpp = Math.ceil(tokens / hw.meshCols);
    activeCols = Math.ceil(tokens / tpp);
    const c = elementwiseCycles(hw, t, tpp);
    cycles.dense = c;
    const vector = Math.ceil((t.elementsPerPe * t.opsPerElement) / macsPerCycle(hw));
    rowBusy.fill(vector);
    peBusy = vector * hw.meshRows * activeCols;
  } else if (t.kernel === 'stream-in') {
    cycles.io = (t.bytes * 8) / ioBitsPerCycle(hw);
    bytesIn = t.bytes;
  } else if (t.kernel === 'stream-out') {
    // Gradients leave while the next op computes (the I/O is full duplex); only the last ones of a
    // step wait, and the step assembly charges those to the bubble.
    bytesOut = t.bytes;
  } else if (t.kernel === 'optimizer-bubble') {
    cycles.bubble = t.seconds * hw.clockHz;
  } else {
    throw new Error(`simulateSimple: ${node.id} has a matmul placement`);
  }
  return {
    counters: { ...zeroCounters(), cycles, bytesIn, bytesOut, peBusyCycles: peBusy },
    rowBusy,
    activeCols,
  };
}
