/**
 * Counters → Metrics (DESIGN §8, STYLE §8). The simulator hands over raw, additive counts; every
 * ratio of a report is computed here, once, from summed counts: never an average of ratios.
 * Fractions stay in [0, 1] (percent only when printed); times are seconds of the simulated machine.
 */
import type { HardwareConfig } from '../hardware/hardware-config.ts';
import { macsPerCycle, meshPes } from '../hardware/machine-rates.ts';
import type { OpKind } from '../simulator/assemble.ts';
import {
  type Counters,
  type CyclesByCause,
  STALL_CAUSE_DEFINITIONS,
  STALL_CAUSES,
  type StallCause,
  totalCycles,
  zeroCounters,
} from '../simulator/counters.ts';
import type { PhaseSummary, StepSummary, WorkloadSummary } from '../simulator/run-summary.ts';
import type { SparsitySchedule } from '../workloads/index.ts';
import { stepEnergy } from './energy.ts';

const SECONDS_PER_HOUR = 3600;
const SECONDS_PER_DAY = 86_400;

/** A length of time in the units a reader plans with. */
export interface Duration {
  readonly seconds: number;
  readonly hours: number;
  readonly days: number;
}

export interface OpKindMetrics {
  readonly kind: OpKind;
  /** Cycles of this kind of work in the sparse step and in the dense-equivalent step. */
  readonly cycles: number;
  readonly denseCycles: number;
  /** denseCycles / cycles; null when the sparse step spends no cycle on it. */
  readonly speedup: number | null;
  /** (issued + skipped) / issued MACs of this kind in the sparse step; null when it issues none. */
  readonly flopReduction: number | null;
  /** Share of the sparse step's issued MACs, and of its cycles. */
  readonly flopShare: number;
  readonly cycleShare: number;
}

export interface StepShape {
  readonly microBatchSequences: number;
  readonly microBatches: readonly { readonly sequences: number; readonly count: number }[];
  readonly activationPolicy: string;
}

export interface LevelSampleMetrics extends StepShape {
  readonly level: number;
  readonly tokenFraction: number;
  readonly stepCycles: number;
  readonly stepSeconds: number;
}

/** The step boundary of the (token-weighted mean) sparse step, part by part (its `bubble`). */
export interface StepBoundaryMetrics {
  readonly lastGradientsSeconds: number;
  readonly clusterSeconds: number;
  readonly fixedSeconds: number;
}

/** A phase on a cluster of systems in data parallel (one system: systems 1, efficiency 1). */
export interface ClusterMetrics {
  readonly systems: number;
  readonly sequencesPerSystem: number;
  /** Tokens the whole cluster trains per second, and per system. */
  readonly tokensPerSecond: number;
  readonly tokensPerSecondPerSystem: number;
  /** The same global batch on one system: its step time and what the cluster gains over it. */
  readonly singleSystemStepSeconds: number;
  readonly speedupOverOneSystem: number;
  /** speedupOverOneSystem / systems: the share of linear scaling the cluster reaches. */
  readonly scalingEfficiency: number;
}

export interface PhaseMetrics extends StepShape {
  readonly name: string;
  /** Token-weighted mean sparsity level of the phase. */
  readonly sparsity: number;
  readonly schedule: SparsitySchedule | null;
  readonly tokens: number;
  readonly tokensPerStep: number;
  readonly steps: number;
  readonly stepCycles: number;
  readonly denseStepCycles: number;
  readonly stepSeconds: number;
  readonly denseStepSeconds: number;
  readonly stepFlops: { readonly effective: number; readonly dense: number };
  readonly flopReduction: number;
  readonly realizedSpeedup: number;
  readonly efficiency: number;
  /** Fraction of the step's cycles per cause (sums to 1), in the sparse and the dense step. */
  readonly stalls: CyclesByCause;
  readonly denseStalls: CyclesByCause;
  readonly cyclesByCause: { readonly sparse: CyclesByCause; readonly dense: CyclesByCause };
  readonly gap: {
    /** The step's cycles if it had sped up by exactly the FLOP reduction. */
    readonly idealStepCycles: number;
    /** stepCycles − idealStepCycles: the cycles the FLOP reduction did not remove. */
    readonly excessCycles: number;
    /** Per cause: sparse cycles − dense cycles / flopReduction (sums to excessCycles). */
    readonly byCause: CyclesByCause;
    /** byCause / excessCycles; null when there is no gap to explain. */
    readonly shareByCause: Record<StallCause, number | null>;
  };
  readonly opKinds: readonly OpKindMetrics[];
  readonly utilization: {
    readonly mac: number;
    readonly denseMac: number;
    readonly peBusy: number;
    readonly densePeBusy: number;
    /** Busy fraction of the least and the most loaded mesh row's PEs that hold tokens. */
    readonly rowBusyMin: number;
    readonly rowBusyMax: number;
    readonly activeCols: number;
  };
  /**
   * The rows of the per-PE utilization heatmap: `values[i]` is the busy fraction of the
   * token-holding PEs of mesh rows [i × rowsPerBlock, (i + 1) × rowsPerBlock), averaged over those
   * rows; the PEs of columns at or beyond `utilization.activeCols` hold no tokens and stay idle.
   */
  readonly rowUtilization: { readonly rowsPerBlock: number; readonly values: readonly number[] };
  readonly throughput: {
    readonly effectiveTflops: number;
    readonly denseEquivalentTflops: number;
    readonly peakTflops: number;
  };
  readonly stepBoundary: StepBoundaryMetrics;
  readonly cluster: ClusterMetrics;
  readonly trainFlops: { readonly effective: number; readonly dense: number };
  readonly timeToTrain: { readonly sparse: Duration; readonly dense: Duration };
  /** First-order energy of the whole cluster (reports/energy.ts): estimates, not validated. */
  readonly energy: {
    readonly stepJoules: number;
    readonly denseStepJoules: number;
    readonly joulesPerToken: number;
    readonly tokensPerJoule: number;
    /** denseStepJoules / stepJoules: how much less energy the sparse step takes. */
    readonly savings: number;
    readonly trainKilowattHours: number;
    readonly denseTrainKilowattHours: number;
    /** The sparse step's joules by part. */
    readonly staticJoules: number;
    readonly macJoules: number;
    readonly fabricJoules: number;
    readonly ioJoules: number;
  };
  /** Raw counters of the (token-weighted mean) step. */
  readonly counters: Counters;
  /** Op by op: the step's counters per op of the graph, beside the dense step's cycles. */
  readonly ops: readonly {
    readonly id: string;
    readonly op: string;
    readonly pass: string;
    readonly layer: number | null;
    readonly kind: string;
    readonly count: number;
    readonly cycles: number;
    readonly denseCycles: number;
    readonly cyclesByCause: CyclesByCause;
    readonly macsIssued: number;
    readonly macsSkipped: number;
    readonly bytesIn: number;
    readonly bytesOut: number;
  }[];
  readonly samples: readonly LevelSampleMetrics[];
}

export interface RunTotals {
  readonly tokens: number;
  readonly steps: number;
  readonly trainFlops: { readonly effective: number; readonly dense: number };
  readonly flopReduction: number;
  readonly realizedSpeedup: number;
  readonly efficiency: number;
  readonly timeToTrain: { readonly sparse: Duration; readonly dense: Duration };
}

export interface RunMetrics {
  readonly name: string;
  /** The workload's sparse level (the default of its phases). */
  readonly sparsity: number;
  readonly phases: readonly PhaseMetrics[];
  readonly totals: RunTotals;
}

/** One line per metric, printed in every report's Definitions. */
export const METRIC_DEFINITIONS: Readonly<Record<string, string>> = {
  sparsity:
    'Fraction of the sparse weights that are zero; per phase the token-weighted mean level of its schedule.',
  tokens: 'Tokens trained in the phase (its token budget).',
  steps: 'Optimizer steps of the phase: tokens / (sequences per step × context length).',
  stepCycles:
    'Simulated core cycles of one training step (forward, backward, weight gradients, optimizer bubble).',
  stepSeconds: 'stepCycles / clockHz: wall time of one step on the simulated machine.',
  denseStepSeconds: 'The same for the dense-equivalent step (every weight non-zero) on the same hardware.',
  flopReduction:
    "Dense-equivalent training FLOPs / effective training FLOPs of a step, by the papers' accounting.",
  realizedSpeedup: 'denseStepSeconds / stepSeconds: the wall-clock speedup sparsity actually buys.',
  efficiency: 'realizedSpeedup / flopReduction: the share of the FLOP reduction that became speed.',
  stalls: "Fraction of the step's cycles attributed to each cause (they sum to 1).",
  gap: 'Cycles beyond a step that sped up by exactly the FLOP reduction, split by cause (may be negative).',
  opKindSpeedup: 'Per kind of work: dense-equivalent cycles / sparse cycles.',
  opKindFlopReduction: 'Per kind of work: (issued + skipped MACs) / issued MACs in the sparse step.',
  flopShare:
    "Per kind of work: its share of the step's issued MACs (2 FLOPs each; recomputed forwards count again).",
  cycleShare: "Per kind of work: its share of the step's cycles.",
  macUtilization:
    'Issued MACs / (meshRows × meshCols × MACs per PE per cycle × stepCycles); every issued MAC is effectual (zero weights are skipped, never issued), so it never exceeds 1.',
  peBusy: 'Sum over all PEs of busy datapath cycles / (meshRows × meshCols × stepCycles); at most 1.',
  rowBusy:
    "Busy cycles of a mesh row's token-holding PEs / stepCycles; min and max over rows show load imbalance.",
  rowUtilization:
    "Per-PE utilization (the heatmap): a PE's busy cycles / stepCycles, its row's rowBusy if its column holds tokens and 0 if not, averaged over at most 64 × 64 blocks of PEs.",
  effectiveTflops:
    'Effective (non-zero) training FLOPs per step of the whole cluster / stepSeconds, in 10^12 FLOP/s.',
  denseEquivalentTflops:
    'Dense-equivalent training FLOPs per step / stepSeconds; may exceed the peak, because skipped zeros cost no cycle.',
  peakTflops:
    'systems × meshRows × meshCols × MACs per PE per cycle (at the accumulation precision) × 2 FLOPs × clockHz, in 10^12 FLOP/s.',
  stepBoundary:
    "The step's bubble, part by part: the last gradients leaving the wafer, the SwarmX reduce and broadcast latency (clusters), and the fixed pause stepBubbleSeconds.",
  systems:
    'Identical systems training in data parallel; each runs batch.sequences / systems sequences per step.',
  tokensPerSecond:
    'tokensPerStep / stepSeconds: tokens the whole cluster trains per second (and per system).',
  scalingEfficiency:
    'Step time of the same global batch on one system / (systems × stepSeconds): 1 is linear scaling.',
  boundaryShare:
    'Share of the step spent at the step boundary (the bubble cause): it does not shrink with more systems.',
  timeToTrain:
    "steps × stepSeconds (sparse) or steps × denseStepSeconds (dense) on the workload's systems, no restarts.",
  h100TimeToTrain:
    'Dense training FLOPs / the measured H100 rate for GPT-3 XL: one H100, dense; unstructured sparsity does not speed it up.',
  totals:
    'Sums over phases of tokens, steps, FLOPs and times; the run-level ratios are ratios of those sums.',
};

/**
 * One line per stall cause: the doc comment of `STALL_CAUSES` in simulator/counters.ts, word for
 * word (a test keeps them in step; counters.ts holds them only as a comment).
 */
export { STALL_CAUSE_DEFINITIONS };

/** The order kinds of work are listed in: the order they run in a step. */
const OP_KIND_RANK: Record<OpKind, number> = {
  'I/O': 0,
  'linear forward': 1,
  attention: 2,
  'LM head': 3,
  'element-wise': 4,
  'linear backward-data': 5,
  'weight gradient': 6,
  optimizer: 7,
};

export function duration(seconds: number): Duration {
  return { seconds, hours: seconds / SECONDS_PER_HOUR, days: seconds / SECONDS_PER_DAY };
}

/** a / b, or null when b is 0 (a ratio with nothing to compare against). */
function ratioOrNull(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

function fractionsOf(cycles: CyclesByCause, total: number): CyclesByCause {
  const out = { ...cycles };
  for (const cause of STALL_CAUSES) out[cause] = total === 0 ? 0 : cycles[cause] / total;
  return out;
}

function peakMacsPerCycle(hw: HardwareConfig): number {
  return meshPes(hw) * macsPerCycle(hw);
}

function deriveGap(sparse: CyclesByCause, dense: CyclesByCause, flopReduction: number): PhaseMetrics['gap'] {
  const byCause = { ...sparse };
  let ideal = 0;
  for (const cause of STALL_CAUSES) {
    byCause[cause] = sparse[cause] - dense[cause] / flopReduction;
    ideal += dense[cause] / flopReduction;
  }
  const excessCycles = totalCycles(sparse) - ideal;
  const shareByCause = {} as Record<StallCause, number | null>;
  for (const cause of STALL_CAUSES) shareByCause[cause] = ratioOrNull(byCause[cause], excessCycles);
  return { idealStepCycles: ideal, excessCycles, byCause, shareByCause };
}

function deriveOpKinds(phase: PhaseSummary, stepCounters: Counters): OpKindMetrics[] {
  const sparse = new Map(phase.stepByOpKind);
  const dense = new Map(phase.dense.byOpKind);
  const kinds = [...new Set([...sparse.keys(), ...dense.keys()])].sort(
    (a, b) => OP_KIND_RANK[a] - OP_KIND_RANK[b],
  );
  const stepCycles = totalCycles(stepCounters);
  return kinds.map((kind) => {
    const s = sparse.get(kind) ?? zeroCounters();
    const d = dense.get(kind) ?? zeroCounters();
    const cycles = totalCycles(s);
    const denseCycles = totalCycles(d);
    return {
      kind,
      cycles,
      denseCycles,
      speedup: ratioOrNull(denseCycles, cycles),
      flopReduction: ratioOrNull(s.macsIssued + s.macsSkipped, s.macsIssued),
      flopShare: stepCounters.macsIssued === 0 ? 0 : s.macsIssued / stepCounters.macsIssued,
      cycleShare: stepCycles === 0 ? 0 : cycles / stepCycles,
    };
  });
}

/** At most this many blocks of mesh rows in a phase's `rowUtilization`: the heatmap stays small. */
export const MAX_ROW_BLOCKS = 64;

/** Per mesh row: token-weighted busy cycles of its token-holding PEs over the samples / stepCycles. */
function rowBusyFractions(samples: readonly StepSummary[], stepCycles: number): number[] {
  const rows = samples[0]?.rowBusy.length ?? 0;
  const fractions: number[] = [];
  for (let r = 0; r < rows; r++) {
    let busy = 0;
    for (const s of samples) busy += s.tokenFraction * s.rowBusy[r]!;
    fractions.push(stepCycles === 0 ? 0 : busy / stepCycles);
  }
  return fractions;
}

function rowBusyRange(fractions: readonly number[]): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const f of fractions) {
    min = Math.min(min, f);
    max = Math.max(max, f);
  }
  return { min: fractions.length === 0 ? 0 : min, max };
}

/** The row fractions averaged over blocks of ⌈rows / MAX_ROW_BLOCKS⌉ rows (the last may hold fewer). */
function rowUtilizationBlocks(fractions: readonly number[]): PhaseMetrics['rowUtilization'] {
  const rowsPerBlock = Math.max(1, Math.ceil(fractions.length / MAX_ROW_BLOCKS));
  const values: number[] = [];
  for (let start = 0; start < fractions.length; start += rowsPerBlock) {
    const block = fractions.slice(start, start + rowsPerBlock);
    values.push(block.reduce((a, b) => a + b, 0) / block.length);
  }
  return { rowsPerBlock, values };
}

function stepShape(s: StepSummary): StepShape {
  return {
    microBatchSequences: s.microBatchSequences,
    microBatches: s.microBatches.map((m) => ({ sequences: m.sequences, count: m.count })),
    activationPolicy: s.activationPolicy,
  };
}

/** Token-weighted step boundary of the phase's samples, in seconds. */
function stepBoundaryOf(phase: PhaseSummary, hw: HardwareConfig): StepBoundaryMetrics {
  let last = 0;
  let cluster = 0;
  let fixed = 0;
  for (const s of phase.samples) {
    last += s.tokenFraction * s.boundary.lastGradientsCycles;
    cluster += s.tokenFraction * s.boundary.clusterCycles;
    fixed += s.tokenFraction * s.boundary.fixedCycles;
  }
  return {
    lastGradientsSeconds: last / hw.clockHz,
    clusterSeconds: cluster / hw.clockHz,
    fixedSeconds: fixed / hw.clockHz,
  };
}

function clusterOf(
  phase: PhaseSummary,
  hw: HardwareConfig,
  systems: number,
  sequences: number,
  stepSeconds: number,
): ClusterMetrics {
  const alone = phase.singleSystem ? totalCycles(phase.singleSystem.stepCounters) / hw.clockHz : stepSeconds;
  const tokensPerSecond = phase.tokensPerStep / stepSeconds;
  const speedup = alone / stepSeconds;
  return {
    systems,
    sequencesPerSystem: sequences / systems,
    tokensPerSecond,
    tokensPerSecondPerSystem: tokensPerSecond / systems,
    singleSystemStepSeconds: alone,
    speedupOverOneSystem: speedup,
    scalingEfficiency: speedup / systems,
  };
}

export function derivePhaseMetrics(
  phase: PhaseSummary,
  hw: HardwareConfig,
  batch: { readonly sequences: number; readonly systems: number },
): PhaseMetrics {
  const counters = phase.stepCounters;
  const denseCounters = phase.dense.counters;
  const stepCycles = totalCycles(counters);
  const denseStepCycles = totalCycles(denseCounters);
  const stepSeconds = stepCycles / hw.clockHz;
  const denseStepSeconds = denseStepCycles / hw.clockHz;
  const flopReduction = phase.stepFlops.dense / phase.stepFlops.effective;
  const realizedSpeedup = denseStepSeconds / stepSeconds;
  const pes = meshPes(hw);
  const rowFractions = rowBusyFractions(phase.samples, stepCycles);
  const rowBusy = rowBusyRange(rowFractions);
  const first = phase.samples[0] ?? phase.dense;
  return {
    name: phase.name,
    sparsity: phase.averageLevel,
    schedule: phase.sparsity ?? null,
    tokens: phase.tokens,
    tokensPerStep: phase.tokensPerStep,
    steps: phase.steps,
    stepCycles,
    denseStepCycles,
    stepSeconds,
    denseStepSeconds,
    stepFlops: { effective: phase.stepFlops.effective, dense: phase.stepFlops.dense },
    flopReduction,
    realizedSpeedup,
    efficiency: realizedSpeedup / flopReduction,
    stalls: fractionsOf(counters.cycles, stepCycles),
    denseStalls: fractionsOf(denseCounters.cycles, denseStepCycles),
    cyclesByCause: { sparse: { ...counters.cycles }, dense: { ...denseCounters.cycles } },
    gap: deriveGap(counters.cycles, denseCounters.cycles, flopReduction),
    opKinds: deriveOpKinds(phase, counters),
    utilization: {
      mac: counters.macsIssued / (peakMacsPerCycle(hw) * stepCycles),
      denseMac: denseCounters.macsIssued / (peakMacsPerCycle(hw) * denseStepCycles),
      peBusy: counters.peBusyCycles / (pes * stepCycles),
      densePeBusy: denseCounters.peBusyCycles / (pes * denseStepCycles),
      rowBusyMin: rowBusy.min,
      rowBusyMax: rowBusy.max,
      activeCols: first.activeCols,
    },
    rowUtilization: rowUtilizationBlocks(rowFractions),
    throughput: {
      effectiveTflops: phase.stepFlops.effective / stepSeconds / 1e12,
      denseEquivalentTflops: phase.stepFlops.dense / stepSeconds / 1e12,
      peakTflops: (batch.systems * peakMacsPerCycle(hw) * 2 * hw.clockHz) / 1e12,
    },
    stepBoundary: stepBoundaryOf(phase, hw),
    cluster: clusterOf(phase, hw, batch.systems, batch.sequences, stepSeconds),
    trainFlops: {
      effective: phase.steps * phase.stepFlops.effective,
      dense: phase.steps * phase.stepFlops.dense,
    },
    timeToTrain: {
      sparse: duration(phase.steps * stepSeconds),
      dense: duration(phase.steps * denseStepSeconds),
    },
    energy: energyOf(phase, hw, batch.systems, stepSeconds, denseStepSeconds),
    counters,
    ops: opsOf(phase),
    ...stepShape(first),
    samples: phase.samples.map((s) => ({
      level: s.level,
      tokenFraction: s.tokenFraction,
      stepCycles: s.stepCycles,
      stepSeconds: s.stepCycles / hw.clockHz,
      ...stepShape(s),
    })),
  };
}

function opsOf(phase: PhaseSummary): PhaseMetrics['ops'] {
  const dense = new Map(phase.dense.nodes.map((n) => [n.id, totalCycles(n.counters)]));
  return phase.stepNodes.map((n) => ({
    id: n.id,
    op: n.op,
    pass: n.pass,
    layer: n.layer,
    kind: n.kind,
    count: n.count,
    cycles: totalCycles(n.counters),
    denseCycles: dense.get(n.id) ?? 0,
    cyclesByCause: { ...n.counters.cycles },
    macsIssued: n.counters.macsIssued,
    macsSkipped: n.counters.macsSkipped,
    bytesIn: n.counters.bytesIn,
    bytesOut: n.counters.bytesOut,
  }));
}

function energyOf(
  phase: PhaseSummary,
  hw: HardwareConfig,
  systems: number,
  stepSeconds: number,
  denseStepSeconds: number,
): PhaseMetrics['energy'] {
  const sparse = stepEnergy(hw, phase.stepCounters, stepSeconds, systems);
  const dense = stepEnergy(hw, phase.dense.counters, denseStepSeconds, systems);
  const kilowattHours = (joules: number) => (phase.steps * joules) / 3.6e6;
  return {
    stepJoules: sparse.joules,
    denseStepJoules: dense.joules,
    joulesPerToken: sparse.joules / phase.tokensPerStep,
    tokensPerJoule: phase.tokensPerStep / sparse.joules,
    savings: dense.joules / sparse.joules,
    trainKilowattHours: kilowattHours(sparse.joules),
    denseTrainKilowattHours: kilowattHours(dense.joules),
    staticJoules: sparse.staticJoules,
    macJoules: sparse.macJoules,
    fabricJoules: sparse.fabricJoules,
    ioJoules: sparse.ioJoules,
  };
}

/** Sums over phases; the run's ratios are ratios of the sums (never averaged per-phase ratios). */
export function deriveTotals(phases: readonly PhaseMetrics[]): RunTotals {
  let tokens = 0;
  let steps = 0;
  let effective = 0;
  let dense = 0;
  let seconds = 0;
  let denseSeconds = 0;
  for (const p of phases) {
    tokens += p.tokens;
    steps += p.steps;
    effective += p.trainFlops.effective;
    dense += p.trainFlops.dense;
    seconds += p.timeToTrain.sparse.seconds;
    denseSeconds += p.timeToTrain.dense.seconds;
  }
  const flopReduction = dense / effective;
  const realizedSpeedup = denseSeconds / seconds;
  return {
    tokens,
    steps,
    trainFlops: { effective, dense },
    flopReduction,
    realizedSpeedup,
    efficiency: realizedSpeedup / flopReduction,
    timeToTrain: { sparse: duration(seconds), dense: duration(denseSeconds) },
  };
}

export function deriveMetrics(summary: WorkloadSummary): RunMetrics {
  const batch = { sequences: summary.batch.sequences, systems: summary.cluster.systems };
  const phases = summary.phases.map((p) => derivePhaseMetrics(p, summary.hardware, batch));
  return { name: summary.name, sparsity: summary.sparsity.level, phases, totals: deriveTotals(phases) };
}
