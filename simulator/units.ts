/**
 * The independent units a phase's simulation fans out into (DESIGN §6): one per sparse weight
 * matrix (its mask is drawn once and every pass that streams it is simulated against the same
 * non-zeros), and one per distinct dense node (identical layers simulate once). A unit is plain,
 * structured-cloneable data, and `simulateUnit` is a pure function of it: the same unit gives the
 * same result in the main thread or in any worker.
 */
import type { DataflowNode } from '../compiler/ir/graph.ts';
import type { MatmulTiling, Placement } from '../compiler/place/placed-program.ts';
import type { HardwareConfig } from '../hardware/hardware-config.ts';
import type { BitMask } from '../models/masks/bit-mask.ts';
import { countBitsForTilings, drawMaskTilings, type SliceTiling } from '../models/masks/multi-tiling.ts';
import { randomStream } from '../models/random-streams.ts';
import { parsePattern } from '../models/sparsity.ts';
import type { Counters } from './counters.ts';
import { denseRowCounts } from './engine/mask-counts.ts';
import { simulateMatmul, simulateSimple } from './engine/simulate-node.ts';
import type { WaveletSample } from './wavelet/sample.ts';

/** One node to simulate inside a unit: which placement, and under which key its result is stored. */
export interface UnitTask {
  /** `${microBatchIndex}:${nodeId}`, or a dense node's shared key. */
  readonly key: string;
  readonly node: DataflowNode;
  readonly placement: Placement;
  /** Work sparsity cannot touch (the LM head, weights the spec leaves dense): its cycles are `dense`. */
  readonly denseWork: boolean;
}

export type SimUnit =
  | {
      readonly kind: 'matrix';
      readonly id: string;
      readonly hardware: HardwareConfig;
      /** The weight as stored: [rows = in, cols = out]. */
      readonly weight: string;
      readonly rows: number;
      readonly cols: number;
      readonly density: number;
      readonly pattern: string;
      readonly seed: number;
      /** A real mask, when the workload imports one; otherwise the mask is drawn from the seed. */
      readonly mask?: BitMask;
      readonly tasks: readonly UnitTask[];
      /** 'wavelet': each matmul scaled by a sampled region on the wavelet fabric. */
      readonly fidelity?: 'row' | 'wavelet';
    }
  | {
      readonly kind: 'dense';
      readonly id: string;
      readonly hardware: HardwareConfig;
      readonly tasks: readonly UnitTask[];
      readonly fidelity?: 'row' | 'wavelet';
    };

export interface TaskResult {
  readonly key: string;
  readonly counters: Counters;
  readonly rowBusy: Float64Array;
  readonly activeCols: number;
  /** With the wavelet fidelity: the region the node's cycles were scaled by. */
  readonly wavelet?: WaveletSample;
}

export interface UnitResult {
  readonly id: string;
  readonly results: readonly TaskResult[];
  /** Milliseconds spent drawing masks and simulating: what to drive down next. */
  readonly drawMs: number;
  readonly simulateMs: number;
}

const isMatmul = (p: Placement): p is Placement & { tiling: MatmulTiling } =>
  p.tiling.kernel === 'streamed-gemm' || p.tiling.kernel === 'sddmm' || p.tiling.kernel === 'attention';

/** A rough size of a unit's work (weights drawn, row-column steps simulated), to schedule big ones first. */
export function estimateUnitWork(unit: SimUnit): number {
  let work = unit.kind === 'matrix' && !unit.mask ? unit.rows * unit.cols * unit.density : 0;
  for (const task of unit.tasks) {
    const t = task.placement.tiling;
    if (!('rowsPerGroup' in t)) work += 1;
    // A dense operand's columns turn periodic and are skipped after a few turns of the buffers.
    else if (unit.kind === 'dense')
      work += t.rowsPerGroup * t.rowGroups * Math.min(t.colsPerGroup, 4 * t.buffers + 4);
    else work += t.rowsPerGroup * t.n;
  }
  return work;
}

/**
 * The most one unit may hold at once (docs/limits.md): its per-tile counts, a bit mask when the
 * pattern is drawn as one (N:M, block) or imported, and the kernels' per-row state. Two units run
 * at once with two workers; 2 GiB each leaves room for the rest on a machine with a few GB. The
 * largest matrix of the largest model the presets hold (Llama-2 7B) needs about 10 MiB.
 */
export const UNIT_MEMORY_LIMIT_BYTES = 2 * 1024 ** 3;

/** Bytes one count of a tiling takes (createCountArray). */
function bytesPerCount(kSlice: number): number {
  return kSlice <= 0xff ? 1 : kSlice <= 0xffff ? 2 : 4;
}

/** What `simulateUnit` allocates for `unit`, at most (bytes): checked before anything runs. */
export function unitMemoryBytes(unit: SimUnit): number {
  let bytes = 0;
  const seen = new Set<string>();
  let rows = 0;
  for (const task of unit.tasks) {
    const t = task.placement.tiling;
    if (!('rowsPerGroup' in t)) continue;
    rows = Math.max(rows, unit.hardware.meshRows, t.rowsPerGroup * (t.buffers + 12));
    const key = `${t.kSlice}|${t.transposed}`;
    if (unit.kind === 'dense' || seen.has(key)) continue;
    seen.add(key);
    bytes += Math.ceil(t.k / t.kSlice) * t.n * bytesPerCount(t.kSlice);
  }
  if (unit.kind === 'matrix') {
    const pattern = parsePattern(unit.pattern);
    if (unit.mask || pattern?.kind !== 'unstructured') bytes += Math.ceil((unit.rows * unit.cols) / 8);
  }
  return bytes + rows * 8;
}

export function simulateUnit(unit: SimUnit): UnitResult {
  const hw = unit.hardware;
  const started = performance.now();
  const results: TaskResult[] = [];
  if (unit.kind === 'dense') {
    for (const task of unit.tasks) {
      const r = isMatmul(task.placement)
        ? simulateMatmul(hw, task.placement.tiling, denseCounts(task.placement.tiling), {
            denseWork: task.denseWork,
            ...(unit.fidelity ? { fidelity: unit.fidelity } : {}),
          })
        : simulateSimple(hw, task.node, task.placement);
      results.push({ key: task.key, ...r });
    }
    return { id: unit.id, results, drawMs: 0, simulateMs: performance.now() - started };
  }
  // Every pass's tiling of this matrix, counted from one mask.
  const tilings: SliceTiling[] = [];
  const tilingIndex = new Map<string, number>();
  const indexOf = (t: MatmulTiling) => {
    const key = `${t.kSlice}|${t.transposed}`;
    let i = tilingIndex.get(key);
    if (i === undefined) {
      i = tilings.length;
      tilings.push({ kSlice: t.kSlice, transposed: t.transposed });
      tilingIndex.set(key, i);
    }
    return i;
  };
  const matmulTasks = unit.tasks.map((task) => {
    if (!isMatmul(task.placement)) throw new Error(`unit ${unit.id}: ${task.node.id} is not a matmul`);
    return { task, tiling: task.placement.tiling, index: indexOf(task.placement.tiling) };
  });
  const pattern = parsePattern(unit.pattern);
  if (!pattern) throw new Error(`unit ${unit.id}: bad pattern ${unit.pattern}`);
  const counts = unit.mask
    ? countBitsForTilings(unit.mask, tilings)
    : drawMaskTilings(
        unit.rows,
        unit.cols,
        unit.density,
        pattern,
        randomStream(unit.seed, 'mask', unit.weight),
        tilings,
        unit.weight,
      );
  const drawn = performance.now();
  for (const { task, tiling, index } of matmulTasks) {
    results.push({
      key: task.key,
      ...simulateMatmul(hw, tiling, counts[index]!, {
        denseWork: task.denseWork,
        ...(unit.fidelity ? { fidelity: unit.fidelity } : {}),
      }),
    });
  }
  return { id: unit.id, results, drawMs: drawn - started, simulateMs: performance.now() - drawn };
}

/** Counts of a dense operand as the kernel reads it (K × N): every weight counts. */
function denseCounts(t: MatmulTiling) {
  return denseRowCounts(t.k, t.kSlice);
}
