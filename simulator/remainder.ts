/**
 * The remainder micro-batch (a modelling decision, issue 9). A step of 512 sequences at most 57 per
 * micro-batch runs 8 × 57 + 56: two programs with the same row groups and k-slices, whose sparse
 * matmuls differ only in the tokens each PE holds (118 against 116). Simulating the second one
 * doubles the cost of every sparse matrix for one micro-batch in nine. Instead, when the remainder
 * holds at least REMAINDER_SCALE_MIN of the main micro-batch's tokens per PE, a sparse matmul of
 * the remainder takes the main one's simulated cycles scaled by the ratio of their analytical
 * estimates (the compiler's cost model, which sees the tokens per PE through ceil(tokens / SIMD)
 * and the reduction length), and its exact MAC counts. The error this leaves is measured against
 * full simulation in the tests and in simulator/README.md; a remainder further from the main micro-batch
 * is simulated in full.
 */
import type { MatmulTiling, Placement } from '../compiler/place/placed-program.ts';
import { type Counters, STALL_CAUSES, zeroCycles } from './counters.ts';
import type { TaskResult } from './units.ts';

/** The smallest ratio of remainder to main tokens per PE whose sparse matmuls are scaled. */
export const REMAINDER_SCALE_MIN = 0.9;

/** A remainder task derived from the main micro-batch's: where it comes from and how it is placed. */
export interface ScaledTask {
  readonly from: string;
  readonly main: Placement;
  readonly remainder: Placement;
}

export function scalesRemainder(mainTokensPerPe: number, remainderTokensPerPe: number): boolean {
  return remainderTokensPerPe >= REMAINDER_SCALE_MIN * mainTokensPerPe;
}

/** The remainder's result from the main micro-batch's: times by the estimate ratio, MACs exactly. */
export function scaleRemainderResult(main: TaskResult, task: ScaledTask, key: string): TaskResult {
  const a = task.main.tiling as MatmulTiling;
  const b = task.remainder.tiling as MatmulTiling;
  const ratio = task.remainder.estimatedCycles / task.main.estimatedCycles;
  const c = main.counters;
  const cycles = zeroCycles();
  for (const cause of STALL_CAUSES) cycles[cause] = c.cycles[cause] * ratio;
  const nonZeros = c.macsIssued / a.m;
  const issued = nonZeros * b.m;
  const columnsRatio = b.activeCols / a.activeCols;
  const counters: Counters = {
    cycles,
    macsIssued: issued,
    macsSkipped: b.k * b.n * b.m - issued,
    weightsStreamed: c.weightsStreamed,
    fabricWavelets: c.fabricWavelets * (b.tokensPerPe / a.tokensPerPe) * columnsRatio,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    peBusyCycles: c.peBusyCycles * ratio * columnsRatio,
  };
  return { key, counters, rowBusy: main.rowBusy.map((x) => x * ratio), activeCols: b.activeCols };
}
