/**
 * Simulates workloads: each phase's training step, sparse and its dense equivalent on the same
 * hardware, and what they add up to over the phase's token budget. Gradual pruning schedules are
 * sampled: the step is simulated at a few levels along the ramp and weighted by tokens.
 *
 * In four stages over every workload at once (a study, a sweep's points): collect the steps the
 * phases need, each once by key; compile and plan them all (a bad point fails before anything
 * runs); run every unit in one batch, so the workers never idle between steps and the largest
 * units of all steps go first; then assemble each step and each phase. Dense tasks that several
 * steps share (identical placements on the same hardware) are simulated once.
 */
import { type CompiledPhase, compilePhase } from '../compiler/pipeline.ts';
import { InputError, inputError } from '../models/diagnostics.ts';
import type { Workload, WorkloadPhase } from '../workloads/index.ts';
import { phaseSchedule } from '../workloads/index.ts';
import { assembleStep, type OpKind, type StepResult } from './assemble.ts';
import { addCounters, type Counters, zeroCounters } from './counters.ts';
import { serialExecutor, type UnitExecutor } from './executor.ts';
import type { PhaseLayout } from './plan.ts';
import { planPhase } from './plan.ts';
import { type SimUnit, UNIT_MEMORY_LIMIT_BYTES, type UnitResult, unitMemoryBytes } from './units.ts';

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
  /** 'wavelet': every matmul scaled by a sampled region on the wavelet fabric (simulator/wavelet/sample.ts). */
  readonly fidelity?: 'row' | 'wavelet';
  /**
   * Called with each workload's result as soon as every step it needs is simulated (a sweep writes
   * each point as it completes). Units are started workload by workload to that end.
   */
  readonly onWorkloadDone?: (index: number, result: WorkloadResult) => void;
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

/** One step to simulate: a workload's phase at a level, planned into units. */
interface StepJob {
  readonly workload: Workload;
  readonly phase: WorkloadPhase;
  readonly level: number;
  /** The first workload (by index) that needs this step: its units start in that workload's turn. */
  readonly group: number;
  compiled?: CompiledPhase;
  layout?: PhaseLayout;
  /** Indices into the batch of the units this step submitted. */
  readonly unitIndices: number[];
  /** Cache keys of the dense tasks it needs that another step submitted. */
  readonly sharedDense: string[];
  step?: SimulatedStep;
}

/** The steps of a run, each once: a dense step by its model, batch and hardware, a sparse one with its mask. */
class StepRequests {
  readonly jobs: StepJob[] = [];
  private readonly byKey = new Map<string, StepJob>();

  request(workload: Workload, phase: WorkloadPhase, level: number, group: number): StepJob {
    // Masks read from a file belong to the workload's own folder: never shared by key.
    const shareable = level === 0 || workload.sparsity.source.kind === 'random';
    const key = level === 0 ? denseKey(workload) : sparseKey(workload, level);
    const hit = shareable ? this.byKey.get(key) : undefined;
    if (hit) return hit;
    const job: StepJob = { workload, phase, level, group, unitIndices: [], sharedDense: [] };
    this.jobs.push(job);
    if (shareable) this.byKey.set(key, job);
    return job;
  }
}

interface PlannedBatch {
  readonly units: SimUnit[];
  /** The unit that simulates each shared dense task, and the task's key in it, by cache key. */
  readonly denseUnitOf: Map<string, { readonly unit: number; readonly taskKey: string }>;
}

/** Compiles and plans every step, and lays their units out in one batch (dense tasks once). */
function planJobs(jobs: readonly StepJob[], options: SimulateOptions): PlannedBatch {
  const units: SimUnit[] = [];
  const denseUnitOf: PlannedBatch['denseUnitOf'] = new Map();
  for (const job of jobs) {
    const { workload, phase, level } = job;
    const result = compilePhase(workload, phase, { level });
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
      ...(options.fidelity ? { fidelity: options.fidelity } : {}),
    });
    job.compiled = compiled;
    job.layout = plan.layout;
    const hardwareKey = JSON.stringify(compiled.program.hardware);
    for (const unit of plan.units) {
      if (unit.kind !== 'dense') {
        job.unitIndices.push(units.push(unit) - 1);
        continue;
      }
      // A dense task is a pure function of the hardware and its placement: simulated once per run.
      const index = units.length;
      const remaining = unit.tasks.filter((task) => {
        const cacheKey = `${hardwareKey}|${task.key}`;
        if (!denseUnitOf.has(cacheKey)) {
          denseUnitOf.set(cacheKey, { unit: index, taskKey: task.key });
          return true;
        }
        job.sharedDense.push(cacheKey);
        return false;
      });
      if (remaining.length > 0) job.unitIndices.push(units.push({ ...unit, tasks: remaining }) - 1);
    }
  }
  return { units, denseUnitOf };
}

/** One step from its units' results and the dense results other steps' units computed. */
function assembleJob(job: StepJob, batch: PlannedBatch, results: readonly (UnitResult | undefined)[]): void {
  if (job.step) return;
  const own = job.unitIndices.map((i) => results[i]!);
  const shared: UnitResult = {
    id: 'shared',
    results: job.sharedDense.map((key) => {
      const { unit, taskKey } = batch.denseUnitOf.get(key)!;
      return results[unit]!.results.find((r) => r.key === taskKey)!;
    }),
    drawMs: 0,
    simulateMs: 0,
  };
  const compiled = job.compiled!;
  job.step = {
    level: job.level,
    tokenFraction: 1,
    compiled,
    step: assembleStep(compiled, job.layout!, [...own, shared]),
    flops: stepFlops(compiled),
  };
}

/** The units a step waits for: its own, and those that simulate the dense tasks it shares. */
function unitsNeeded(job: StepJob, batch: PlannedBatch): Set<number> {
  return new Set([...job.unitIndices, ...job.sharedDense.map((key) => batch.denseUnitOf.get(key)!.unit)]);
}

/** What a phase needs: its samples along the schedule, its dense equivalent, one system's step. */
interface PhaseRequest {
  readonly workload: Workload;
  readonly phase: WorkloadPhase;
  readonly shares: readonly LevelShare[];
  readonly samples: readonly StepJob[];
  readonly dense: StepJob;
  readonly alone: readonly StepJob[];
}

function phaseResult(r: PhaseRequest): PhaseResult {
  const { workload, phase, shares } = r;
  const systems = workload.cluster.systems;
  const samples = r.samples.map((job, i) => ({ ...job.step!, tokenFraction: shares[i]!.tokenFraction }));
  let singleSystem: PhaseResult['singleSystem'];
  if (r.alone.length > 0) {
    let counters = zeroCounters();
    r.alone.forEach((job, i) => {
      counters = addCounters(counters, job.step!.step.counters, shares[i]!.tokenFraction);
    });
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
  return {
    phase,
    tokens: phase.tokens,
    tokensPerStep,
    steps: phase.tokens / tokensPerStep,
    averageLevel,
    samples,
    dense: r.dense.step!,
    stepCounters,
    stepByOpKind,
    stepFlops: { effective, dense: denseFlops },
    ...(singleSystem ? { singleSystem } : {}),
  };
}

/** Refuses, before anything is allocated, a step whose largest unit would not fit in memory. */
function checkUnitSizes(units: readonly SimUnit[]): void {
  let largest: { unit: SimUnit; bytes: number } | undefined;
  for (const unit of units) {
    const bytes = unitMemoryBytes(unit);
    if (bytes > (largest?.bytes ?? 0)) largest = { unit, bytes };
  }
  if (!largest || largest.bytes <= UNIT_MEMORY_LIMIT_BYTES) return;
  const { unit, bytes } = largest;
  const what = unit.kind === 'matrix' ? `matrix ${unit.weight} (${unit.rows} × ${unit.cols})` : unit.id;
  const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;
  throw inputError(
    'too-large',
    unit.kind === 'matrix' ? unit.weight : unit.id,
    `too large to simulate: ${what} on a ${unit.hardware.meshRows} × ${unit.hardware.meshCols} mesh would need ` +
      `${gib(bytes)} for its mask and per-tile counts in one worker, more than the ${gib(UNIT_MEMORY_LIMIT_BYTES)} a unit may use ` +
      '(docs/limits.md); a narrower model or fewer mesh rows would fit',
  );
}

/** Simulates every workload's phases, all their steps in one batch of units. */
export async function simulateWorkloads(
  workloads: readonly Workload[],
  options: SimulateOptions = {},
): Promise<WorkloadResult[]> {
  // 1. The steps every phase needs, each once.
  const requests = new StepRequests();
  const phases = workloads.map((workload, w) =>
    workload.phases.map((phase): PhaseRequest => {
      const shares = levelShares(phase, workload.sparsity);
      // On a cluster, the scaling reference: the same global batch on one system.
      const single: Workload = { ...workload, cluster: { systems: 1 } };
      return {
        workload,
        phase,
        shares,
        samples: shares.map((s) => requests.request(workload, phase, s.level, w)),
        dense: requests.request(workload, phase, 0, w),
        alone:
          workload.cluster.systems > 1 ? shares.map((s) => requests.request(single, phase, s.level, w)) : [],
      };
    }),
  );
  // 2. Compile and plan them all: a step that cannot be placed fails here, before anything runs.
  const batch = planJobs(requests.jobs, options);
  const { units } = batch;
  checkUnitSizes(units);
  // 3. Every unit in one batch. Each workload's result is assembled as soon as the units of every
  // step it needs are in (for onWorkloadDone); the rest when the batch ends.
  const results: (UnitResult | undefined)[] = new Array(units.length);
  const jobsOf = phases.map((ps) => [...new Set(ps.flatMap((p) => [...p.samples, p.dense, ...p.alone]))]);
  const waitingFor = jobsOf.map((jobs) => new Set(jobs.flatMap((job) => [...unitsNeeded(job, batch)])));
  const workloadsOfUnit = new Map<number, number[]>();
  waitingFor.forEach((needed, w) => {
    for (const u of needed) workloadsOfUnit.set(u, [...(workloadsOfUnit.get(u) ?? []), w]);
  });
  // Each workload's result, assembled once: as soon as it is complete, or when the batch ends.
  const finished: (WorkloadResult | undefined)[] = new Array(workloads.length);
  const finish = (w: number): WorkloadResult => {
    if (!finished[w]) {
      for (const job of jobsOf[w]!) assembleJob(job, batch, results);
      finished[w] = { workload: workloads[w]!, phases: phases[w]!.map(phaseResult) };
    }
    return finished[w];
  };
  const report = (w: number) => {
    if (options.onWorkloadDone && !finished[w]) options.onWorkloadDone(w, finish(w));
  };
  // A workload whose steps need no unit (nothing to simulate) is done at once.
  waitingFor.forEach((needed, w) => {
    if (needed.size === 0) report(w);
  });
  const groupOf = units.map(() => 0);
  for (const job of requests.jobs) for (const u of job.unitIndices) groupOf[u] = job.group;
  const executor = options.executor ?? serialExecutor;
  const label = `${requests.jobs.length} step${requests.jobs.length === 1 ? '' : 's'}`;
  const all = await executor.run(units, {
    ...(options.signal ? { signal: options.signal } : {}),
    onUnitDone: (done, total) => options.onProgress?.({ label, done, total }),
    ...(options.onWorkloadDone
      ? {
          groupOf,
          onUnitResult: (index: number, result: UnitResult) => {
            results[index] = result;
            for (const w of workloadsOfUnit.get(index) ?? []) {
              const needed = waitingFor[w]!;
              needed.delete(index);
              if (needed.size === 0) report(w);
            }
          },
        }
      : {}),
  });
  // 4. Each step, then each phase.
  all.forEach((result, i) => {
    results[i] = result;
  });
  return workloads.map((_, w) => finish(w));
}

export async function simulateWorkload(
  workload: Workload,
  options: SimulateOptions = {},
): Promise<WorkloadResult> {
  const [result] = await simulateWorkloads([workload], options);
  return result!;
}
