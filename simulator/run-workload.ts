/**
 * Simulates a workload: each phase's training step, sparse and its dense equivalent on the same
 * hardware, and what they add up to over the phase's token budget. Gradual pruning schedules are
 * sampled: the step is simulated at a few levels along the ramp and weighted by tokens.
 */
import { type CompiledPhase, compilePhase } from '../compiler/pipeline.ts';
import { InputError } from '../models/diagnostics.ts';
import type { Workload, WorkloadPhase } from '../workloads/index.ts';
import { phaseSchedule } from '../workloads/index.ts';
import { assembleStep, type OpKind, type StepResult } from './assemble.ts';
import { addCounters, type Counters, zeroCounters } from './counters.ts';
import { serialExecutor, type UnitExecutor } from './executor.ts';
import { planPhase } from './plan.ts';
import type { SimUnit, TaskResult, UnitResult } from './units.ts';

/** Points along a gradual ramp at which the step is simulated (midpoints of equal token shares). */
export const RAMP_SAMPLES = 4;

export interface LevelShare {
  readonly level: number;
  /** Fraction of the phase's tokens trained at this level. */
  readonly tokenFraction: number;
}

/** The levels a phase trains at, with their token shares (they sum to 1). */
export function levelShares(phase: WorkloadPhase, spec: { level: number }): LevelShare[] {
  const s = phaseSchedule(phase, spec);
  if (s.schedule === 'constant') return [{ level: s.level, tokenFraction: 1 }];
  const shares: LevelShare[] = [];
  if (s.startFraction > 0) shares.push({ level: s.from, tokenFraction: s.startFraction });
  const ramp = s.endFraction - s.startFraction;
  for (let i = 0; i < RAMP_SAMPLES && ramp > 0; i++) {
    const t = (i + 0.5) / RAMP_SAMPLES;
    shares.push({ level: s.from + (s.to - s.from) * t, tokenFraction: ramp / RAMP_SAMPLES });
  }
  if (s.endFraction < 1) shares.push({ level: s.to, tokenFraction: 1 - s.endFraction });
  return shares;
}

export interface SimulatedStep {
  readonly level: number;
  readonly tokenFraction: number;
  readonly compiled: CompiledPhase;
  readonly step: StepResult;
  /** FLOPs of one system's step by the papers' accounting (from its step graph). */
  readonly flops: { readonly effective: number; readonly dense: number };
}

export interface PhaseResult {
  readonly phase: WorkloadPhase;
  readonly tokens: number;
  readonly tokensPerStep: number;
  readonly steps: number;
  /** Token-weighted mean sparsity level. */
  readonly averageLevel: number;
  readonly samples: readonly SimulatedStep[];
  readonly dense: SimulatedStep;
  /** Token-weighted mean step (equal to the one step of a constant phase). */
  readonly stepCounters: Counters;
  readonly stepByOpKind: ReadonlyMap<OpKind, Counters>;
  /** FLOPs of one step of the whole cluster (every system's share of the global batch). */
  readonly stepFlops: { readonly effective: number; readonly dense: number };
  /**
   * The same phase on one system with the whole global batch (token-weighted mean step), for the
   * scaling efficiency of a cluster; absent when the workload runs on one system.
   */
  readonly singleSystem?: { readonly stepCounters: Counters };
}

export interface WorkloadResult {
  readonly workload: Workload;
  readonly phases: readonly PhaseResult[];
}

export interface SimulateOptions {
  readonly executor?: UnitExecutor;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: {
    readonly label: string;
    readonly done: number;
    readonly total: number;
  }) => void;
  /** How a remainder micro-batch's sparse matmuls are simulated (simulator/remainder.ts): 'scale' by default. */
  readonly remainder?: 'scale' | 'simulate';
  /** Dense-equivalent steps shared across the workloads of a run (same model, batch, hardware). */
  readonly denseCache?: Map<string, SimulatedStep>;
  /**
   * Results of dense tasks shared across the steps of a run: a dense task is a pure function of
   * the hardware and its placement, so sweep points and phases on the same machine reuse it.
   */
  readonly denseTaskCache?: Map<string, TaskResult>;
}

function stepFlops(compiled: CompiledPhase): { effective: number; dense: number } {
  let effective = 0;
  let dense = 0;
  for (const n of compiled.program.stepGraph.nodes) {
    effective += n.flops.effective;
    dense += n.flops.dense;
  }
  return { effective, dense };
}

async function simulateLevel(
  workload: Workload,
  phase: WorkloadPhase,
  share: LevelShare,
  options: SimulateOptions,
  label: string,
): Promise<SimulatedStep> {
  const result = compilePhase(workload, phase, { level: share.level });
  if (!result.ok) throw new InputError(result.diagnostics);
  const compiled = result.phase;
  const seed =
    workload.sparsity.source.kind === 'random'
      ? (workload.sparsity.source.seed ?? workload.seed)
      : workload.seed;
  const plan = planPhase(compiled, {
    seed,
    pattern: workload.sparsity.pattern,
    sparsifiable: new Set(workload.sparsity.weights),
    ...(compiled.masks ? { masks: compiled.masks } : {}),
    ...(options.remainder ? { remainder: options.remainder } : {}),
  });
  const executor = options.executor ?? serialExecutor;
  const taskCache = options.denseTaskCache;
  const hardwareKey = JSON.stringify(compiled.program.hardware);
  const cacheKey = (key: string) => `${hardwareKey}|${key}`;
  const reused: TaskResult[] = [];
  const units: SimUnit[] = [];
  for (const unit of plan.units) {
    if (unit.kind !== 'dense' || !taskCache) {
      units.push(unit);
      continue;
    }
    const remaining = unit.tasks.filter((task) => {
      const hit = taskCache.get(cacheKey(task.key));
      if (hit) reused.push(hit);
      return !hit;
    });
    if (remaining.length > 0) units.push({ ...unit, tasks: remaining });
  }
  const results = await executor.run(units, {
    ...(options.signal ? { signal: options.signal } : {}),
    onUnitDone: (done, total) => options.onProgress?.({ label, done, total }),
  });
  if (taskCache) {
    units.forEach((unit, i) => {
      if (unit.kind === 'dense') for (const r of results[i]!.results) taskCache.set(cacheKey(r.key), r);
    });
  }
  const cachedUnit: UnitResult = { id: 'cache', results: reused, drawMs: 0, simulateMs: 0 };
  const step = assembleStep(compiled, plan.layout, [...results, cachedUnit]);
  return {
    level: share.level,
    tokenFraction: share.tokenFraction,
    compiled,
    step,
    flops: stepFlops(compiled),
  };
}

function denseKey(workload: Workload): string {
  return JSON.stringify([
    workload.model,
    workload.hardware,
    workload.batch,
    workload.cluster,
    workload.activationPolicy,
  ]);
}

/** A sparse step depends on the dense key and the mask: the spec, the level and the seed. */
function sparseKey(workload: Workload, level: number): string {
  return JSON.stringify([denseKey(workload), workload.sparsity, workload.seed, level]);
}

/** A step at a level, simulated once per run (steps.get/set by key); a dense step is keyed without the mask. */
async function cachedStep(
  workload: Workload,
  phase: WorkloadPhase,
  share: LevelShare,
  options: SimulateOptions,
  cache: Map<string, SimulatedStep>,
  label: string,
): Promise<SimulatedStep> {
  // Masks read from a file belong to the workload's own folder: never shared by key.
  const key = share.level === 0 ? denseKey(workload) : sparseKey(workload, share.level);
  const shareable = share.level === 0 || workload.sparsity.source.kind === 'random';
  const hit = shareable ? cache.get(key) : undefined;
  if (hit) return { ...hit, tokenFraction: share.tokenFraction };
  const step = await simulateLevel(workload, phase, share, options, label);
  if (shareable) cache.set(key, { ...step, tokenFraction: 1 });
  return step;
}

export async function simulateWorkload(
  workload: Workload,
  options: SimulateOptions = {},
): Promise<WorkloadResult> {
  const cache = options.denseCache ?? new Map<string, SimulatedStep>();
  const phases: PhaseResult[] = [];
  const systems = workload.cluster.systems;
  for (const phase of workload.phases) {
    const shares = levelShares(phase, workload.sparsity);
    const samples: SimulatedStep[] = [];
    for (const share of shares) {
      const label = `${workload.name} · ${phase.name} · sparsity ${share.level.toFixed(2)}`;
      samples.push(await cachedStep(workload, phase, share, options, cache, label));
    }
    const dense = await cachedStep(
      workload,
      phase,
      { level: 0, tokenFraction: 1 },
      options,
      cache,
      `${workload.name} · dense equivalent`,
    );
    let singleSystem: PhaseResult['singleSystem'];
    if (systems > 1) {
      // The scaling reference: the same global batch on one system.
      const alone: Workload = { ...workload, cluster: { systems: 1 } };
      let counters = zeroCounters();
      for (const share of shares) {
        const label = `${workload.name} · ${phase.name} · one system · sparsity ${share.level.toFixed(2)}`;
        const step = await cachedStep(alone, phase, share, options, cache, label);
        counters = addCounters(counters, step.step.counters, share.tokenFraction);
      }
      singleSystem = { stepCounters: counters };
    }
    let stepCounters = zeroCounters();
    const stepByOpKind = new Map<OpKind, Counters>();
    let effective = 0;
    let denseFlops = 0;
    let averageLevel = 0;
    for (const s of samples) {
      stepCounters = addCounters(stepCounters, s.step.counters, s.tokenFraction);
      for (const [kind, c] of s.step.byOpKind) {
        stepByOpKind.set(kind, addCounters(stepByOpKind.get(kind) ?? zeroCounters(), c, s.tokenFraction));
      }
      effective += s.flops.effective * systems * s.tokenFraction;
      denseFlops += s.flops.dense * systems * s.tokenFraction;
      averageLevel += s.level * s.tokenFraction;
    }
    const tokensPerStep = workload.batch.sequences * workload.model.seqLen;
    phases.push({
      phase,
      tokens: phase.tokens,
      tokensPerStep,
      steps: phase.tokens / tokensPerStep,
      averageLevel,
      samples,
      dense,
      stepCounters,
      stepByOpKind,
      stepFlops: { effective, dense: denseFlops },
      ...(singleSystem ? { singleSystem } : {}),
    });
  }
  return { workload, phases };
}
