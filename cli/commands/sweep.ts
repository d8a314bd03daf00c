import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { compileWorkload } from '../../compiler/pipeline.ts';
import { type Diagnostic, InputError } from '../../models/diagnostics.ts';
import { seconds } from '../../reports/format-values.ts';
import { loadGpuBaseline } from '../../reports/gpu-baseline.ts';
import { checkOutDir, defaultOutDir as outDirOf, outputError } from '../../reports/output-folder.ts';
import {
  checkpointDir,
  readFinishedPoints,
  removeFinishedPoints,
  writeFinishedPoint,
} from '../../reports/sweep/checkpoint.ts';
import { formatVariedValue } from '../../reports/sweep/sweep-markdown.ts';
import {
  buildSweepReport,
  renderSweepJson,
  type SweepInvocationMeta,
  type SweepReport,
  sweepDefinition,
} from '../../reports/sweep/sweep-report.ts';
import { preloadSweepPage, writeSweepReport } from '../../reports/sweep/write-sweep.ts';
import {
  expandSweep,
  loadSweep,
  parseOverride,
  parseShard,
  type Shard,
  type SweepPoint,
  shardPoints,
} from '../../workloads/sweeps/index.ts';
import { formatPercent, formatRatio, formatTable } from '../format.ts';
import type { Io } from '../io.ts';
import { collect, SET_HELP, SET_OPTION } from '../options.ts';
import { invocationFacts, parseWorkers, simulateCancellably } from '../simulate.ts';
import { versionLine } from '../version.ts';

interface SweepCommandOptions {
  shard?: string;
  resume?: boolean;
  out?: string;
  set?: string[];
  workers?: string;
  json?: boolean;
}

/** Where a sweep's files go by default: out/<name>, a shard in a folder of its own below it. */
function defaultOutDir(name: string, shard: Shard | undefined): string {
  return shard === undefined ? outDirOf(name) : outDirOf(name, `shard-${shard.index}-of-${shard.count}`);
}

/** A failure to keep or remove a checkpoint, as the message of the --out error it maps to. */
function describe(error: unknown, outDir: string): string {
  const mapped = outputError(error, outDir);
  return mapped instanceof Error ? mapped.message : String(mapped);
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

export function registerSweep(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('sweep')
    .description(
      'Simulate every point of a sweep (or one shard of it); write sweep.md, sweep.json, sweep.csv and sweep.html',
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
    .option(SET_OPTION, `${SET_HELP}; applied to the base, before each point's values`, collect)
    .option(
      '--resume',
      'skip the points an interrupted run of the same sweep finished (kept in <out>/.points as each finished)',
    )
    .option('--workers <N>', 'worker threads; 0 runs in this thread (default: the number of CPU cores)')
    .option('--json', 'print only the sweep JSON on stdout (the files are still written)')
    .action(async (ref: string, options: SweepCommandOptions) => {
      // Validate every option and point before any simulation, so bad input exits 2 with nothing written.
      const workers = parseWorkers(options.workers);
      const shard = options.shard === undefined ? undefined : parseShard(options.shard);
      const overrides = (options.set ?? []).map((text) => parseOverride(text));
      const sweep = loadSweep(ref);
      const expanded = expandSweep(sweep, { overrides });
      const points = shard ? shardPoints(expanded.points, shard.index, shard.count) : [...expanded.points];
      const outDir = options.out ?? defaultOutDir(sweep.name, shard);
      checkOutDir(outDir);
      const definition = sweepDefinition(sweep, expanded);
      // Read once: every point's report (kept as it finishes) and the final one use it.
      const gpu = loadGpuBaseline();
      // Points finished by an earlier, interrupted run of this same sweep (same sweepId) are
      // skipped with --resume; without it every point is simulated (and the kept ones stay, each
      // rewritten as the point finishes again: the same sweep gives the same point).
      const wanted = new Set(points.map((p) => p.index));
      const finished = options.resume ? readFinishedPoints(outDir, expanded.sweepId, wanted) : [];
      const done = new Set(finished.map((f) => f.point.index));
      const todo = points.filter((p) => !done.has(p.index));
      checkPointsCompile(todo);
      if (finished.length > 0 && !options.json) {
        io.stderr(`wafersim: resuming: ${finished.length} of ${points.length} points already finished\n`);
      }
      preloadSweepPage();
      let keepFailed = false;

      await simulateCancellably(
        io,
        {
          workloads: todo.map((p) => p.workload),
          workers,
          json: Boolean(options.json),
          what: 'sweep',
          // Each point is kept as it finishes, so an interrupted sweep can resume.
          // A point that cannot be kept (a full disk) is said once; the sweep goes on without it.
          onWorkloadDone: (i, summary) => {
            const p = todo[i]!;
            const single = buildSweepReport(definition, [{ index: p.index, values: p.values, summary }], {
              ...invocationFacts(),
              workers,
            });
            try {
              writeFinishedPoint(outDir, expanded.sweepId, {
                point: single.points[0]!,
                timing: single.meta.points[0]!,
              });
            } catch (error) {
              if (!keepFailed)
                io.stderr(`wafersim: point ${p.index} is not kept: ${describe(error, outDir)}\n`);
              keepFailed = true;
            }
          },
          interrupted: () => {
            const kept = readFinishedPoints(outDir, expanded.sweepId, wanted).length;
            return kept === 0
              ? 'nothing was written'
              : `${kept} finished point(s) are kept in ${checkpointDir(outDir, expanded.sweepId)}; run the same command with --resume to skip them`;
          },
        },
        setExitCode,
        async (summaries, wallSeconds, signal) => {
          const meta: SweepInvocationMeta = {
            ...invocationFacts(),
            workers,
            wallSeconds,
            outDir: resolve(outDir),
            ...(shard ? { shard: { ...shard, points: points.map((p) => p.index) } } : {}),
          };
          const results = todo.map((p, i) => ({
            index: p.index,
            values: p.values,
            summary: summaries[i]!,
          }));
          const report = buildSweepReport(definition, results, meta, gpu, finished);
          const written = await writeSweepReport(report, outDir, { signal });
          try {
            removeFinishedPoints(outDir, expanded.sweepId);
          } catch (error) {
            io.stderr(`wafersim: the kept points were not removed: ${describe(error, outDir)}\n`);
          }
          if (options.json) {
            io.stdout(renderSweepJson(report));
            return;
          }
          const paths = written.map((p) => relative(process.cwd(), p) || p);
          const which = shard ? `shard ${shard.index}/${shard.count}: ${points.length} of ` : '';
          io.stdout(
            `${sweepSummaryTable(report)}\n\n${which}${expanded.points.length} points. Wrote ${paths.join(', ')}\n${versionLine()}\n`,
          );
        },
      );
    });
}
