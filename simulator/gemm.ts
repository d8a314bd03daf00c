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
import { type Counters, totalCycles, zeroCycles } from './counters.ts';
import { denseRowCounts } from './engine/mask-counts.ts';
import { rowKernelParams, simulateMatmul } from './engine/simulate-node.ts';
import type { OccupancySampler, TaskRecorder } from './wavelet/fabric.ts';
import { simulateWaveletGemmGroup } from './wavelet/gemm.ts';
import { machineFigures } from './wavelet/group.ts';

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
  /**
   * `row` (default) or `wavelet`: every row group simulated PE by PE on the fabric
   * (simulator/wavelet/gemm.ts). The wavelet cycles replace the row kernel's; the work counters
   * (MACs, bytes) are the same, and the cycles are not split by cause (all under `compute`).
   */
  readonly fidelity?: 'row' | 'wavelet';
  /** With the wavelet fidelity: record the PEs' data tasks for a timeline (up to a limit). */
  readonly trace?: boolean;
}

/**
 * The data tasks of a wavelet run and its rows' queue and link samples, group by group
 * (tasks[from, to) and samples[samplesFrom, samplesTo) are group `group`'s).
 */
export interface WaveletTrace {
  readonly recorder: TaskRecorder;
  readonly sampler: OccupancySampler;
  readonly groups: readonly {
    group: number;
    rows: number;
    cols: number;
    from: number;
    to: number;
    samplesFrom: number;
    samplesTo: number;
  }[];
}

/** Tasks a wavelet trace records per run (dense, sparse) before it stops: a file of tens of MB. */
export const TRACE_TASK_LIMIT = 150_000;
/** Queue and link samples (one per mesh row) a wavelet trace records per run. */
export const TRACE_SAMPLE_LIMIT = 50_000;

export interface GemmRun {
  readonly tiling: MatmulTiling;
  readonly cycles: number;
  readonly counters: Counters;
  /** The wavelet fidelity's data tasks, when asked for. */
  readonly trace?: WaveletTrace;
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

  const wavelet = input.fidelity === 'wavelet';
  const denseTiling = place(hw, { ...problem, density: 1 });
  const denseCounts = denseRowCounts(k, denseTiling.kSlice);
  const denseNode = simulateMatmul(hw, denseTiling, denseCounts);
  const dense = wavelet
    ? waveletRun(hw, denseTiling, denseNode.counters, (s) => denseCounts.perRow[s]!, input.trace)
    : { tiling: denseTiling, cycles: totalCycles(denseNode.counters), counters: denseNode.counters };
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
  const sparse = wavelet
    ? waveletRun(
        hw,
        sparseTiling,
        sparseNode.counters,
        (slice, col) => counts!.counts[col * counts!.slices + slice]!,
        input.trace,
      )
    : { tiling: sparseTiling, cycles: totalCycles(sparseNode.counters), counters: sparseNode.counters };
  return { m, k, n, sparsity, nonZeros, dense, sparse };
}

/**
 * Events the wavelet fidelity may simulate for one GEMM: tasks (an AXPY per weight and PE) and
 * partial-sum wavelets (tokens per PE, per column, per PE). About 10^8 take a minute or two here.
 */
export const MAX_WAVELET_EVENTS = 2e8;

/**
 * Every row group of the GEMM on the wavelet fabric (groups are independent: the slowest sets the
 * time). `countOf(slice, column)` gives a k-slice's weights in an output column.
 */
function waveletRun(
  hw: HardwareConfig,
  t: MatmulTiling,
  rowCounters: Counters,
  countOf: (slice: number, column: number) => number,
  trace = false,
): GemmRun {
  const slices = Math.ceil(t.k / t.kSlice);
  const figures = machineFigures(hw, t.tokensPerPe);
  // The group's rows share its I/O: each row's stream gets its part of the row kernel's rate (a
  // stream per row, not the 16-row channels: see simulator/wavelet/sample.ts).
  const cyclesPerWeight = Math.max(1, rowKernelParams(hw, t).ioCyclesPerWeight * t.rowsPerGroup);
  const events =
    t.activeCols * t.rowGroups * t.rowsPerGroup * t.colsPerGroup * (t.tokensPerPe + t.kSlice * t.density);
  if (events > MAX_WAVELET_EVENTS) {
    throw inputError(
      'too-large',
      'fidelity',
      `too large for the wavelet fidelity: about ${events.toExponential(1)} tasks and wavelets (${t.rowGroups} row groups of ` +
        `${t.rowsPerGroup} × ${t.activeCols} PEs, ${t.tokensPerPe} tokens per PE, ${t.colsPerGroup} columns each), more than ` +
        `${MAX_WAVELET_EVENTS.toExponential(0)}; use fewer tokens (--m) or a smaller mesh (--set hardware.meshRows=…, hardware.meshCols=…)`,
    );
  }
  let cycles = 0;
  const recorder: TaskRecorder | undefined = trace
    ? { limit: TRACE_TASK_LIMIT, tasks: [], dropped: 0 }
    : undefined;
  // About TRACE_SAMPLE_LIMIT / 2 samples over the run, by the row fidelity's estimate of its length.
  const sampler: OccupancySampler | undefined = trace
    ? {
        interval: Math.max(
          16,
          Math.ceil((totalCycles(rowCounters) * t.rowsPerGroup * t.rowGroups) / (TRACE_SAMPLE_LIMIT / 2)),
        ),
        limit: TRACE_SAMPLE_LIMIT,
        samples: [],
        dropped: 0,
      }
    : undefined;
  const groups: WaveletTrace['groups'][number][] = [];
  for (let g = 0; g < t.rowGroups; g++) {
    const colStart = g * t.colsPerGroup;
    const colEnd = Math.min(t.n, colStart + t.colsPerGroup);
    if (colEnd <= colStart) continue;
    const n = colEnd - colStart;
    const counts = new Uint32Array(t.rowsPerGroup * n);
    for (let r = 0; r < Math.min(slices, t.rowsPerGroup); r++) {
      for (let j = 0; j < n; j++) counts[r * n + j] = countOf(r, colStart + j);
    }
    const run = simulateWaveletGemmGroup({
      rows: t.rowsPerGroup,
      cols: t.activeCols,
      tokensPerPe: t.tokensPerPe,
      counts,
      n,
      ...figures,
      buffers: t.buffers,
      cyclesPerWeight,
      ...(recorder ? { recorder } : {}),
      ...(sampler ? { sampler } : {}),
    });
    if (recorder && sampler) {
      const last = groups.at(-1);
      groups.push({
        group: g,
        rows: t.rowsPerGroup,
        cols: t.activeCols,
        from: last?.to ?? 0,
        to: recorder.tasks.length,
        samplesFrom: last?.samplesTo ?? 0,
        samplesTo: sampler.samples.length,
      });
    }
    cycles = Math.max(cycles, run.cycles);
  }
  const z = zeroCycles();
  return {
    tiling: t,
    cycles,
    counters: { ...rowCounters, cycles: { ...z, compute: cycles } },
    ...(recorder && sampler ? { trace: { recorder, sampler, groups } } : {}),
  };
}
