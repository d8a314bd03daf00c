/**
 * report.json (DESIGN §8, §9): the report as one versioned, documented object. `ReportSchema` is
 * the specification (every field described, units in names or descriptions, fractions in [0, 1]);
 * `buildReport` assembles it from derived metrics in a fixed key order. Everything that varies
 * between runs on the same inputs (clock time, host, Node version, wall and unit timings, worker
 * count, file locations) sits under the top-level `meta` and nowhere else, so a report without
 * `meta` is byte-identical across runs and worker counts.
 */
import { z } from 'zod';
import { HardwareConfigSchema } from '../hardware/hardware-config.ts';
import { ModelConfigSchema } from '../models/model-config.ts';
import type { WaveletScaling } from '../simulator/assemble.ts';
import type { WorkloadSummary } from '../simulator/run-summary.ts';
import { GradualScheduleSchema } from '../workloads/index.ts';
import { assertFiniteNumbers } from './finite.ts';
import { GPUS_PER_NODE, type GpuBaseline, h100Rate, h100Seconds, loadGpuBaseline } from './gpu-baseline.ts';
import { type Duration, deriveMetrics, duration, type PhaseMetrics, type RunMetrics } from './metrics.ts';

export const REPORT_VERSION = 1;

/** Arrays are read-only: the report is plain data, built once. */
const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();
const fraction = () => z.number().describe('fraction');
const byCause = <T extends z.ZodType>(value: T) =>
  z.strictObject({
    compute: value,
    imbalance: value,
    reduction: value,
    io: value,
    overhead: value,
    fillDrain: value,
    dense: value,
    bubble: value,
  });

const DurationSchema = z.strictObject({
  seconds: z.number().describe('s'),
  hours: z.number().describe('h'),
  days: z.number().describe('days of 24 h'),
});

const FlopsSchema = z.strictObject({
  effective: z.number().describe("FLOPs on non-zero weights, by the papers' accounting (docs/design.md §3)"),
  dense: z.number().describe('FLOPs of the same work with every weight non-zero'),
});

const StepShapeFields = {
  microBatchSequences: z.number().describe('Sequences per micro-batch the compiler chose'),
  microBatches: list(z.strictObject({ sequences: z.number(), count: z.number() })).describe(
    'The step as micro-batches: `count` of them with `sequences` each',
  ),
  activationPolicy: z
    .string()
    .describe('Activation memory policy for the backward pass: keep | recompute | spill'),
};

const CountersSchema = z
  .strictObject({
    cycles: byCause(z.number()).describe('Cycles of the step by cause'),
    macsIssued: z.number().describe('MACs executed on non-zero weights'),
    macsSkipped: z.number().describe('MACs a dense execution would do that zero weights skipped'),
    weightsStreamed: z.number().describe('Weights (non-zeros) streamed onto the wafer'),
    fabricWavelets: z.number().describe('Wavelets sent along reduction chains and broadcasts'),
    bytesIn: z.number().describe('Bytes streamed onto the wafer'),
    bytesOut: z.number().describe('Bytes streamed off the wafer'),
    peBusyCycles: z.number().describe('Sum over PEs of busy datapath cycles'),
  })
  .describe('Raw counters of one step (token-weighted mean step of a gradual phase)');

const OpKindSchema = z.strictObject({
  kind: z.string().describe('Kind of work: linear forward, attention, LM head, element-wise, I/O, …'),
  cycles: z.number().describe('Cycles in the sparse step'),
  denseCycles: z.number().describe('Cycles in the dense-equivalent step'),
  speedup: z.number().nullable().describe('denseCycles / cycles; null if cycles is 0'),
  flopReduction: z.number().nullable().describe('(issued + skipped) / issued MACs; null if none issued'),
  flopShare: fraction().describe("Share of the step's issued MACs (fraction)"),
  cycleShare: fraction().describe("Share of the step's cycles (fraction)"),
});

const PhaseSchema = z.strictObject({
  name: z.string(),
  sparsity: fraction().describe('Token-weighted mean sparsity level of the phase (fraction)'),
  schedule: z
    .union([z.strictObject({ schedule: z.literal('constant'), level: z.number() }), GradualScheduleSchema])
    .nullable()
    .describe("The phase's schedule: a constant level or a gradual ramp (null: the workload's level)"),
  tokens: z.number().describe('Tokens trained in the phase'),
  tokensPerStep: z.number().describe('Tokens per optimizer step (sequences × context)'),
  steps: z.number().describe('tokens / tokensPerStep (may be fractional)'),
  stepCycles: z.number().describe('Cycles of one sparse step'),
  denseStepCycles: z.number().describe('Cycles of one dense-equivalent step'),
  stepSeconds: z.number().describe('s: stepCycles / clockHz'),
  denseStepSeconds: z.number().describe('s: denseStepCycles / clockHz'),
  stepFlops: FlopsSchema.describe('Training FLOPs of one step'),
  flopReduction: z.number().describe('stepFlops.dense / stepFlops.effective'),
  realizedSpeedup: z.number().describe('denseStepSeconds / stepSeconds'),
  efficiency: z.number().describe('realizedSpeedup / flopReduction (fraction; 1 = all of it)'),
  stalls: byCause(fraction()).describe("Fraction of the sparse step's cycles per cause (sums to 1)"),
  denseStalls: byCause(fraction()).describe("Fraction of the dense step's cycles per cause (sums to 1)"),
  cyclesByCause: z.strictObject({ sparse: byCause(z.number()), dense: byCause(z.number()) }),
  gap: z
    .strictObject({
      idealStepCycles: z.number().describe('Cycles had the step sped up by exactly flopReduction'),
      excessCycles: z.number().describe('stepCycles − idealStepCycles'),
      byCause: byCause(z.number()).describe('sparse cycles − dense cycles / flopReduction per cause'),
      shareByCause: byCause(z.number().nullable()).describe('byCause / excessCycles (null: no gap)'),
    })
    .describe('Where the gap between FLOP reduction and realized speedup comes from'),
  opKinds: list(OpKindSchema).describe('Per kind of work, in the order they run in a step'),
  utilization: z.strictObject({
    mac: fraction().describe('Issued MACs / (PEs × MACs per PE per cycle × stepCycles) (fraction, ≤ 1)'),
    denseMac: fraction().describe('The same for the dense-equivalent step'),
    peBusy: fraction().describe('peBusyCycles / (PEs × stepCycles) (fraction, ≤ 1)'),
    densePeBusy: fraction().describe('The same for the dense-equivalent step'),
    rowBusyMin: fraction().describe(
      'Least loaded mesh row: busy cycles of its token-holding PEs / stepCycles',
    ),
    rowBusyMax: fraction().describe('Most loaded mesh row, likewise'),
    activeCols: z.number().describe('Mesh columns that hold tokens'),
  }),
  rowUtilization: z
    .strictObject({
      rowsPerBlock: z.number().describe('Mesh rows per block (the last block may hold fewer)'),
      values: list(fraction()).describe(
        'Per block of mesh rows: busy cycles of its token-holding PEs / stepCycles, averaged over its rows',
      ),
    })
    .describe(
      'The per-PE utilization heatmap by blocks of rows (at most 64); PEs of columns ≥ activeCols are idle',
    ),
  throughput: z.strictObject({
    effectiveTflops: z.number().describe('10^12 FLOP/s: effective FLOPs per step / stepSeconds'),
    denseEquivalentTflops: z
      .number()
      .describe('10^12 FLOP/s: dense FLOPs per step / stepSeconds; may exceed the peak (zeros are skipped)'),
    peakTflops: z
      .number()
      .describe('10^12 FLOP/s: systems × PEs × MACs per PE per cycle (accumulation precision) × 2 × clockHz'),
  }),
  stepBoundary: z
    .strictObject({
      lastGradientsSeconds: z.number().describe('s: the last weight gradients leaving the wafer'),
      clusterSeconds: z
        .number()
        .describe('s: SwarmX reduce up and broadcast down the tree (0 on one system)'),
      fixedSeconds: z.number().describe('s: the fixed pause of each step (hardware.stepBubbleSeconds)'),
    })
    .describe("The step's bubble part by part (their sum is cyclesByCause.sparse.bubble / clockHz)"),
  cluster: z
    .strictObject({
      systems: z.number().describe('Systems in data parallel'),
      sequencesPerSystem: z.number().describe('Sequences each system trains per step'),
      tokensPerSecond: z.number().describe('tokens/s of the whole cluster: tokensPerStep / stepSeconds'),
      tokensPerSecondPerSystem: z.number().describe('tokens/s per system: tokensPerSecond / systems'),
      singleSystemStepSeconds: z.number().describe('s: the same global batch on one system'),
      speedupOverOneSystem: z.number().describe('singleSystemStepSeconds / stepSeconds'),
      scalingEfficiency: fraction().describe('speedupOverOneSystem / systems (fraction; 1 = linear)'),
    })
    .describe('Data parallel across systems: throughput and scaling against one system'),
  trainFlops: FlopsSchema.describe('Training FLOPs of the phase: steps × stepFlops'),
  timeToTrain: z.strictObject({
    sparse: DurationSchema.describe("steps × stepSeconds on the workload's simulated systems"),
    dense: DurationSchema.describe('steps × denseStepSeconds on the same systems'),
    h100: DurationSchema.describe("trainFlops.dense on one H100 at the run's gpuRate"),
    h100Node: DurationSchema.describe(
      'trainFlops.dense on an 8-GPU H100 node: 8 × the one-GPU rate, linear scaling assumed [UNC]',
    ),
  }),
  energy: z
    .strictObject({
      stepJoules: z.number().describe('J: one step of the whole cluster'),
      denseStepJoules: z.number().describe('J: its dense-equivalent step'),
      joulesPerToken: z.number().describe('J/token: stepJoules / tokensPerStep'),
      tokensPerJoule: z.number().describe('tokens/J: tokensPerStep / stepJoules'),
      savings: z.number().describe('denseStepJoules / stepJoules'),
      trainKilowattHours: z.number().describe('kWh: the phase, steps × stepJoules'),
      denseTrainKilowattHours: z.number().describe('kWh: the phase trained dense'),
      staticJoules: z.number().describe('J of stepJoules: static power of every PE × step time'),
      macJoules: z.number().describe('J of stepJoules: MACs issued × energy per MAC'),
      fabricJoules: z.number().describe('J of stepJoules: wavelet-hops × energy per hop'),
      ioJoules: z.number().describe('J of stepJoules: I/O bits × energy per bit'),
    })
    .describe(
      "First-order energy from the counters and the hardware's energy table (estimates derived from two third-party figures, not validated)",
    ),
  counters: CountersSchema,
  ops: list(
    z.strictObject({
      id: z.string().describe('The op in the step graph (`L3.fwd.q`), or activations.spill'),
      op: z.string(),
      pass: z.string(),
      layer: z.number().nullable(),
      kind: z.string().describe('Its kind of work (opKinds)'),
      count: z.number().describe('Times it runs per step (micro-batches; a recomputed forward twice)'),
      cycles: z.number().describe('Cycles it takes over the step (all its runs)'),
      denseCycles: z.number().describe('The same op in the dense-equivalent step (0 if it has none)'),
      cyclesByCause: byCause(z.number()).describe('Its cycles by cause'),
      macsIssued: z.number(),
      macsSkipped: z.number(),
      bytesIn: z.number(),
      bytesOut: z.number(),
    }),
  )
    .optional()
    .describe(
      'Op by op: what each op of the step graph costs over the step (they sum to the step). Written to ops.csv; left out of report.json and sweep.json, where they would be most of the file',
    ),
  ...StepShapeFields,
  samples: list(
    z.strictObject({
      level: fraction().describe('Sparsity level of this sampled step'),
      tokenFraction: fraction().describe("Share of the phase's tokens it stands for"),
      stepCycles: z.number(),
      stepSeconds: z.number(),
      ...StepShapeFields,
    }),
  ).describe('The steps simulated for the phase: one, or a few along a gradual ramp'),
});

const TotalsSchema = z.strictObject({
  tokens: z.number(),
  steps: z.number(),
  trainFlops: FlopsSchema,
  flopReduction: z.number().describe('Σ trainFlops.dense / Σ trainFlops.effective over phases'),
  realizedSpeedup: z.number().describe('Σ dense time to train / Σ sparse time to train over phases'),
  efficiency: z.number().describe('realizedSpeedup / flopReduction'),
  timeToTrain: z.strictObject({
    sparse: DurationSchema,
    dense: DurationSchema,
    h100: DurationSchema,
    h100Node: DurationSchema,
  }),
});

const RunSchema = z.strictObject({
  name: z.string().describe('Workload name'),
  description: z.string().optional(),
  sparsity: fraction().describe("The workload's sparse level (the default of its phases)"),
  pattern: z.string().describe('Where the zeros fall: unstructured, n:m or block'),
  distribution: z.string().describe('Per-layer density: uniform or erk'),
  maskSource: z.string().describe('random (drawn from the seed) or a mask file'),
  model: ModelConfigSchema,
  hardware: HardwareConfigSchema,
  batch: z.strictObject({ sequences: z.number(), microBatchSequences: z.number().optional() }),
  cluster: z.strictObject({ systems: z.number() }).describe('Systems in data parallel'),
  seed: z.number(),
  gpuRate: z
    .strictObject({
      tflops: z.number().describe("TFLOP/s one H100 trains this model at (papers' convention)"),
      basis: z
        .enum(['measured', 'interpolated', 'clamped'])
        .describe(
          "measured: the measured model's width; interpolated: between measured block widths; clamped: outside them, at the nearest (an extrapolation)",
        ),
    })
    .describe("The H100's rate for this model's width, from the measured model and block rates (see gpu)"),
  phases: list(PhaseSchema),
  totals: TotalsSchema,
  resolved: z
    .record(z.string(), z.unknown())
    .describe(
      'The workload as a workload file that reproduces this run: every preset followed, every default applied (wafersim resolve prints the same)',
    ),
});

const GpuSchema = z
  .strictObject({
    device: z.string(),
    sources: list(z.string()).describe('The data files, relative to the package root'),
    label: z.string(),
    modelTflops: z.number().describe("Median measured model TFLOP/s for dense GPT-3 XL (papers' convention)"),
    runs: list(z.strictObject({ microBatch: z.number(), seqLen: z.number(), modelTflops: z.number() })),
    gemm: list(
      z.strictObject({
        m: z.number(),
        k: z.number(),
        n: z.number(),
        denseTflops: z.number(),
        csrBf16: z.strictObject({ s50: z.number(), s75: z.number(), s90: z.number() }),
        csrFp32: z.strictObject({ s50: z.number(), s75: z.number(), s90: z.number() }),
        semi24: z.number(),
      }),
    ).describe('Measured sparse-kernel speedups over dense bf16 (below 1: slower), for context'),
    blocks: list(z.strictObject({ dModel: z.number(), modelTflops: z.number() })).describe(
      'Measured training TFLOP/s of one transformer block per width: how the rate is scaled to other widths',
    ),
    measuredDModel: z.number().describe('Width of the model whose whole training step was measured'),
    gpusPerNode: z.number().describe('GPUs of the node in timeToTrain.h100Node'),
  })
  .describe('The H100 baseline and context (docs/design.md §8)');

const TimingSchema = z.strictObject({
  drawMs: z.number(),
  simulateMs: z.number(),
  wavelet: z
    .strictObject({
      nodes: z.number(),
      ratioMin: z.number(),
      ratioMean: z.number(),
      ratioMax: z.number(),
    })
    .optional()
    .describe(
      'run --fidelity wavelet: the matmuls scaled by a sampled region on the wavelet fabric, and the wavelet / row ratios',
    ),
});

export const ReportMetaSchema = z
  .strictObject({
    generatedAt: z.string().describe('ISO 8601 time the report was written'),
    wafersimVersion: z.string(),
    commit: z
      .string()
      .describe("Git commit of the wafersim that ran ('-dirty': with edits to tracked files; 'unknown')"),
    node: z.string().describe('Node.js version'),
    platform: z.string(),
    host: z.string(),
    cpus: z.number(),
    workers: z.number().describe('Worker threads the units ran on (0: in-process, serial)'),
    wallSeconds: z.number().describe('Wall time of the simulation'),
    outDir: z.string().optional(),
    runs: list(
      z.strictObject({
        name: z.string(),
        source: z.string().describe('Preset name or absolute path of the workload file'),
        phases: list(z.strictObject({ name: z.string(), samples: list(TimingSchema), dense: TimingSchema })),
      }),
    ).describe('Wall milliseconds the units spent drawing masks and simulating'),
  })
  .describe('Everything that varies between runs on the same inputs; nothing else does');

export const ReportSchema = z.strictObject({
  version: z.literal(REPORT_VERSION),
  fidelity: z.literal('row').describe('Simulation fidelity (docs/design.md §6)'),
  runs: list(RunSchema).describe('One per workload, in the order given (a study: side by side)'),
  gpu: GpuSchema,
  meta: ReportMetaSchema,
});

export type Report = z.infer<typeof ReportSchema>;
export type RunReport = Report['runs'][number];
export type PhaseReport = RunReport['phases'][number];
export type ReportMeta = z.infer<typeof ReportMetaSchema>;
/** What the caller knows about the invocation; buildReport adds the per-unit timings. */
export type InvocationMeta = Omit<ReportMeta, 'runs'>;

function phaseReport(p: PhaseMetrics, h100: Duration, h100Node: Duration): PhaseReport {
  const { timeToTrain, ...rest } = p;
  return { ...rest, timeToTrain: { ...timeToTrain, h100, h100Node } };
}

function runReport(summary: WorkloadSummary, m: RunMetrics, gpu: GpuBaseline): RunReport {
  const gpuRate = h100Rate(summary.model.dModel, gpu);
  const h100 = (flops: number) => duration(h100Seconds(flops, gpuRate));
  const node = (flops: number) => duration(h100Seconds(flops, gpuRate, GPUS_PER_NODE));
  return {
    name: m.name,
    ...(summary.description === undefined ? {} : { description: summary.description }),
    sparsity: m.sparsity,
    pattern: summary.sparsity.pattern,
    distribution: summary.sparsity.distribution,
    maskSource: summary.sparsity.source.kind,
    model: summary.model,
    hardware: summary.hardware,
    batch: { ...summary.batch },
    cluster: { systems: summary.cluster.systems },
    seed: summary.seed,
    gpuRate,
    phases: m.phases.map((p) => phaseReport(p, h100(p.trainFlops.dense), node(p.trainFlops.dense))),
    totals: {
      ...m.totals,
      timeToTrain: {
        ...m.totals.timeToTrain,
        h100: h100(m.totals.trainFlops.dense),
        h100Node: node(m.totals.trainFlops.dense),
      },
    },
    resolved: summary.resolved,
  };
}

function timingsOf(summaries: readonly WorkloadSummary[]): ReportMeta['runs'] {
  const timing = (s: { drawMs: number; simulateMs: number; wavelet?: WaveletScaling }) => ({
    drawMs: s.drawMs,
    simulateMs: s.simulateMs,
    ...(s.wavelet ? { wavelet: s.wavelet } : {}),
  });
  return summaries.map((w) => ({
    name: w.name,
    source: w.source,
    phases: w.phases.map((p) => ({ name: p.name, samples: p.samples.map(timing), dense: timing(p.dense) })),
  }));
}

export function buildReport(
  summaries: readonly WorkloadSummary[],
  meta: InvocationMeta,
  gpu: GpuBaseline = loadGpuBaseline(),
): Report {
  return {
    version: REPORT_VERSION,
    fidelity: 'row',
    runs: summaries.map((s) => runReport(s, deriveMetrics(s), gpu)),
    gpu: {
      device: gpu.device,
      sources: [...gpu.sources],
      label: gpu.label,
      modelTflops: gpu.modelTflops,
      runs: gpu.runs.map((r) => ({ ...r })),
      gemm: gpu.gemm.map((g) => ({ ...g, csrBf16: { ...g.csrBf16 }, csrFp32: { ...g.csrFp32 } })),
      blocks: gpu.blocks.map((b) => ({ ...b })),
      measuredDModel: gpu.measuredDModel,
      gpusPerNode: GPUS_PER_NODE,
    },
    meta: { ...meta, runs: timingsOf(summaries) },
  };
}

/** The report without its per-op tables (they go to ops.csv). */
export function withoutOps(report: Report): Report {
  return {
    ...report,
    runs: report.runs.map((run) => ({
      ...run,
      phases: run.phases.map(({ ops: _ops, ...phase }) => phase),
    })),
  };
}

/** The report as written to report.json (and printed by `run --json`): without the per-op tables. */
export function renderReportJson(report: Report): string {
  assertFiniteNumbers(report, 'report');
  return `${JSON.stringify(withoutOps(report), null, 2)}\n`;
}
