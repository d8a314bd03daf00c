/**
 * The serializable result of simulating workloads: plain data, structured-cloneable (it crosses
 * from a session worker to the CLI), raw counters only. reports/ derives every metric from it.
 */

import type { HardwareConfig } from '../hardware/hardware-config.ts';
import type { ModelConfig } from '../models/model-config.ts';
import type { SparsitySpec } from '../models/sparsity.ts';
import { type SparsitySchedule, toWorkloadFile, type Workload } from '../workloads/index.ts';
import type { NodeResult, OpKind, StepResult, StepTimeline, WaveletScaling } from './assemble.ts';
import { addCounters, type Counters, zeroCounters } from './counters.ts';
import type { PhaseResult, SimulatedStep, WorkloadResult } from './run-workload.ts';
import type { StepBoundary } from './step-boundary.ts';

export interface StepSummary {
  /** Sparsity level this step ran at, and the share of the phase's tokens it stands for. */
  readonly level: number;
  readonly tokenFraction: number;
  readonly stepCycles: number;
  readonly counters: Counters;
  readonly byOpKind: readonly (readonly [OpKind, Counters])[];
  /** The step op by op (assemble.ts), for the per-op table. */
  readonly nodes: readonly NodeResult[];
  /** Busy cycles per mesh row over the step; the PEs of a row beyond `activeCols` hold no tokens. */
  readonly rowBusy: Float64Array;
  readonly activeCols: number;
  /** FLOPs of one step by the papers' accounting. */
  readonly flops: { readonly effective: number; readonly dense: number };
  readonly microBatchSequences: number;
  readonly microBatches: readonly { readonly sequences: number; readonly count: number }[];
  readonly activationPolicy: string;
  /** The step boundary's cycles, part by part (their sum is in `bubble`). */
  readonly boundary: StepBoundary;
  /** The step in the order it runs, op by op (for `run --trace`). */
  readonly timeline: StepTimeline;
  /** Wall milliseconds the units spent drawing masks and simulating (outside the results proper). */
  readonly drawMs: number;
  readonly simulateMs: number;
  /** With the wavelet fidelity: the sampled regions' wavelet / row ratios. */
  readonly wavelet?: WaveletScaling;
}

export interface PhaseSummary {
  readonly name: string;
  /** The phase's schedule (constant level or gradual ramp), resolved against the workload. */
  readonly sparsity?: SparsitySchedule;
  readonly tokens: number;
  readonly tokensPerStep: number;
  readonly steps: number;
  readonly averageLevel: number;
  readonly samples: readonly StepSummary[];
  readonly dense: StepSummary;
  /** Token-weighted mean step. */
  readonly stepCounters: Counters;
  readonly stepByOpKind: readonly (readonly [OpKind, Counters])[];
  /** The token-weighted mean step op by op (the ops of every sample, weighted as stepCounters). */
  readonly stepNodes: readonly NodeResult[];
  /** FLOPs of one step of the whole cluster. */
  readonly stepFlops: { readonly effective: number; readonly dense: number };
  /** The same phase's step on one system with the global batch (clusters only). */
  readonly singleSystem?: { readonly stepCounters: Counters };
}

export interface WorkloadSummary {
  readonly name: string;
  readonly description?: string;
  readonly source: string;
  readonly model: ModelConfig;
  readonly hardware: HardwareConfig;
  readonly sparsity: SparsitySpec;
  readonly batch: Workload['batch'];
  readonly cluster: Workload['cluster'];
  readonly seed: number;
  readonly phases: readonly PhaseSummary[];
  /** The workload as a file that reproduces the run (`wafersim resolve`). */
  readonly resolved: Record<string, unknown>;
}

function summarizeStep(s: SimulatedStep): StepSummary {
  const step: StepResult = s.step;
  const program = s.compiled.program;
  return {
    level: s.level,
    tokenFraction: s.tokenFraction,
    stepCycles: step.stepCycles,
    counters: step.counters,
    byOpKind: [...step.byOpKind],
    nodes: step.nodes,
    rowBusy: step.rowBusy,
    activeCols: step.activeCols,
    flops: s.flops,
    microBatchSequences: program.microBatchSequences,
    microBatches: program.microBatches.map((m) => ({ sequences: m.sequences, count: m.count })),
    activationPolicy: program.activationPolicy,
    boundary: step.boundary,
    timeline: step.timeline,
    drawMs: step.drawMs,
    simulateMs: step.simulateMs,
    ...(step.wavelet ? { wavelet: step.wavelet } : {}),
  };
}

/** The samples' ops summed with their token fractions (by id, in the first sample's order). */
function weightedNodes(samples: readonly SimulatedStep[]): NodeResult[] {
  if (samples.length === 1 && samples[0]!.tokenFraction === 1) return [...samples[0]!.step.nodes];
  const out = new Map<string, NodeResult>();
  for (const s of samples) {
    for (const n of s.step.nodes) {
      const seen = out.get(n.id);
      out.set(n.id, {
        ...n,
        count: (seen?.count ?? 0) + s.tokenFraction * n.count,
        counters: addCounters(seen?.counters ?? zeroCounters(), n.counters, s.tokenFraction),
      });
    }
  }
  return [...out.values()];
}

function summarizePhase(p: PhaseResult): PhaseSummary {
  return {
    name: p.phase.name,
    ...(p.phase.sparsity === undefined ? {} : { sparsity: p.phase.sparsity }),
    tokens: p.tokens,
    tokensPerStep: p.tokensPerStep,
    steps: p.steps,
    averageLevel: p.averageLevel,
    samples: p.samples.map(summarizeStep),
    dense: summarizeStep(p.dense),
    stepCounters: p.stepCounters,
    stepByOpKind: [...p.stepByOpKind],
    stepNodes: weightedNodes(p.samples),
    stepFlops: p.stepFlops,
    ...(p.singleSystem ? { singleSystem: p.singleSystem } : {}),
  };
}

export function summarizeWorkload(r: WorkloadResult): WorkloadSummary {
  const w = r.workload;
  return {
    name: w.name,
    ...(w.description === undefined ? {} : { description: w.description }),
    source: w.source,
    model: w.model,
    hardware: w.hardware,
    sparsity: w.sparsity,
    batch: w.batch,
    cluster: w.cluster,
    seed: w.seed,
    phases: r.phases.map(summarizePhase),
    resolved: toWorkloadFile(w),
  };
}
