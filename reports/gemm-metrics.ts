/**
 * The ratios of one simulated GEMM (DESIGN §9 `gemm --json`), derived from its cycle counts.
 */
import type { GemmResult } from '../simulator/gemm.ts';

export interface GemmMetrics {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly sparsity: number;
  readonly denseCycles: number;
  readonly sparseCycles: number;
  /** Dense cycles / sparse cycles. */
  readonly speedup: number;
  /** Dense MACs / issued MACs = K·N / non-zeros. */
  readonly flopReduction: number;
  /** speedup / flopReduction, a fraction. */
  readonly efficiency: number;
}

export function deriveGemmMetrics(r: GemmResult): GemmMetrics {
  const speedup = r.dense.cycles / r.sparse.cycles;
  const flopReduction = (r.k * r.n) / r.nonZeros;
  return {
    m: r.m,
    k: r.k,
    n: r.n,
    sparsity: r.sparsity,
    denseCycles: r.dense.cycles,
    sparseCycles: r.sparse.cycles,
    speedup,
    flopReduction,
    efficiency: speedup / flopReduction,
  };
}
