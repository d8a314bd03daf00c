/**
 * One streamed GEMM, Y[M×N] = X[M×K] · W[K×N], simulated dense and at a sparsity on the same
 * hardware (DESIGN §9 `wafersim gemm`): what the CS-2 calibration points measure.
 */

import type { MatmulTiling } from '../compiler/place/placed-program.ts';
import { chooseMatmulTiling, type MatmulProblem } from '../compiler/place/tile-matmul.ts';
import type { HardwareConfig } from '../hardware/hardware-config.ts';
import { inputError } from '../models/diagnostics.ts';
import { drawMaskTilings } from '../models/masks/multi-tiling.ts';
import { randomStream } from '../models/random-streams.ts';
import { parsePattern } from '../models/sparsity.ts';
import { type Counters, totalCycles } from './counters.ts';
import { denseRowCounts } from './engine/mask-counts.ts';
import { simulateMatmul } from './engine/simulate-node.ts';

/**
 * Tokens on the wafer for the calibration GEMM: 88 sequences × 2,048, the micro-batch the Model
 * Zoo's GPT-3 XL config uses on a CS-2 "for best performance" (cs2-facts §5). The published
 * points do not say how many tokens they ran (cs2-facts §7a), so this is the documented choice.
 */
export const CALIBRATION_TOKENS = 88 * 2048;

export interface GemmInput {
  readonly k: number;
  readonly n: number;
  readonly m?: number;
  /** Fraction of zero weights in [0, 1). */
  readonly sparsity: number;
  readonly hardware: HardwareConfig;
  readonly pattern?: string;
  readonly seed?: number;
}

export interface GemmRun {
  readonly tiling: MatmulTiling;
  readonly cycles: number;
  readonly counters: Counters;
}

export interface GemmResult {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly sparsity: number;
  readonly nonZeros: number;
  readonly dense: GemmRun;
  readonly sparse: GemmRun;
}

function place(hw: HardwareConfig, p: MatmulProblem): MatmulTiling {
  const choice = chooseMatmulTiling(hw, p, 0);
  if (!choice.ok) {
    const over = choice.smallestWorkingBytes - hw.sramBytesPerPe;
    throw inputError(
      'infeasible',
      'gemm',
      `a ${p.k} × ${p.n} GEMM over ${p.m} tokens does not fit: the smallest tiling needs ${choice.smallestWorkingBytes} bytes per PE ` +
        `(${over > 0 ? `${over} over the ${hw.sramBytesPerPe} of SRAM` : 'more than is left after the runtime reservation'}); use fewer tokens (--m) or more PEs`,
    );
  }
  return choice.best.tiling;
}

export function simulateGemm(input: GemmInput): GemmResult {
  const hw = input.hardware;
  const m = input.m ?? CALIBRATION_TOKENS;
  const { k, n, sparsity } = input;
  const density = 1 - sparsity;
  const pattern = parsePattern(input.pattern ?? 'unstructured');
  if (!pattern) throw inputError('invalid-value', 'pattern', `unknown pattern '${input.pattern}'`);
  const problem = { kernel: 'streamed-gemm' as const, m, k, n, transposed: false, fromIo: true };

  const denseTiling = place(hw, { ...problem, density: 1 });
  const denseNode = simulateMatmul(hw, denseTiling, denseRowCounts(k, denseTiling.kSlice));
  const dense = {
    tiling: denseTiling,
    cycles: totalCycles(denseNode.counters),
    counters: denseNode.counters,
  };
  if (sparsity === 0) return { m, k, n, sparsity, nonZeros: k * n, dense, sparse: dense };
  const sparseTiling = place(hw, { ...problem, density });
  const rng = randomStream(input.seed ?? 0, 'mask', 'gemm');
  const [counts] = drawMaskTilings(
    k,
    n,
    density,
    pattern,
    rng,
    [{ kSlice: sparseTiling.kSlice, transposed: false }],
    'gemm',
  );
  let nonZeros = 0;
  for (const c of counts!.counts) nonZeros += c;
  // A matrix with no weight left has nothing to compare: its FLOP reduction would be unbounded.
  if (nonZeros === 0) {
    throw inputError(
      'invalid-value',
      'sparsity',
      `sparsity ${sparsity} keeps no weight of a ${k} × ${n} matrix (${k * n} weights at density ${Number(density.toPrecision(6))}): ` +
        'there is nothing left to multiply; use a lower sparsity or a larger matrix',
    );
  }
  const sparseNode = simulateMatmul(hw, sparseTiling, counts!);
  return {
    m,
    k,
    n,
    sparsity,
    nonZeros,
    dense,
    sparse: { tiling: sparseTiling, cycles: totalCycles(sparseNode.counters), counters: sparseNode.counters },
  };
}
