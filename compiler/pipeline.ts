/**
 * The compiler, as the list of its passes in order (STYLE: tinygrad's codegen). One workload
 * phase in, a `PlacedProgram` out, or the diagnostics of why it cannot be placed.
 */
import { dirname, isAbsolute } from 'node:path';
import type { Diagnostic } from '../models/diagnostics.ts';
import { type BitMask, countNonZeros } from '../models/masks/bit-mask.ts';
import { importMasks } from '../models/masks/mask-import.ts';
import type { SparsitySpec } from '../models/sparsity.ts';
import { layerWeights, matrixDensities, type WeightMatrix } from '../models/weights.ts';
import { levelAt, sequencesPerSystem, type Workload, type WorkloadPhase } from '../workloads/index.ts';
import type { DataflowGraph } from './ir/graph.ts';
import { verifyGraph } from './ir/verify.ts';
import { lowerTrainingStep } from './lower/lower-step.ts';
import { placeStepWithPolicy } from './place/choose-policy.ts';
import type { PlacedProgram } from './place/placed-program.ts';

export interface CompiledPhase {
  readonly phase: WorkloadPhase;
  /** The sparsity level this step was compiled at. */
  readonly level: number;
  readonly weights: readonly WeightMatrix[];
  /** Fraction of non-zeros of each matrix (from the spec, or measured on imported masks). */
  readonly densities: ReadonlyMap<string, number>;
  /** The imported masks, when the workload names a mask file (the simulator counts their bits). */
  readonly masks?: ReadonlyMap<string, BitMask>;
  readonly program: PlacedProgram;
  /** Systems in data parallel: the program is one system's share of the global batch. */
  readonly systems: number;
}

export type CompileResult =
  | { readonly ok: true; readonly phases: readonly CompiledPhase[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Where relative mask paths in a workload resolve from: the workload file's folder. */
function workloadDir(workload: Workload): string {
  return isAbsolute(workload.source) ? dirname(workload.source) : process.cwd();
}

/** The phase's level at a fraction of its tokens (a gradual schedule ramps; a constant does not). */
export function phaseLevel(workload: Workload, phase: WorkloadPhase, fraction = 1): number {
  return levelAt(phase, workload.sparsity, fraction);
}

/** Densities of the matrices: as the spec says, or counted on the masks of a file. */
function resolveDensities(
  workload: Workload,
  spec: SparsitySpec,
  weights: readonly WeightMatrix[],
): { densities: Map<string, number>; masks?: Map<string, BitMask> } {
  if (spec.source.kind !== 'file' || spec.level === 0) return { densities: matrixDensities(weights, spec) };
  const masks = importMasks(spec.source, weights, workloadDir(workload), { heads: workload.model.heads });
  const densities = new Map<string, number>();
  for (const w of weights) {
    const mask = masks.get(w.name);
    densities.set(w.name, mask ? countNonZeros(mask) / (w.rows * w.cols) : 1);
  }
  return { densities, masks };
}

/** Throws on an illegal graph: a violation is a bug in a pass, not bad input. */
export function assertLegal(graph: DataflowGraph, after: string): void {
  const violations = verifyGraph(graph);
  if (violations.length > 0) {
    const list = violations
      .slice(0, 5)
      .map((v) => `${v.node}: ${v.rule}: ${v.message}`)
      .join('\n');
    throw new Error(`illegal dataflow graph after ${after}:\n${list}`);
  }
}

export function compilePhase(
  workload: Workload,
  phase: WorkloadPhase,
  options: { level?: number } = {},
): { ok: true; phase: CompiledPhase } | { ok: false; diagnostics: readonly Diagnostic[] } {
  // 1. Sparsity of this step: the phase's level (at its end, for a gradual schedule) on the workload's spec.
  const level = options.level ?? phaseLevel(workload, phase);
  const spec: SparsitySpec = { ...workload.sparsity, level };
  // 2. The weight matrices and how dense each one is (real masks are counted, not assumed).
  const weights = layerWeights(workload.model, spec);
  const { densities, masks } = resolveDensities(workload, spec, weights);
  // 3. Lower one system's step (its share of the global batch) to a dataflow graph; check it is legal.
  const sequences = sequencesPerSystem(workload);
  const stepGraph = lowerTrainingStep({
    model: workload.model,
    weights,
    densities,
    sequences,
    format: { valueBits: workload.hardware.weightValueBits, indexBits: workload.hardware.weightIndexBits },
  });
  assertLegal(stepGraph, 'lowering');
  // 4. Place it: micro-batch, activation policy and a tiling per op under SRAM, I/O and fabric limits.
  const placed = placeStepWithPolicy({
    workload: workload.name,
    phase: phase.name,
    model: workload.model,
    weights,
    densities,
    hardware: workload.hardware,
    activationPolicy: workload.activationPolicy,
    sequences,
    ...(workload.batch.microBatchSequences === undefined
      ? {}
      : { microBatchSequences: workload.batch.microBatchSequences }),
  });
  if (!placed.ok) return placed;
  for (const mb of placed.program.microBatches) assertLegal(mb.graph, 'placement');
  return {
    ok: true,
    phase: {
      phase,
      level,
      weights,
      densities,
      ...(masks ? { masks } : {}),
      program: placed.program,
      systems: workload.cluster.systems,
    },
  };
}

/** Compiles every phase of a workload (or the named one); all diagnostics are collected. */
export function compileWorkload(workload: Workload, options: { phase?: string } = {}): CompileResult {
  const phases =
    options.phase === undefined ? workload.phases : workload.phases.filter((p) => p.name === options.phase);
  const compiled: CompiledPhase[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const phase of phases) {
    const result = compilePhase(workload, phase);
    if (result.ok) compiled.push(result.phase);
    else diagnostics.push(...result.diagnostics);
  }
  return diagnostics.length > 0 ? { ok: false, diagnostics } : { ok: true, phases: compiled };
}
