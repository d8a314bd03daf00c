/**
 * Chooses the tiling of a streamed GEMM, SDDMM or on-wafer product (DESIGN §5) by searching every
 * row-group count G and keeping the fastest that fits, by the compiler's analytical cost model.
 * The model (cycles per output column, steady state; the simulator measures the real thing):
 *   compute   = kSlice · density · (ceil(tokensPerPe / SIMD) + task overhead)   one AXPY per non-zero
 *               + tokensPerPe    the PE adds the column's arriving partial sums, one wavelet per
 *                                cycle (an SDDMM stores the broadcast output-gradient column, the
 *                                same count, and adds one partial per non-zero along the row)
 *   reduction = tokensPerPe          partial sums down the group's chain, one wavelet per cycle
 *               (for an SDDMM: the output gradient column broadcast down the group, same count)
 *   io        = G · K · density / weights per I/O cycle     every group takes a column at once
 * plus fill and drain: the chain latency (Luczynski et al.: (2·T_R + 2) per hop, cs2-facts §13),
 * one multicast across the active columns and, for an SDDMM, the row sums coming back along them.
 */
import type { HardwareConfig } from '../../hardware/hardware-config.ts';
import { accumulatorBytes, ioWeightsPerCycle, macsPerCycle } from '../../hardware/machine-rates.ts';
import type { BoundingLimit, MatmulTiling } from './placed-program.ts';

export interface MatmulProblem {
  readonly kernel: MatmulTiling['kernel'];
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly density: number;
  readonly transposed: boolean;
  readonly fromIo: boolean;
}

export interface MatmulEstimate {
  readonly tiling: MatmulTiling;
  readonly workingBytes: number;
  readonly perColumn: { readonly compute: number; readonly reduction: number; readonly io: number };
  readonly fillCycles: number;
  readonly cycles: number;
  readonly boundBy: BoundingLimit;
}

/** Tokens per PE when the micro-batch's tokens are spread over the mesh columns. */
export function tokensPerPe(m: number, meshCols: number): number {
  return Math.ceil(m / meshCols);
}

/** Cycles of one AXPY (or dot product) over a PE's tokens, including the task start-up. */
export function axpyCycles(hw: HardwareConfig, tokens: number): number {
  return Math.ceil(tokens / macsPerCycle(hw)) + hw.taskOverheadCycles;
}

/** Cycles for a chain of `pes` PEs to pass one wavelet end to end (cs2-facts §13). */
export function chainLatencyCycles(hw: HardwareConfig, pes: number): number {
  return (2 * hw.rampLatencyCycles + 2 * hw.hopLatencyCycles) * Math.max(0, pes - 1);
}

export function estimateMatmul(hw: HardwareConfig, p: MatmulProblem, rowGroups: number): MatmulEstimate {
  const tpp = tokensPerPe(p.m, hw.meshCols);
  const activeCols = Math.ceil(p.m / tpp);
  const rowsPerGroup = Math.floor(hw.meshRows / rowGroups);
  const kSlice = Math.ceil(p.k / rowsPerGroup);
  const colsPerGroup = Math.ceil(p.n / rowGroups);
  const buffers = p.kernel === 'sddmm' ? hw.sddmmColumnBuffers : hw.gemmAccumulators;
  const tiling: MatmulTiling = {
    kernel: p.kernel,
    m: p.m,
    k: p.k,
    n: p.n,
    density: p.density,
    transposed: p.transposed,
    fromIo: p.fromIo,
    rowGroups,
    rowsPerGroup,
    kSlice,
    colsPerGroup,
    tokensPerPe: tpp,
    activeCols,
    buffers,
  };
  // Operand slice, the accumulators (or an SDDMM's output-gradient column buffers, FP16), the
  // output rows this PE keeps after the reduction, and the weight queue.
  const bufferBytes = p.kernel === 'sddmm' ? 2 : accumulatorBytes(hw);
  const workingBytes =
    tpp * kSlice * 2 +
    buffers * tpp * bufferBytes +
    tpp * Math.ceil(colsPerGroup / rowsPerGroup) * 2 +
    hw.weightFifoWavelets * 4;
  const rowSum = p.kernel === 'sddmm' && activeCols > 1 ? 1 : 0;
  const compute = kSlice * p.density * (axpyCycles(hw, tpp) + rowSum) + tpp;
  const reduction = tpp;
  const io = p.fromIo ? (rowGroups * p.k * p.density) / ioWeightsPerCycle(hw, p.density < 1) : 0;
  // Back along the row's PEs: a chain hop and an add per PE.
  const rowSums = rowSum * (chainLatencyCycles(hw, activeCols) + activeCols - 1);
  const fillCycles = chainLatencyCycles(hw, rowsPerGroup) + activeCols * hw.hopLatencyCycles + tpp + rowSums;
  const steady = Math.max(compute, reduction, io);
  const boundBy: BoundingLimit =
    steady === compute ? 'compute' : steady === io ? 'io' : p.kernel === 'sddmm' ? 'broadcast' : 'reduction';
  return {
    tiling,
    workingBytes,
    perColumn: { compute, reduction, io },
    fillCycles,
    cycles: colsPerGroup * steady + fillCycles,
    boundBy,
  };
}

export type MatmulChoice =
  | {
      readonly ok: true;
      readonly best: MatmulEstimate;
      readonly considered: number;
      readonly feasible: number;
      readonly runnerUp?: MatmulEstimate;
    }
  | { readonly ok: false; readonly smallestWorkingBytes: number; readonly considered: number };

/** Searches G = 1 … min(meshRows, n); a tiling fits when resident + working ≤ SRAM per PE. */
export function chooseMatmulTiling(
  hw: HardwareConfig,
  p: MatmulProblem,
  residentBytes: number,
  onlyGroups?: number,
): MatmulChoice {
  const budget = hw.sramBytesPerPe - hw.reservedSramBytesPerPe - residentBytes;
  let best: MatmulEstimate | undefined;
  let runnerUp: MatmulEstimate | undefined;
  let feasible = 0;
  let smallestWorkingBytes = Number.POSITIVE_INFINITY;
  const maxGroups = Math.min(hw.meshRows, p.n);
  // A remainder micro-batch keeps the main one's row groups: same k-slices, same mask counts.
  const first = onlyGroups ?? 1;
  const last = onlyGroups ?? maxGroups;
  for (let g = first; g <= last; g++) {
    const e = estimateMatmul(hw, p, g);
    smallestWorkingBytes = Math.min(smallestWorkingBytes, e.workingBytes);
    if (e.workingBytes > budget) continue;
    feasible++;
    if (!best || e.cycles < best.cycles) {
      runnerUp = best;
      best = e;
    } else if (!runnerUp || e.cycles < runnerUp.cycles) {
      runnerUp = e;
    }
  }
  if (!best) return { ok: false, smallestWorkingBytes, considered: maxGroups };
  return { ok: true, best, considered: maxGroups, feasible, ...(runnerUp ? { runnerUp } : {}) };
}
