/**
 * sweep.json (DESIGN §7, §9): a sweep's points with their varied values and their run's results.
 * Each point holds `run`, the same object report.json's `runs[0]` would hold for that point's
 * workload, and, at its top level for easy plotting, the FLOP reduction, realized speedup,
 * efficiency and times of its sparse phase. Everything that varies between runs on the same inputs
 * (clock time, host, wall and unit timings, worker count, paths, which shard) sits under `meta`
 * and nowhere else, so a sweep.json without `meta` is byte-identical however it was run: in one
 * process, on any number of workers, or in shards merged afterwards.
 */
import { z } from 'zod';
import { inputError } from '../../models/diagnostics.ts';
import type { WorkloadSummary } from '../../simulator/run-summary.ts';
import type { ExpandedSweep, JsonValue, Sweep } from '../../workloads/sweeps/index.ts';
import { assertFiniteNumbers } from '../finite.ts';
import { type GpuBaseline, loadGpuBaseline } from '../gpu-baseline.ts';
import {
  buildReport,
  type InvocationMeta,
  type ReportMeta,
  ReportSchema,
  type RunReport,
} from '../report-json.ts';

export const SWEEP_REPORT_VERSION = 1;

const list = <T extends z.ZodType>(item: T) => z.array(item).readonly();

/** report.json's run object, reused as is: a point's `run`. */
const RunSchema = ReportSchema.shape.runs.unwrap().element;

const PointSchema = z.strictObject({
  index: z
    .number()
    .describe('Position in the cartesian product of vary, from 0 (the last key varies fastest)'),
  values: z.record(z.string(), z.json()).describe('The value of every varied path at this point'),
  phase: z
    .string()
    .describe("The phase the fields below are of: the point's sparsest phase (the first on a tie)"),
  sparsity: z.number().describe("That phase's token-weighted mean sparsity level (fraction)"),
  flopReduction: z.number().describe("That phase's dense / effective training FLOPs of a step"),
  realizedSpeedup: z.number().describe("That phase's denseStepSeconds / stepSeconds"),
  efficiency: z.number().describe('realizedSpeedup / flopReduction (fraction; 1 = all of it)'),
  stepSeconds: z.number().describe('s: one sparse step of that phase'),
  denseStepSeconds: z.number().describe('s: its dense-equivalent step on the same hardware'),
  timeToTrainSeconds: z.number().describe("s: that phase's token budget on the point's systems"),
  effectiveTflops: z
    .number()
    .describe("TFLOP/s: that phase's effective training FLOPs per step / stepSeconds, whole cluster"),
  systems: z.number().describe('Systems in data parallel (cluster.systems)'),
  tokensPerSecond: z.number().describe("tokens/s of the whole cluster in that phase's sparse step"),
  scalingEfficiency: z
    .number()
    .describe('One system with the same global batch / (systems × stepSeconds) (fraction; 1 = linear)'),
  boundaryShare: z
    .number()
    .describe("Share of that phase's step spent at the step boundary (stalls.bubble; fraction)"),
  run: RunSchema.describe("The point's full results: what report.json's runs[0] holds for its workload"),
});

const ShardSchema = z.strictObject({
  index: z.number().describe('Which shard, from 1'),
  count: z.number().describe('How many shards the sweep was split into'),
  points: list(z.number()).describe('The indices of the points this shard ran (index mod count = shard − 1)'),
});

const TimingSchema = z.strictObject({ drawMs: z.number(), simulateMs: z.number() });

export const SweepMetaSchema = z
  .strictObject({
    generatedAt: z.string().describe('ISO 8601 time sweep.json was written'),
    wafersimVersion: z.string(),
    commit: z
      .string()
      .describe("Git commit of the wafersim that ran ('-dirty': with edits to tracked files; 'unknown')"),
    node: z.string().describe('Node.js version'),
    platform: z.string(),
    host: z.string(),
    cpus: z.number(),
    workers: z.number().optional().describe('Worker threads the units ran on (0: in-process, serial)'),
    wallSeconds: z.number().optional().describe('Wall time of the simulation'),
    outDir: z.string().optional(),
    shard: ShardSchema.optional().describe('Present when this run was one shard of the sweep'),
    mergedFrom: list(
      z.strictObject({
        dir: z.string(),
        generatedAt: z.string(),
        host: z.string(),
        workers: z.number().optional(),
        wallSeconds: z.number().optional(),
        shard: ShardSchema.optional(),
      }),
    )
      .optional()
      .describe('Present when `wafersim merge` wrote this file: the shard directories it read'),
    points: list(
      z.strictObject({
        index: z.number(),
        source: z.string().describe('How the point workload was named in diagnostics'),
        phases: list(z.strictObject({ name: z.string(), samples: list(TimingSchema), dense: TimingSchema })),
      }),
    ).describe('Wall milliseconds the units of each point spent drawing masks and simulating'),
  })
  .describe('Everything that varies between runs on the same inputs; nothing else does');

export const SweepReportSchema = z.strictObject({
  version: z.literal(SWEEP_REPORT_VERSION),
  sweepId: z
    .string()
    .describe(
      "Hash of the sweep's definition and every point's resolved workload; shards merge only when equal",
    ),
  name: z.string(),
  description: z.string().optional(),
  base: z.union([z.string(), z.record(z.string(), z.unknown())]).describe('The base workload as written'),
  vary: z.record(z.string(), list(z.json())).describe('The varied paths and their values, in file order'),
  pointCount: z.number().describe('Points of the whole sweep: the product of the value lists'),
  reference: z
    .strictObject({
      index: z.number().describe("The reference point's index"),
      isBase: z
        .boolean()
        .describe('true: it is the base workload unchanged; false: no point is, so point 0 stands in'),
    })
    .describe('The point the others are compared against (speedup over the reference)'),
  fidelity: z.literal('row'),
  points: list(PointSchema).describe('Sorted by index; a shard holds only its own points'),
  meta: SweepMetaSchema,
});

export type SweepReport = z.infer<typeof SweepReportSchema>;
export type SweepPointReport = SweepReport['points'][number];
export type SweepMeta = z.infer<typeof SweepMetaSchema>;
export type SweepShardMeta = z.infer<typeof ShardSchema>;
/** What the caller knows about the invocation; buildSweepReport adds the per-point timings. */
export type SweepInvocationMeta = Omit<SweepMeta, 'points'>;

/** The sweep as it stands in sweep.json, outside `meta`. */
export interface SweepDefinition {
  readonly sweepId: string;
  readonly name: string;
  readonly description?: string;
  readonly base: Sweep['base'];
  readonly vary: Sweep['vary'];
  readonly pointCount: number;
  readonly reference: ExpandedSweep['reference'];
}

export function sweepDefinition(sweep: Sweep, expanded: ExpandedSweep): SweepDefinition {
  return {
    sweepId: expanded.sweepId,
    name: sweep.name,
    ...(sweep.description === undefined ? {} : { description: sweep.description }),
    base: sweep.base,
    vary: sweep.vary,
    pointCount: expanded.points.length,
    reference: { ...expanded.reference },
  };
}

/** A simulated point: its place in the sweep and its workload's summary. */
export interface PointResult {
  readonly index: number;
  readonly values: Readonly<Record<string, JsonValue>>;
  readonly summary: WorkloadSummary;
}

/** The sparsest phase (highest mean level), the first on a tie: the phase a `sparsity` sweep moves. */
function sparsePhaseOf(run: RunReport): RunReport['phases'][number] {
  return run.phases.reduce((best, p) => (p.sparsity > best.sparsity ? p : best), run.phases[0]!);
}

function pointReport(result: PointResult, run: RunReport): SweepPointReport {
  const p = sparsePhaseOf(run);
  return {
    index: result.index,
    values: { ...result.values },
    phase: p.name,
    sparsity: p.sparsity,
    flopReduction: p.flopReduction,
    realizedSpeedup: p.realizedSpeedup,
    efficiency: p.efficiency,
    stepSeconds: p.stepSeconds,
    denseStepSeconds: p.denseStepSeconds,
    timeToTrainSeconds: p.timeToTrain.sparse.seconds,
    effectiveTflops: p.throughput.effectiveTflops,
    systems: p.cluster.systems,
    tokensPerSecond: p.cluster.tokensPerSecond,
    scalingEfficiency: p.cluster.scalingEfficiency,
    boundaryShare: p.stalls.bubble,
    // The per-op tables stay out of sweep.json (they would be most of it).
    run: { ...run, phases: run.phases.map(({ ops: _ops, ...phase }) => phase) },
  };
}

/** A point already simulated (a checkpoint read back by `sweep --resume`), with its timings. */
export interface FinishedPoint {
  readonly point: SweepPointReport;
  readonly timing: SweepMeta['points'][number];
}

export const FinishedPointSchema = z.strictObject({
  sweepId: z.string(),
  point: PointSchema,
  timing: SweepMetaSchema.shape.points.unwrap().element,
});

export function buildSweepReport(
  sweep: SweepDefinition,
  results: readonly PointResult[],
  meta: SweepInvocationMeta,
  gpu: GpuBaseline = loadGpuBaseline(),
  finished: readonly FinishedPoint[] = [],
): SweepReport {
  const sorted = [...results].sort((a, b) => a.index - b.index);
  const invocation: InvocationMeta = {
    generatedAt: meta.generatedAt,
    wafersimVersion: meta.wafersimVersion,
    commit: meta.commit,
    node: meta.node,
    platform: meta.platform,
    host: meta.host,
    cpus: meta.cpus,
    workers: meta.workers ?? 0,
    wallSeconds: meta.wallSeconds ?? 0,
  };
  const report = buildReport(
    sorted.map((r) => r.summary),
    invocation,
    gpu,
  );
  const timings: ReportMeta['runs'] = report.meta.runs;
  return {
    version: SWEEP_REPORT_VERSION,
    sweepId: sweep.sweepId,
    name: sweep.name,
    ...(sweep.description === undefined ? {} : { description: sweep.description }),
    base: sweep.base,
    vary: sweep.vary,
    pointCount: sweep.pointCount,
    reference: { ...sweep.reference },
    fidelity: 'row',
    points: [...sorted.map((r, i) => pointReport(r, report.runs[i]!)), ...finished.map((f) => f.point)].sort(
      (a, b) => a.index - b.index,
    ),
    meta: {
      ...meta,
      points: [
        ...sorted.map((r, i) => ({
          index: r.index,
          source: timings[i]!.source,
          phases: timings[i]!.phases,
        })),
        ...finished.map((f) => f.timing),
      ].sort((a, b) => a.index - b.index),
    },
  };
}

/** Whether any point runs on a cluster: the tables and charts then show throughput and scaling. */
export function hasClusters(report: SweepReport): boolean {
  return report.points.some((p) => p.systems > 1) || 'cluster.systems' in report.vary;
}

/** The metrics the sweep's pages define, in the order they print them. */
export function definedMetrics(report: SweepReport): readonly string[] {
  const base = ['flopReduction', 'realizedSpeedup', 'efficiency', 'stepSeconds', 'timeToTrain'];
  return hasClusters(report) ? [...base, 'tokensPerSecond', 'scalingEfficiency', 'boundaryShare'] : base;
}

/** The report as written to sweep.json (and printed by `sweep --json`). */
export function renderSweepJson(report: SweepReport): string {
  assertFiniteNumbers(report, 'sweep report');
  try {
    return `${JSON.stringify(report, null, 2)}\n`;
  } catch (error) {
    // A JavaScript string holds at most 512 MiB: about 19,000 points of a two-phase workload.
    if (!(error instanceof RangeError)) throw error;
    throw inputError(
      'too-large',
      report.name,
      `the sweep's ${report.points.length} points are too many to write as one sweep.json (its JSON would be ` +
        'over 512 MiB, the most one string holds): vary fewer values, or run it in shards (--shard i/n) and keep ' +
        'their folders apart rather than merging them',
    );
  }
}
