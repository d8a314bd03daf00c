/**
 * writeReport is atomic: all five files appear, or none does and nothing is left over (a renderer
 * that throws midway, a cancelled run), and a failed write leaves an earlier report in the
 * directory as it was. The writer itself (generations, kills, concurrency): atomic-write.test.ts.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../simulator/executor.ts';
import { buildReport } from './report-json.ts';
import { FIXTURE_META, fixtureSummary } from './test-support.ts';
import { REPORT_FILES, type ReportFile, writeReport } from './write-report.ts';

const META = FIXTURE_META;
const report = buildReport([fixtureSummary()], META);
const root = mkdtempSync(join(tmpdir(), 'wafersim-write-report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The real renderers with the second one throwing: the first file is already in the temp dir. */
const FAILING: readonly ReportFile[] = REPORT_FILES.map((file, i) =>
  i === 1
    ? {
        name: file.name,
        render: () => {
          throw new Error('render failed');
        },
      }
    : file,
);

describe('writeReport', () => {
  it('writes report.md, report.json, report.csv, ops.csv and report.html into a new directory, nothing else', async () => {
    const out = join(root, 'ok', 'nested', 'out');
    const written = await writeReport(report, out);
    expect(written).toEqual(
      ['report.md', 'report.json', 'report.csv', 'ops.csv', 'report.html'].map((f) => join(out, f)),
    );
    // The names are links into the set's current generation, under .wafersim/.
    expect(readdirSync(out).sort()).toEqual([
      '.wafersim',
      'ops.csv',
      'report.csv',
      'report.html',
      'report.json',
      'report.md',
    ]);
    expect(readdirSync(join(root, 'ok', 'nested'))).toEqual(['out']);
    expect(readdirSync(join(out, '.wafersim'))).toEqual(['report']);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).version).toBe(1);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/^<!doctype html>\n/);
  });

  it('an HTML renderer that rejects (asynchronously) leaves nothing behind either', async () => {
    const parent = join(root, 'fail-async');
    mkdirSync(parent);
    const files: readonly ReportFile[] = [
      ...REPORT_FILES.slice(0, 3),
      { name: 'report.html', render: () => Promise.reject(new Error('html failed')) },
    ];
    await expect(writeReport(report, join(parent, 'out'), { files })).rejects.toThrow('html failed');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a renderer that throws midway leaves no report files, no temp dir, no new directories', async () => {
    const parent = join(root, 'fail');
    mkdirSync(parent);
    const out = join(parent, 'out');
    await expect(writeReport(report, out, { files: FAILING })).rejects.toThrow('render failed');
    expect(readdirSync(parent)).toEqual([]);
    // Directories the call created on the way are removed too.
    await expect(writeReport(report, join(parent, 'a', 'b', 'out'), { files: FAILING })).rejects.toThrow();
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a failed write leaves the previous report in place, untouched', async () => {
    const out = join(root, 'previous');
    mkdirSync(out);
    writeFileSync(join(out, 'report.md'), 'old');
    await expect(writeReport(report, out, { files: FAILING })).rejects.toThrow();
    expect(readdirSync(root).filter((n) => n.includes('.tmp-'))).toEqual([]);
    expect(readdirSync(out)).toEqual(['report.md']);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toBe('old');
  });

  it('a cancelled run writes nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const parent = join(root, 'cancel');
    mkdirSync(parent);
    await expect(
      writeReport(report, join(parent, 'out'), { signal: controller.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(readdirSync(parent)).toEqual([]);
  });
});
