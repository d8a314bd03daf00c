/**
 * Writes sweep.md, sweep.json, sweep.csv and sweep.html into an output directory, atomically
 * (reports/atomic-write.ts).
 */
import { type RenderedFile, writeFilesAtomically } from '../atomic-write.ts';
import { renderSweepCsv } from './sweep-csv.ts';
import { renderSweepMarkdown } from './sweep-markdown.ts';
import { renderSweepJson, type SweepReport } from './sweep-report.ts';

export type SweepFile = RenderedFile<SweepReport>;

/** The HTML page pulls in vega: loaded only when a sweep is written, not by every command. */
async function renderSweepHtml(report: SweepReport): Promise<string> {
  const page = await import('./sweep-html.ts');
  return page.renderSweepHtml(report);
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
  /** Checked before the first rename: a cancelled run writes nothing. */
  readonly signal?: AbortSignal;
}

/** Writes the sweep files into `outDir` (created if missing), atomically; returns their paths. */
export function writeSweepReport(
  report: SweepReport,
  outDir: string,
  options: WriteSweepOptions = {},
): Promise<string[]> {
  return writeFilesAtomically(report, options.files ?? SWEEP_FILES, outDir, options.signal);
}
