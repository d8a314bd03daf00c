/**
 * Writes sweep.md, sweep.json, sweep.csv and sweep.html into an output directory, atomically, by
 * the technique of write-report.ts: every file is rendered first, written into a temporary
 * directory next to the target, and only when all of them are complete renamed into place. On
 * any error, or on cancellation before the renames, the temporary directory and any directory
 * this call created are removed.
 */
import { mkdir, mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CancelledError } from '../../simulator/executor.ts';
import { renderSweepCsv } from './sweep-csv.ts';
import { renderSweepMarkdown } from './sweep-markdown.ts';
import { renderSweepJson, type SweepReport } from './sweep-report.ts';

export interface SweepFile {
  readonly name: string;
  readonly render: (report: SweepReport) => string | Promise<string>;
}

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

/** Writes the sweep files into `outDir` (created if missing); returns their paths. */
export async function writeSweepReport(
  report: SweepReport,
  outDir: string,
  options: WriteSweepOptions = {},
): Promise<string[]> {
  const files = options.files ?? SWEEP_FILES;
  const rendered: { name: string; text: string }[] = [];
  for (const file of files) rendered.push({ name: file.name, text: await file.render(report) });
  const target = resolve(outDir);
  const parent = dirname(target);
  // The first directory mkdir created, if any: everything below it is ours to remove on failure.
  const createdParent = await mkdir(parent, { recursive: true });
  let temp: string | undefined;
  let createdTarget = false;
  try {
    temp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
    for (const file of rendered) await writeFile(join(temp, file.name), file.text);
    if (options.signal?.aborted) throw new CancelledError();
    createdTarget = (await mkdir(target, { recursive: true })) !== undefined;
    const written: string[] = [];
    for (const file of rendered) {
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
