/**
 * sweep.json, sweep.md and sweep.csv from hand-built summaries. Oracles: the fixture's metrics
 * worked out by hand (FLOP reduction 2.5, speedup 2, efficiency 0.8, a 1.25 s step, 3,600 steps),
 * each point's `run` equal to report.json's run, and `meta` as the only place run-dependent values go.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../models/diagnostics.ts';
import { buildReport, withoutOps } from '../report-json.ts';
import { renderSweepCsv } from './sweep-csv.ts';
import { renderSweepMarkdown } from './sweep-markdown.ts';
import { buildSweepReport, renderSweepJson, SweepReportSchema } from './sweep-report.ts';
import { FIXTURE_META, FIXTURE_SWEEP, fixturePoint, fixtureSweepReport } from './test-support.ts';
import { SWEEP_FILES, writeSweepReport } from './write-sweep.ts';

const report = fixtureSweepReport();

describe('buildSweepReport', () => {
  it('holds the definition, the points sorted by index, and meta last', () => {
    const shuffled = buildSweepReport(FIXTURE_SWEEP, [3, 1, 0, 2].map(fixturePoint), FIXTURE_META);
    expect(renderSweepJson(shuffled)).toBe(renderSweepJson(report));
    expect(Object.keys(report)).toEqual([
      'version',
      'sweepId',
      'name',
      'description',
      'base',
      'vary',
      'pointCount',
      'reference',
      'fidelity',
      'points',
      'meta',
    ]);
    expect(report.points.map((p) => [p.index, p.values])).toEqual([
      [0, { seed: 1 }],
      [1, { seed: 2 }],
      [2, { seed: 3 }],
      [3, { seed: 4 }],
    ]);
    expect(() => SweepReportSchema.parse(JSON.parse(renderSweepJson(report)))).not.toThrow();
  });

  it("puts the sparse phase's figures at the top of each point, its full run below", () => {
    const point = report.points[0]!;
    expect(point).toMatchObject({
      phase: 'sparse',
      sparsity: 0.75,
      flopReduction: 2.5,
      realizedSpeedup: 2,
      efficiency: 0.8,
      stepSeconds: 1.25,
      denseStepSeconds: 2.5,
      timeToTrainSeconds: 4500,
    });
    const run = withoutOps(
      buildReport([fixturePoint(0).summary], { ...FIXTURE_META, workers: 0, wallSeconds: 0 }),
    ).runs[0];
    expect(point.run).toEqual(run);
    expect(point.run.phases.every((p) => p.ops === undefined)).toBe(true);
  });

  it('keeps everything run-dependent under meta, with per-point timings', () => {
    const { meta, ...rest } = report;
    expect(JSON.stringify(rest)).not.toMatch(/drawMs|simulateMs|generatedAt|wallSeconds|host/);
    expect(meta.points.map((p) => [p.index, p.phases.map((ph) => ph.samples[0]!.drawMs)])).toEqual([
      [0, [12.5, 12.5]],
      [1, [12.5, 12.5]],
      [2, [12.5, 12.5]],
      [3, [12.5, 12.5]],
    ]);
    expect(meta).toMatchObject({ workers: 0, wallSeconds: 1.5 });
  });
});

describe('sweep.md and sweep.csv', () => {
  it('sweep.md: one row per point with its values and figures, and the definitions', () => {
    const md = renderSweepMarkdown(report);
    expect(md).toMatch(/^# wafersim sweep: toy-sweep\n\nA toy sweep over seeds\n/);
    expect(md).toContain('- `seed`: 1, 2, 3, 4');
    expect(md).toContain(
      '| # | seed | phase | FLOP reduction | realized speedup | efficiency | step time | time to train |',
    );
    expect(md).toContain('| 2 | 3 | sparse | 2.50× | 2.00× | 80.0% | 1.25 s | 75.0 min |');
    expect(md).toContain('- **efficiency**: realizedSpeedup / flopReduction');
    expect(md).not.toContain(FIXTURE_META.generatedAt);
  });

  it('sweep.csv: a header, then one CRLF record per point, varied paths first', () => {
    const lines = renderSweepCsv(report).split('\r\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(
      /^index,values\.seed,phase,sparsity,flopReduction,realizedSpeedup,efficiency,stepSeconds,/,
    );
    expect(lines[1]).toMatch(/^0,1,sparse,0\.75,2\.5,2,0\.8,1\.25,2\.5,4500,/);
    // One name per column, every field of the machine among them.
    const header = lines[0]!.split(',');
    expect(new Set(header).size).toBe(header.length);
    expect(header).toEqual(
      expect.arrayContaining(['hardware.meshRows', 'hardware.name', 'model.dModel', 'stalls.io']),
    );
    expect(lines[5]).toBe('');
  });
});

describe('writeSweepReport', () => {
  const root = mkdtempSync(join(tmpdir(), 'wafersim-write-sweep-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes sweep.md, sweep.json, sweep.csv and sweep.html', async () => {
    const out = join(root, 'ok');
    await writeSweepReport(report, out);
    expect(readdirSync(out).sort()).toEqual(['.wafersim', ...SWEEP_FILES.map((f) => f.name).sort()]);
    expect(readdirSync(join(out, '.wafersim'))).toEqual(['sweep']);
  });

  it('a renderer that fails leaves nothing behind', async () => {
    const parent = join(root, 'fail');
    mkdirSync(parent);
    const files = [
      ...SWEEP_FILES.slice(0, 1),
      {
        name: 'sweep.json',
        render: () => {
          throw new Error('render failed');
        },
      },
    ];
    await expect(writeSweepReport(report, join(parent, 'out'), { files })).rejects.toThrow('render failed');
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('renderSweepJson', () => {
  it('a sweep too large for one JSON string is bad input naming the sweep, not an internal error', () => {
    const report = fixtureSweepReport();
    // What JSON.stringify throws past the longest string V8 holds (512 MiB).
    const huge = {
      ...report,
      points: [
        {
          ...report.points[0]!,
          toJSON() {
            throw new RangeError('Invalid string length');
          },
        },
      ],
    };
    expect(() => renderSweepJson(huge)).toThrow(InputError);
    expect(() => renderSweepJson(huge)).toThrow(/too many to write as one sweep\.json .*over 512 MiB/);
    // Any other failure is still a bug.
    const broken = {
      ...report,
      points: [
        {
          ...report.points[0]!,
          toJSON: () => {
            throw new TypeError('x');
          },
        },
      ],
    };
    expect(() => renderSweepJson(broken)).toThrow(TypeError);
  });
});
