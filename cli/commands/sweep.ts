/**
 * `wafersim sweep` (DESIGN §7, §9): expand a sweep into its points, simulate them (all, or one
 * shard's), and write sweep.md, sweep.json and sweep.csv. The points run in ONE simulateRun call,
 * so their dense-equivalent steps are shared and the worker pool is started once; in a session
 * worker with a pool (`--workers N`) or in this thread (`--workers 0`), as `run` does. Every point
 * is validated and compiled before the first one is simulated: a sweep that cannot run fails in
 * seconds, not after hours. Ctrl-C cancels: nothing is written, exit code 130.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { compileWorkload } from '../../compiler/pipeline.ts';
import { type Diagnostic, InputError, inputError } from '../../models/diagnostics.ts';
import { seconds } from '../../reports/format-values.ts';
import { formatVariedValue } from '../../reports/sweep/sweep-markdown.ts';
import {
  buildSweepReport,
  renderSweepJson,
  type SweepInvocationMeta,
  type SweepReport,
  sweepDefinition,
} from '../../reports/sweep/sweep-report.ts';
import { writeSweepReport } from '../../reports/sweep/write-sweep.ts';
import { CancelledError, serialExecutor } from '../../simulator/executor.ts';
import { runInSession } from '../../simulator/parallel/index.ts';
import type { WorkloadSummary } from '../../simulator/run-summary.ts';
import { simulateRun } from '../../simulator/simulate-run.ts';
import type { Workload } from '../../workloads/index.ts';
import {
  expandSweep,
  loadSweep,
  parseShard,
  type Shard,
  type SweepPoint,
  shardPoints,
} from '../../workloads/sweeps/index.ts';
import { formatPercent, formatRatio, formatTable } from '../format.ts';
import type { Io } from '../io.ts';
import { parseNumberOption } from '../options.ts';
import { createProgressBar, type Progress, type ProgressEvent } from '../progress.ts';
import { EXIT_INTERRUPTED } from './run.ts';

interface SweepCommandOptions {
  shard?: string;
  out?: string;
  workers?: string;
  json?: boolean;
}

function parseWorkers(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const value = parseNumberOption('--workers', text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw inputError(
      'invalid-value',
      '--workers',
      `'${text}' must be a whole number of worker threads ≥ 0 (0 runs in this thread)`,
    );
  }
  return value;
}

export function packageVersion(): string {
  const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(json.version);
}

/** Where a sweep's files go by default: out/<name>, a shard in a folder of its own below it. */
function defaultOutDir(name: string, shard: Shard | undefined): string {
  const dir = join('out', name);
  return shard === undefined ? dir : join(dir, `shard-${shard.index}-of-${shard.count}`);
}

/** Every phase of every point must place on its mesh; all failures are reported together. */
function checkPointsCompile(points: readonly SweepPoint[]): void {
  const diagnostics: Diagnostic[] = [];
  for (const point of points) {
    const result = compileWorkload(point.workload);
    if (!result.ok) diagnostics.push(...result.diagnostics);
  }
  if (diagnostics.length > 0) throw new InputError(diagnostics);
}

async function simulate(
  workloads: readonly Workload[],
  workers: number,
  signal: AbortSignal,
  onProgress: ((event: ProgressEvent) => void) | undefined,
): Promise<WorkloadSummary[]> {
  const progress = onProgress ? { onProgress } : {};
  if (workers === 0) return simulateRun(workloads, { executor: serialExecutor, signal, ...progress });
  return runInSession(workloads, { workers, signal, ...progress });
}

/** The printed summary: per point its values and its sparse phase's main figures. */
export function sweepSummaryTable(report: SweepReport): string {
  const keys = Object.keys(report.vary);
  const rows = report.points.map((p) => [
    String(p.index),
    ...keys.map((k) => formatVariedValue(p.values[k])),
    formatRatio(p.flopReduction),
    formatRatio(p.realizedSpeedup),
    formatPercent(p.efficiency),
    seconds(p.stepSeconds),
    seconds(p.timeToTrainSeconds),
  ]);
  const header = [
    '#',
    ...keys,
    'FLOP reduction',
    'realized speedup',
    'efficiency',
    'step time',
    'time to train',
  ];
  return formatTable(header, rows);
}

export function invocationMeta(): Omit<SweepInvocationMeta, 'workers' | 'wallSeconds' | 'outDir'> {
  return {
    generatedAt: new Date().toISOString(),
    wafersimVersion: packageVersion(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    host: hostname(),
    cpus: availableParallelism(),
  };
}

export function registerSweep(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('sweep')
    .description(
      'Simulate every point of a sweep (or one shard of it); write sweep.md, sweep.json and sweep.csv',
    )
    .argument('<sweep>', 'a sweep JSON file or a sweep preset')
    .option(
      '--shard <i/n>',
      'run only shard i of n (points whose index mod n is i − 1); merge them with wafersim merge',
    )
    .option(
      '--out <dir>',
      'directory for the sweep files (default: out/<name>, a shard in out/<name>/shard-<i>-of-<n>)',
    )
    .option('--workers <N>', 'worker threads; 0 runs in this thread (default: the number of CPU cores)')
    .option('--json', 'print only the sweep JSON on stdout (the files are still written)')
    .action(async (ref: string, options: SweepCommandOptions) => {
      // Validate every option and point before any simulation, so bad input exits 2 with nothing written.
      const workers = parseWorkers(options.workers);
      const shard = options.shard === undefined ? undefined : parseShard(options.shard);
      const sweep = loadSweep(ref);
      const expanded = expandSweep(sweep);
      const points = shard ? shardPoints(expanded.points, shard.index, shard.count) : [...expanded.points];
      checkPointsCompile(points);
      const outDir = options.out ?? defaultOutDir(sweep.name, shard);

      const controller = new AbortController();
      const onSigint = () => {
        // A second Ctrl-C does not wait for the cancellation to finish.
        if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      const progress: Progress | undefined =
        io.stderrIsTty && !options.json ? createProgressBar(io) : undefined;
      try {
        const started = performance.now();
        const summaries = await simulate(
          points.map((p) => p.workload),
          workers,
          controller.signal,
          progress?.update,
        );
        const wallSeconds = (performance.now() - started) / 1000;
        progress?.stop();
        const meta: SweepInvocationMeta = {
          ...invocationMeta(),
          workers,
          wallSeconds,
          outDir: resolve(outDir),
          ...(shard ? { shard: { ...shard, points: points.map((p) => p.index) } } : {}),
        };
        const results = points.map((p, i) => ({ index: p.index, values: p.values, summary: summaries[i]! }));
        const report = buildSweepReport(sweepDefinition(sweep, expanded), results, meta);
        const written = await writeSweepReport(report, outDir, { signal: controller.signal });
        if (options.json) {
          io.stdout(renderSweepJson(report));
          return;
        }
        const paths = written.map((p) => relative(process.cwd(), p) || p);
        const which = shard ? `shard ${shard.index}/${shard.count}: ${points.length} of ` : '';
        io.stdout(
          `${sweepSummaryTable(report)}\n\n${which}${expanded.points.length} points. Wrote ${paths.join(', ')}\n`,
        );
      } catch (error) {
        if (!(error instanceof CancelledError) && !controller.signal.aborted) throw error;
        progress?.stop();
        io.stderr('wafersim: interrupted; the sweep was cancelled and nothing was written\n');
        setExitCode(EXIT_INTERRUPTED);
      } finally {
        progress?.stop();
        process.off('SIGINT', onSigint);
      }
    });
}
