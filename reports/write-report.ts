/**
 * Writes report.md, report.json, report.csv, ops.csv and report.html into an output directory as
 * one set, atomically (reports/atomic-write.ts).
 */
import { type RenderedFile, type WriteFs, writeFilesAtomically } from './atomic-write.ts';
import { renderOpsCsv, renderReportCsv } from './report-csv.ts';
import { type Report, renderReportJson } from './report-json.ts';
import { renderReportMarkdown } from './report-markdown.ts';

export type ReportFile = RenderedFile<Report>;

let pageModule: Promise<typeof import('./html/page.ts')> | undefined;

/**
 * The HTML page pulls in vega: loaded only when a report is written, not by every command. A
 * command that will write one calls this first, so vega loads while the units simulate.
 */
export function preloadReportPage(): void {
  pageModule ??= import('./html/page.ts');
  // A failure to load surfaces when the page is rendered, not here.
  pageModule.catch(() => {});
}

async function renderReportHtml(report: Report): Promise<string> {
  pageModule ??= import('./html/page.ts');
  return (await pageModule).renderReportHtml(report);
}

export const REPORT_FILES: readonly ReportFile[] = [
  { name: 'report.md', render: renderReportMarkdown },
  { name: 'report.json', render: renderReportJson },
  { name: 'report.csv', render: renderReportCsv },
  { name: 'ops.csv', render: renderOpsCsv },
  { name: 'report.html', render: renderReportHtml },
];

export interface WriteReportOptions {
  /** The files to render (tests inject a failing renderer); default REPORT_FILES. */
  readonly files?: readonly ReportFile[];
  /** Checked before anything is written and before the commit: a cancelled run writes nothing. */
  readonly signal?: AbortSignal;
  /** How error messages name the output folder; default `--out`. */
  readonly option?: string;
  /** Tests only: replacements for the calls that change the disk (reports/atomic-write.ts). */
  readonly fs?: Partial<WriteFs>;
}

/** Writes the report files into `outDir` (created if missing), atomically; returns their paths. */
export function writeReport(
  report: Report,
  outDir: string,
  options: WriteReportOptions = {},
): Promise<string[]> {
  const { files = REPORT_FILES, ...rest } = options;
  return writeFilesAtomically(report, files, outDir, { ...rest, set: 'report' });
}
