/**
 * `wafersim run` (DESIGN §9): simulate a workload, preset or study, and write report.md,
 * report.json and report.csv. Units run in a session worker with a pool (`--workers N`) or in
 * this thread (`--workers 0`); the report is the same either way, apart from its `meta`.
 * Ctrl-C cancels the simulation: nothing is written and the exit code is 130.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { inputError } from '../../models/diagnostics.ts';
import { seconds } from '../../reports/format-values.ts';
import {
  buildReport,
  type InvocationMeta,
  type Report,
  renderReportJson,
} from '../../reports/report-json.ts';
import { writeReport } from '../../reports/write-report.ts';
import { CancelledError, serialExecutor } from '../../simulator/executor.ts';
import { runInSession } from '../../simulator/parallel/index.ts';
import type { WorkloadSummary } from '../../simulator/run-summary.ts';
import { simulateRun } from '../../simulator/simulate-run.ts';
import { resolveStudyOrWorkload, type Workload } from '../../workloads/index.ts';
import { formatPercent, formatRatio, formatTable } from '../format.ts';
import type { Io } from '../io.ts';
import { parseNumberOption } from '../options.ts';
import { createProgressBar, type Progress, type ProgressEvent } from '../progress.ts';

/** Exit code of a run cancelled by SIGINT (128 + 2, the shell's convention). */
export const EXIT_INTERRUPTED = 130;

const FIDELITIES = ['row', 'wavelet'] as const;

interface RunCommandOptions {
  out?: string;
  workers?: string;
  fidelity?: string;
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

function checkFidelity(text: string): void {
  if (text === 'row') return;
  const message =
    text === 'wavelet'
      ? "only the 'row' fidelity exists in this version; the 'wavelet' fidelity (every PE, router and link) is not implemented yet"
      : `'${text}' is not a fidelity; accepted: ${FIDELITIES.join(', ')} (only 'row' in this version)`;
  throw inputError('invalid-value', '--fidelity', message);
}

function packageVersion(): string {
  const json = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(json.version);
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

function summaryTable(report: Report): string {
  const rows: string[][] = [];
  for (const run of report.runs) {
    for (const p of run.phases) {
      rows.push([
        run.name,
        p.name,
        formatPercent(p.sparsity),
        formatRatio(p.flopReduction),
        formatRatio(p.realizedSpeedup),
        formatPercent(p.efficiency),
        seconds(p.stepSeconds),
        seconds(p.timeToTrain.sparse.seconds),
      ]);
    }
    if (run.phases.length > 1) {
      const t = run.totals;
      rows.push([
        run.name,
        'all phases',
        '',
        formatRatio(t.flopReduction),
        formatRatio(t.realizedSpeedup),
        formatPercent(t.efficiency),
        '',
        seconds(t.timeToTrain.sparse.seconds),
      ]);
    }
  }
  const header = [
    'run',
    'phase',
    'sparsity',
    'FLOP reduction',
    'realized speedup',
    'efficiency',
    'step time',
    'time to train',
  ];
  return formatTable(header, rows);
}

export function registerRun(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('run')
    .description(
      'Simulate training a workload, preset or study; write report.html, report.md, report.json and report.csv',
    )
    .argument('<workload>', 'a workload JSON file, a workload preset or a study preset')
    .option('--out <dir>', 'directory for the report files (default: out/<name>)')
    .option('--workers <N>', 'worker threads; 0 runs in this thread (default: the number of CPU cores)')
    .option('--fidelity <row|wavelet>', "simulation fidelity; only 'row' in this version", 'row')
    .option('--json', 'print only the report JSON on stdout (the files are still written)')
    .action(async (ref: string, options: RunCommandOptions) => {
      // Validate every option before any work, so bad input exits 2 with nothing written.
      const workers = parseWorkers(options.workers);
      checkFidelity(options.fidelity ?? 'row');
      const resolved = resolveStudyOrWorkload(ref);
      const outDir = options.out ?? join('out', resolved.name);

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
        const summaries = await simulate(resolved.workloads, workers, controller.signal, progress?.update);
        const wallSeconds = (performance.now() - started) / 1000;
        progress?.stop();
        const meta: InvocationMeta = {
          generatedAt: new Date().toISOString(),
          wafersimVersion: packageVersion(),
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
          host: hostname(),
          cpus: availableParallelism(),
          workers,
          wallSeconds,
          outDir: resolve(outDir),
        };
        const report = buildReport(summaries, meta);
        const written = await writeReport(report, outDir, { signal: controller.signal });
        if (options.json) {
          io.stdout(renderReportJson(report));
          return;
        }
        const paths = written.map((p) => relative(process.cwd(), p) || p);
        io.stdout(`${summaryTable(report)}\n\nWrote ${paths.join(', ')}\n`);
      } catch (error) {
        if (!(error instanceof CancelledError) && !controller.signal.aborted) throw error;
        progress?.stop();
        io.stderr('wafersim: interrupted; the simulation was cancelled and nothing was written\n');
        setExitCode(EXIT_INTERRUPTED);
      } finally {
        progress?.stop();
        process.off('SIGINT', onSigint);
      }
    });
}
