/**
 * `wafersim compare <DIR...> [--out DIR]` (DESIGN §9): result folders side by side (reports/compare.ts).
 * Prints the table and what differs between the rows' workloads; writes compare.md, compare.json,
 * compare.csv and compare.html into --out (default out/compare), atomically.
 */
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  COMPARE_HEADER,
  compareCells,
  compareFolders,
  readResultFolder,
  renderCompareJson,
  writeComparison,
} from '../../reports/compare.ts';
import { checkOutDir } from '../../reports/output-folder.ts';
import { formatTable } from '../format.ts';
import type { Io } from '../io.ts';

/** A value cut to fit a terminal line; compare.md and compare.html hold it whole. */
function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

export function registerCompare(program: Command, io: Io): void {
  program
    .command('compare')
    .description(
      'Put result folders (what run or sweep wrote) side by side: one table, what differs between their workloads, one HTML page',
    )
    .argument('<dir...>', 'folders holding a report.json or a sweep.json')
    .option(
      '--out <dir>',
      'directory for compare.md, compare.json, compare.csv and compare.html',
      join('out', 'compare'),
    )
    .option('--json', 'print only the comparison JSON on stdout (the files are still written)')
    .action(async (dirs: string[], options: { out: string; json?: boolean }) => {
      checkOutDir(options.out);
      const comparison = compareFolders(dirs.map((dir) => readResultFolder(resolve(dir), dir)));
      const written = await writeComparison(comparison, options.out);
      if (options.json) {
        io.stdout(renderCompareJson(comparison));
        return;
      }
      const differences =
        comparison.differences.length === 0
          ? 'The rows were simulated from identical workloads (apart from names).'
          : `What differs:\n${comparison.differences
              .map((d) => `  ${d.path}: ${d.values.map((v, i) => `#${i} ${short(v ?? '—')}`).join(', ')}`)
              .join('\n')}`;
      const paths = written.map((p) => relative(process.cwd(), p) || p);
      io.stdout(
        `${formatTable(COMPARE_HEADER, compareCells(comparison))}\n\n${differences}\n\nWrote ${paths.join(', ')}\n`,
      );
    });
}
