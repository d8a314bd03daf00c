/**
 * Writes report.md, report.json, report.csv and report.html into an output directory, atomically (DESIGN §9:
 * nothing half-written on disk). Every file is rendered and written into a temporary directory
 * next to the target first; only when all of them are complete are they renamed into place (a
 * rename within one file system replaces a file whole). On any error, or on cancellation before
 * the renames, the temporary directory and any directory this call created are removed.
 */
import { mkdir, mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CancelledError } from '../simulator/executor.ts';
import { renderReportCsv } from './report-csv.ts';
import { type Report, renderReportJson } from './report-json.ts';
import { renderReportMarkdown } from './report-markdown.ts';

export interface ReportFile {
  readonly name: string;
  readonly render: (report: Report) => string | Promise<string>;
}

/** The HTML page pulls in vega: loaded only when a report is written, not by every command. */
async function renderReportHtml(report: Report): Promise<string> {
  const page = await import('./html/page.ts');
  return page.renderReportHtml(report);
}

export const REPORT_FILES: readonly ReportFile[] = [
  { name: 'report.md', render: renderReportMarkdown },
  { name: 'report.json', render: renderReportJson },
  { name: 'report.csv', render: renderReportCsv },
  { name: 'report.html', render: renderReportHtml },
];

export interface WriteReportOptions {
  /** The files to render (tests inject a failing renderer); default REPORT_FILES. */
  readonly files?: readonly ReportFile[];
  /** Checked before the first rename: a cancelled run writes nothing. */
  readonly signal?: AbortSignal;
}

/** Writes the report files into `outDir` (created if missing); returns their paths. */
export async function writeReport(
  report: Report,
  outDir: string,
  options: WriteReportOptions = {},
): Promise<string[]> {
  const files = options.files ?? REPORT_FILES;
  const target = resolve(outDir);
  const parent = dirname(target);
  // The first directory mkdir created, if any: everything below it is ours to remove on failure.
  const createdParent = await mkdir(parent, { recursive: true });
  let temp: string | undefined;
  let createdTarget = false;
  try {
    temp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
    for (const file of files) await writeFile(join(temp, file.name), await file.render(report));
    if (options.signal?.aborted) throw new CancelledError();
    createdTarget = (await mkdir(target, { recursive: true })) !== undefined;
    const written: string[] = [];
    for (const file of files) {
      await rename(join(temp, file.name), join(target, file.name));
      written.push(join(target, file.name));
    }
    await rmdir(temp);
    return written;
  } catch (error) {
    if (temp !== undefined) await rm(temp, { recursive: true, force: true });
    if (createdTarget) await rmdir(target).catch(() => {});
    if (createdParent !== undefined) await rm(createdParent, { recursive: true, force: true });
    throw error;
  }
}
