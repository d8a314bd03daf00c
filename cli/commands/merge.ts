/**
 * `wafersim merge` (DESIGN §7, §9): the folders that `wafersim sweep --shard i/n` wrote → the
 * files one unsharded `wafersim sweep` writes (identical apart from sweep.json's `meta`). Shards of
 * different sweeps, a point in two folders or a point in none exit 2 naming the folders and point
 * indices, and nothing is written.
 */
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { checkOutDir, defaultOutDir } from '../../reports/output-folder.ts';
import { mergeSweepReports, readSweepDir } from '../../reports/sweep/merge-sweeps.ts';
import { renderSweepJson } from '../../reports/sweep/sweep-report.ts';
import { writeSweepReport } from '../../reports/sweep/write-sweep.ts';
import type { Io } from '../io.ts';
import { invocationFacts } from '../simulate.ts';
import { sweepSummaryTable } from './sweep.ts';

interface MergeCommandOptions {
  out?: string;
  json?: boolean;
}

export function registerMerge(program: Command, io: Io): void {
  program
    .command('merge')
    .description('Merge the shard folders of a sweep into what one unsharded wafersim sweep writes')
    .argument('<dir...>', 'folders written by wafersim sweep --shard i/n (each holds a sweep.json)')
    .option('--out <dir>', 'directory for the merged sweep files (default: out/<name>)')
    .option('--json', 'print only the merged sweep JSON on stdout (the files are still written)')
    .action(async (dirs: string[], options: MergeCommandOptions) => {
      if (options.out !== undefined) checkOutDir(options.out);
      const shards = dirs.map((dir) => readSweepDir(resolve(dir), dir));
      const outDir = options.out ?? defaultOutDir(shards[0]!.report.name);
      const report = mergeSweepReports(shards, { ...invocationFacts(), outDir: resolve(outDir) });
      const written = await writeSweepReport(report, outDir);
      if (options.json) {
        io.stdout(renderSweepJson(report));
        return;
      }
      const paths = written.map((p) => relative(process.cwd(), p) || p);
      io.stdout(
        `${sweepSummaryTable(report)}\n\nMerged ${shards.length} folder(s), ${report.points.length} points. Wrote ${paths.join(', ')}\n`,
      );
    });
}
