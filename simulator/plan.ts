/**
 * Splits a compiled phase into simulation units (units.ts) and keeps the layout needed to put
 * their results back together in graph order (assemble.ts).
 */
import type { CompiledPhase } from '../compiler/pipeline.ts';
import { tokensPerPe } from '../compiler/place/tile-matmul.ts';
import type { BitMask } from '../models/masks/bit-mask.ts';
import { type ScaledTask, scalesRemainder } from './remainder.ts';
import type { SimUnit, UnitTask } from './units.ts';

/** Where each node's result lives: the task key, per micro-batch program, in graph order. */
export interface PhaseLayout {
  readonly microBatches: readonly { readonly count: number; readonly keys: readonly string[] }[];
  /** Remainder tasks not simulated but scaled from the main micro-batch's, by key (remainder.ts). */
  readonly scaled: ReadonlyMap<string, ScaledTask>;
}

export interface PhasePlan {
  readonly units: readonly SimUnit[];
  readonly layout: PhaseLayout;
}

/** Dense tasks per unit: enough to keep a worker busy, few enough to spread over workers. */
const DENSE_TASKS_PER_UNIT = 16;

export function planPhase(
  compiled: CompiledPhase,
  options: {
    seed: number;
    pattern: string;
    /** Weight kinds the sparsity spec makes sparse: the others are work sparsity cannot touch. */
    sparsifiable: ReadonlySet<string>;
    masks?: ReadonlyMap<string, BitMask>;
    /** 'simulate' simulates a remainder micro-batch in full even when it could be scaled. */
    readonly remainder?: 'scale' | 'simulate';
    /** 'wavelet': every matmul scaled by a sampled region on the wavelet fabric. */
    readonly fidelity?: 'row' | 'wavelet';
  },
): PhasePlan {
  const { program } = compiled;
  const hardware = program.hardware;
  const weightInfo = new Map(compiled.weights.map((w) => [w.name, w]));
  const matrixTasks = new Map<string, UnitTask[]>();
  const denseTasks = new Map<string, UnitTask>();
  const scaled = new Map<string, ScaledTask>();
  const main = program.microBatches[0]!;
  const mainPlacement = new Map(main.graph.nodes.map((node, i) => [node.id, main.placements[i]!]));
  const microBatches = program.microBatches.map((mb, b) => {
    const keys: string[] = [];
    const scale =
      b > 0 &&
      options.remainder !== 'simulate' &&
      scalesRemainder(
        tokensPerPe(main.graph.tokens, hardware.meshCols),
        tokensPerPe(mb.graph.tokens, hardware.meshCols),
      );
    mb.graph.nodes.forEach((node, i) => {
      const placement = mb.placements[i]!;
      const w = node.weight ? weightInfo.get(node.weight) : undefined;
      // The LM head is dense by the papers' recipe; a layer weight is dense work unless the spec
      // lists its kind (at level 0 it is sparsifiable work running dense, so it stays compute).
      const denseWork =
        node.op === 'lm-head' ||
        node.weight === 'embedding' ||
        node.weight === 'lm-head' ||
        (w !== undefined && !options.sparsifiable.has(w.kind));
      const sparseMatmul =
        w !== undefined && node.density < 1 && (node.op === 'linear' || node.op === 'sddmm');
      if (sparseMatmul && scale) {
        // The same node of the main program: its result, placement and estimate.
        const key = `${b}:${node.id}`;
        const from = mainPlacement.get(node.id);
        if (!from) throw new Error(`remainder node ${node.id} is not in the main micro-batch's graph`);
        scaled.set(key, { from: `0:${node.id}`, main: from, remainder: placement });
        keys.push(key);
        return;
      }
      if (sparseMatmul) {
        const key = `${b}:${node.id}`;
        const list = matrixTasks.get(w.name) ?? [];
        list.push({ key, node, placement, denseWork });
        matrixTasks.set(w.name, list);
        keys.push(key);
        return;
      }
      // Dense work depends only on what the node does and how it is placed: identical layers share it.
      const key = JSON.stringify([node.op, node.pass, node.shape, node.density, denseWork, placement.tiling]);
      if (!denseTasks.has(key)) denseTasks.set(key, { key, node, placement, denseWork });
      keys.push(key);
    });
    return { count: mb.count, keys };
  });

  const units: SimUnit[] = [];
  for (const [weight, tasks] of matrixTasks) {
    const w = weightInfo.get(weight)!;
    const mask = options.masks?.get(weight);
    units.push({
      kind: 'matrix',
      id: `matrix:${weight}`,
      hardware,
      weight,
      rows: w.rows,
      cols: w.cols,
      density: compiled.densities.get(weight) ?? 1,
      pattern: options.pattern,
      seed: options.seed,
      ...(mask ? { mask } : {}),
      tasks,
      ...(options.fidelity === 'wavelet' ? { fidelity: 'wavelet' as const } : {}),
    });
  }
  const dense = [...denseTasks.values()];
  for (let i = 0; i < dense.length; i += DENSE_TASKS_PER_UNIT) {
    units.push({
      kind: 'dense',
      id: `dense:${i / DENSE_TASKS_PER_UNIT}`,
      hardware,
      tasks: dense.slice(i, i + DENSE_TASKS_PER_UNIT),
      ...(options.fidelity === 'wavelet' ? { fidelity: 'wavelet' as const } : {}),
    });
  }
  return { units, layout: { microBatches, scaled } };
}
