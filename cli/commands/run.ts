import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { seconds } from '../../reports/format-values.ts';
import { checkOutDir, defaultOutDir } from '../../reports/output-folder.ts';
import {
  buildReport,
  type InvocationMeta,
  type Report,
  renderReportJson,
} from '../../reports/report-json.ts';
import { buildTrace, checkTracePath, renderTrace, writeTraceFile } from '../../reports/trace.ts';
import { preloadReportPage, writeReport } from '../../reports/write-report.ts';
import { formatPercent, formatRatio, formatTable } from '../format.ts';
import type { Io } from '../io.ts';
import { collect, parseFidelity, SET_HELP, SET_OPTION } from '../options.ts';
import { invocationFacts, parseWorkers, simulateCancellably } from '../simulate.ts';
import { versionLine } from '../version.ts';
import { resolveRef } from '../workload-ref.ts';

interface RunCommandOptions {
  out?: string;
  trace?: string;
  set?: string[];
  workers?: string;
  fidelity?: string;
  json?: boolean;
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
      'Simulate training a workload, preset or study; write report.html, report.md, report.json, report.csv and ops.csv',
    )
    .argument('<workload>', 'a workload JSON file, a workload preset or a study preset')
    .option(
      '--out <dir>',
      'folder for the report files (default: out/<name>, the name made a safe folder name)',
    )
    .option(SET_OPTION, SET_HELP, collect)
    .option('--workers <N>', 'worker threads; 0 runs in this thread (default: the number of CPU cores)')
    .option(
      '--fidelity <row|wavelet>',
      "simulation fidelity: 'row' (every matmul's row groups, collapsed row by row), or 'wavelet' (the same, each " +
        "matmul's cycles scaled by its slowest row group's sampled region run PE by PE on the wavelet fabric; slower)",
      'row',
    )
    .option('--json', 'print only the report JSON on stdout (the files are still written)')
    .option(
      '--trace <file>',
      'also write the simulated steps as a timeline (Chrome trace-event JSON; open it in ui.perfetto.dev)',
    )
    .action(async (ref: string, options: RunCommandOptions) => {
      // Validate every option before any work, so bad input exits 2 with nothing written.
      const workers = parseWorkers(options.workers);
      const fidelity = parseFidelity(options.fidelity ?? 'row');
      const resolved = resolveRef(ref, options.set);
      const outDir = options.out ?? defaultOutDir(resolved.name);
      checkOutDir(outDir);
      if (options.trace !== undefined) checkTracePath(options.trace);
      preloadReportPage();

      await simulateCancellably(
        io,
        { workloads: resolved.workloads, workers, json: Boolean(options.json), what: 'simulation', fidelity },
        setExitCode,
        async (summaries, wallSeconds, signal) => {
          const meta: InvocationMeta = {
            ...invocationFacts(),
            workers,
            wallSeconds,
            outDir: resolve(outDir),
          };
          const report = buildReport(summaries, meta);
          const trace = options.trace === undefined ? undefined : renderTrace(buildTrace(summaries, meta));
          const written = await writeReport(report, outDir, { signal });
          if (options.trace !== undefined && trace !== undefined) {
            writeTraceFile(options.trace, trace);
            written.push(resolve(options.trace));
          }
          if (options.json) {
            io.stdout(renderReportJson(report));
            return;
          }
          const paths = written.map((p) => relative(process.cwd(), p) || p);
          io.stdout(`${summaryTable(report)}\n\nWrote ${paths.join(', ')}\n${versionLine()}\n`);
        },
      );
    });
}
