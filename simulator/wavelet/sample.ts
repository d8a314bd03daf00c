/**
 * `run --fidelity wavelet` (issue 12): the wavelet fidelity on a sampled region of each matmul
 * node. A whole node on the fabric is far too many events (a GPT-3 XL layer's matrix over its
 * 108 × 996 PEs), so the node's slowest row group, as the row fidelity finds it, is run on both
 * fidelities over a region: its rows, the first SAMPLE_PE_COLUMNS PE columns that hold tokens, and
 * its first output columns (as many as keep the region under SAMPLE_EVENTS events, at most
 * SAMPLE_OUTPUT_COLUMNS). The node's row-fidelity cycles are then scaled by the region's
 * wavelet / row ratio, every stall cause alike, so each report reads the same counters.
 *
 * The rest of the wafer enters as boundary conditions: each row of the region gets its share of
 * the group's I/O bandwidth as a stream of its own at its west edge (or, for operands already on
 * the wafer, one value per cycle), and the PE columns beyond the region would only lengthen the
 * multicast along the row, which both fidelities charge alike. (Not through the 16-row channels:
 * a channel carrying each row's weights of a column in one burst lets a busy row hold back the
 * others once a queue is full, which the row kernel's channels, fed into the kernel's weight
 * FIFO, do not; an interleaved stream order for the wavelet program is still to come.)
 */
import type { MatmulTiling } from '../../compiler/place/placed-program.ts';
import type { HardwareConfig } from '../../hardware/hardware-config.ts';
import type { GroupCounts, RowKernelParams } from '../engine/row-pipeline.ts';
import { gemmGroupRowModel, simulateWaveletGemmGroup } from './gemm.ts';
import { machineFigures } from './group.ts';
import { sddmmGroupRowModel, simulateWaveletSddmmGroup } from './sddmm.ts';

/** PE columns of the sampled region. */
export const SAMPLE_PE_COLUMNS = 2;
/** Output columns of the sampled region, at most. */
export const SAMPLE_OUTPUT_COLUMNS = 16;
/** Tasks and wavelets a region may take (about a tenth of a second on the fabric here). */
export const SAMPLE_EVENTS = 1e6;

export interface WaveletSample {
  readonly rowCycles: number;
  readonly waveletCycles: number;
  readonly rows: number;
  readonly peColumns: number;
  readonly outputColumns: number;
}

/**
 * Runs the region of group [colStart, colEnd) of a node on both fidelities. `counts` is the node's
 * layout as the row kernels read it; `params` its row-kernel parameters (for the I/O rate).
 */
export function sampleGroup(
  hw: HardwareConfig,
  t: MatmulTiling,
  counts: Omit<GroupCounts, 'colStart' | 'colEnd'>,
  colStart: number,
  colEnd: number,
  params: RowKernelParams,
): WaveletSample {
  const R = t.rowsPerGroup;
  const C = Math.max(1, Math.min(t.activeCols, SAMPLE_PE_COLUMNS));
  const T = t.tokensPerPe;
  const perColumn = R * C * (T + t.kSlice * t.density);
  const n = Math.max(
    1,
    Math.min(colEnd - colStart, SAMPLE_OUTPUT_COLUMNS, Math.floor(SAMPLE_EVENTS / perColumn)),
  );
  const region = new Uint32Array(R * n);
  for (let r = 0; r < Math.min(R, counts.countRows); r++) {
    for (let j = 0; j < n; j++)
      region[r * n + j] = counts.counts[r * counts.stride + (colStart + j) * counts.colStep]!;
  }
  // Each row's share of the group's stream; operands on the wafer arrive one per cycle per row.
  const perRow = t.fromIo ? Math.max(1, params.ioCyclesPerWeight * R) : 1;
  const shape = {
    rows: R,
    cols: C,
    tokensPerPe: T,
    counts: region,
    n,
    ...machineFigures(hw, T),
    buffers: t.buffers,
  };
  const [waveletCycles, rowCycles] =
    t.kernel === 'sddmm'
      ? [
          simulateWaveletSddmmGroup({ ...shape, cyclesPerIndex: perRow }).cycles,
          sddmmGroupRowModel({ ...shape, cyclesPerIndex: perRow }),
        ]
      : [
          simulateWaveletGemmGroup({ ...shape, cyclesPerWeight: perRow }).cycles,
          gemmGroupRowModel({ ...shape, cyclesPerWeight: perRow }),
        ];
  return { rowCycles, waveletCycles, rows: R, peColumns: C, outputColumns: n };
}
