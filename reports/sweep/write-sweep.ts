/**
 * Writes sweep.md, sweep.json, sweep.csv and sweep.html into an output directory, atomically
 * (reports/atomic-write.ts).
 */
import { type RenderedFile, type WriteFs, writeFilesAtomically } from '../atomic-write.ts';
import { renderSweepCsv } from './sweep-csv.ts';
import { renderSweepMarkdown } from './sweep-markdown.ts';
import { renderSweepJson, type SweepReport } from './sweep-report.ts';

export type SweepFile = RenderedFile<SweepReport>;

let pageModule: Promise<typeof import('./sweep-html.ts')> | undefined;

/** As preloadReportPage: vega loads while the units simulate, not after. */
export function preloadSweepPage(): void {
  pageModule ??= import('./sweep-html.ts');
  pageModule.catch(() => {});
}

async function renderSweepHtml(report: SweepReport): Promise<string> {
  pageModule ??= import('./sweep-html.ts');
  return (await pageModule).renderSweepHtml(report);
}

export const SWEEP_FILES: readonly SweepFile[] = [
  { name: 'sweep.md', render: renderSweepMarkdown },
  { name: 'sweep.json', render: renderSweepJson },
  { name: 'sweep.csv', render: renderSweepCsv },
  { name: 'sweep.html', render: renderSweepHtml },
];

export interface WriteSweepOptions {
  /** The files to render (tests inject a failing renderer); default SWEEP_FILES. */
  readonly files?: readonly SweepFile[];
  /** Checked before anything is written and before the commit: a cancelled run writes nothing. */
  readonly signal?: AbortSignal;
  /** How error messages name the output folder; default `--out`. */
  readonly option?: string;
  /** Tests only: replacements for the calls that change the disk (reports/atomic-write.ts). */
  readonly fs?: Partial<WriteFs>;
}

/** Writes the sweep files into `outDir` (created if missing), atomically; returns their paths. */
export function writeSweepReport(
  report: SweepReport,
  outDir: string,
  options: WriteSweepOptions = {},
): Promise<string[]> {
  const { files = SWEEP_FILES, ...rest } = options;
  return writeFilesAtomically(report, files, outDir, { ...rest, set: 'sweep' });
}
