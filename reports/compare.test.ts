import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../models/diagnostics.ts';
import { compareFolders, readResultFolder, renderCompareCsv, renderCompareMarkdown } from './compare.ts';
import { buildReport, renderReportJson } from './report-json.ts';
import { renderSweepJson } from './sweep/sweep-report.ts';
import { fixtureSweepReport } from './sweep/test-support.ts';
import { FIXTURE_HARDWARE, FIXTURE_META, fixtureSummary } from './test-support.ts';

const root = mkdtempSync(join(tmpdir(), 'wafersim-compare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, file: string, text: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), text);
  return dir;
}

const base = fixtureSummary();
const faster = fixtureSummary({
  hardware: { ...FIXTURE_HARDWARE, name: 'wide', clockHz: FIXTURE_HARDWARE.clockHz * 2 },
  resolved: {
    ...base.resolved,
    hardware: { ...FIXTURE_HARDWARE, name: 'wide', clockHz: FIXTURE_HARDWARE.clockHz * 2 },
  },
  phases: base.phases.map((p) => ({ ...p })),
});

describe('compare', () => {
  const a = folder('a', 'report.json', renderReportJson(buildReport([base], FIXTURE_META)));
  const b = folder('b', 'report.json', renderReportJson(buildReport([faster], FIXTURE_META)));
  const s = folder('s', 'sweep.json', renderSweepJson(fixtureSweepReport()));

  it('a row per run × phase and per sweep point, speedup over row 0 where the tokens match', () => {
    const c = compareFolders([readResultFolder(a, 'a'), readResultFolder(b, 'b'), readResultFolder(s, 's')]);
    expect(c.rows.map((r) => [r.source, r.phase])).toEqual([
      ['a', 'sparse'],
      ['a', 'dense'],
      ['b', 'sparse'],
      ['b', 'dense'],
      ...[0, 1, 2, 3].map(() => ['s', 'sparse']),
    ]);
    expect(c.rows[0]!.speedupOverFirst).toBe(1);
    expect(c.rows[1]!.speedupOverFirst).toBeNull(); // another token budget
    // Same simulated cycles on a clock twice as fast: the report's seconds halve, speedup 2.
    expect(c.rows[2]!.speedupOverFirst).toBeCloseTo(2, 12);
  });

  it('lists what differs between the workloads, and nothing that only names them', () => {
    const c = compareFolders([readResultFolder(a, 'a'), readResultFolder(b, 'b')]);
    expect(c.differences.map((d) => d.path)).toEqual(['hardware.clockHz']);
    const md = renderCompareMarkdown(c);
    expect(md).toContain('`hardware.clockHz`');
    expect(renderCompareCsv(c).split('\r\n')[0]).toBe(
      'source,run,phase,hardware.name,sparsity,tokens,flopReduction,realizedSpeedup,efficiency,stepSeconds,timeToTrainSeconds,effectiveTflops,speedupOverFirst',
    );
  });

  it('a folder without results, or with a file of another kind, is an input error naming it', () => {
    const empty = folder('empty', 'notes.txt', 'x');
    expect(() => readResultFolder(empty, 'empty')).toThrow(InputError);
    const bad = folder('bad', 'report.json', '{"version": 1}');
    try {
      readResultFolder(bad, 'bad');
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).diagnostics.at(-1)!.path).toBe(join('bad', 'report.json'));
    }
  });
});
