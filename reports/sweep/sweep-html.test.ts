/**
 * sweep.html. Oracles: the page holds the points' table and, per varied field, a speedup and an
 * efficiency chart (inline SVG) with a line per value of the other fields; it loads nothing and
 * prints nothing of `meta`, so the page of merged shards is the page of the unsharded run.
 */
import { describe, expect, it } from 'vitest';
import { mergeSweepReports } from './merge-sweeps.ts';
import { fieldTitle, logBase, renderSweepHtml, sweepChart, sweepCharts } from './sweep-html.ts';
import { renderSweepJson, type SweepReport } from './sweep-report.ts';
import { FIXTURE_META, fixtureSweepReport } from './test-support.ts';

const report = fixtureSweepReport();

/** The fixture as if it had varied two fields: seed, and a hardware preset alternating fastest. */
const twoFields: SweepReport = {
  ...report,
  vary: { seed: [1, 2], 'hardware.preset': ['cs2', 'cs3'] },
  points: report.points.map((p) => ({
    ...p,
    values: { seed: 1 + Math.floor(p.index / 2), 'hardware.preset': p.index % 2 === 0 ? 'cs2' : 'cs3' },
  })),
};

describe('sweep charts', () => {
  it('per varied field: the absolute figures first, then the comparison with dense', () => {
    const titles = [
      'Step time',
      'Time to train',
      'Speedup over the reference point',
      'Effective throughput',
      'Realized speedup over dense',
      'Efficiency',
    ];
    expect(sweepCharts(twoFields).map((c) => [c.id, c.title])).toEqual(
      ['seed', 'hardware.preset'].flatMap((key, k) =>
        titles.map((t, j) => [`chart-${6 * k + j + 1}`, `${t} against ${key}`]),
      ),
    );
  });

  it("speedup over the reference is its time to train over each point's; a shard without it has no such chart", () => {
    const faster: SweepReport = {
      ...report,
      reference: { index: 1, isBase: true },
      points: report.points.map((p) => ({ ...p, timeToTrainSeconds: 1000 / (p.index + 1) })),
    };
    const chart = sweepChart(faster, 'seed', 'speedupOverReference', 3);
    const values = (chart.spec as { data: { values: { value: number }[] } }).data.values.map((v) => v.value);
    expect(values).toEqual([0.5, 1, 1.5, 2]);
    expect(chart.readingAid).toContain('The reference is point 1 (seed=2), the base workload unchanged.');
    const shard = { ...faster, points: faster.points.filter((p) => p.index !== 1) };
    expect(sweepCharts(shard).map((c) => c.title)).not.toContain(
      'Speedup over the reference point against seed',
    );
  });

  it('axis titles in words with units; a geometric sweep on a log axis; lines told apart by dash and shape', () => {
    expect(fieldTitle('hardware.ioBitsPerSecond')).toBe(
      'Wafer I/O bandwidth for weights in and gradients out (bits/s) (hardware.ioBitsPerSecond)',
    );
    expect(fieldTitle('cluster.systems')).toBe('systems in data parallel (cluster.systems)');
    expect(logBase([0.3e12, 0.6e12, 1.2e12, 2.4e12, 4.8e12])).toBe(2);
    expect(logBase([1, 10, 100])).toBe(10);
    expect(logBase([1, 2, 3, 4])).toBeUndefined();
    expect(logBase([1, 2])).toBeUndefined();
    const io: SweepReport = {
      ...report,
      vary: { 'hardware.ioBitsPerSecond': [0.3e12, 0.6e12, 1.2e12, 2.4e12], seed: [1] },
      points: report.points.map((p) => ({
        ...p,
        values: { 'hardware.ioBitsPerSecond': 0.3e12 * 2 ** p.index, seed: 1 },
      })),
    };
    const spec = sweepChart(io, 'hardware.ioBitsPerSecond', 'stepSeconds', 1).spec as {
      encoding: { x: { scale: unknown; title: string }; y: { title: string }; strokeDash: { field: string } };
    };
    expect(spec.encoding.x.scale).toEqual({ type: 'log', base: 2 });
    expect(spec.encoding.y.title).toBe('step time (s)');
    expect(spec.encoding.strokeDash.field).toBe('series');
    const time = sweepChart(io, 'hardware.ioBitsPerSecond', 'timeToTrain', 2).spec as {
      encoding: { y: { title: string } };
    };
    expect(time.encoding.y.title).toMatch(/^time to train \((days|hours|minutes|s)\)$/);
  });

  it('a sweep over cluster.systems adds cluster throughput and scaling efficiency, from each point', () => {
    const cluster: SweepReport = {
      ...report,
      vary: { 'cluster.systems': [1, 2, 4, 8] },
      points: report.points.map((p) => ({
        ...p,
        values: { 'cluster.systems': 2 ** p.index },
        systems: 2 ** p.index,
        scalingEfficiency: 1 - p.index / 10,
      })),
    };
    expect(
      sweepCharts(cluster)
        .map((c) => c.title)
        .slice(-4),
    ).toEqual([
      'Realized speedup over dense against cluster.systems',
      'Efficiency against cluster.systems',
      'Cluster throughput against cluster.systems',
      'Scaling efficiency against cluster.systems',
    ]);
    const scaling = sweepChart(cluster, 'cluster.systems', 'scalingEfficiency', 4).spec as {
      data: { values: { x: number; value: number }[] };
    };
    expect(scaling.data.values.map((v) => [v.x, v.value])).toEqual([
      [1, 1],
      [2, 0.9],
      [4, 0.8],
      [8, 0.7],
    ]);
  });

  it('a line per value of the other fields; a numeric field on a quantitative axis, text in vary order', () => {
    const bySeed = sweepChart(twoFields, 'seed', 'realizedSpeedup', 1).spec as {
      data: { values: { x: unknown; value: number; series: string }[] };
      encoding: { x: { type: string }; color: { title: string } };
    };
    expect(bySeed.data.values.map((v) => [v.x, v.series, v.value])).toEqual([
      [1, 'hardware.preset=cs2', 2],
      [1, 'hardware.preset=cs3', 2],
      [2, 'hardware.preset=cs2', 2],
      [2, 'hardware.preset=cs3', 2],
    ]);
    expect(bySeed.encoding.x.type).toBe('quantitative');
    expect(bySeed.encoding.color.title).toBe('hardware.preset');
    const byPreset = sweepChart(twoFields, 'hardware.preset', 'efficiency', 4).spec as {
      encoding: { x: { type: string; sort: string[] } };
    };
    expect(byPreset.encoding.x).toMatchObject({ type: 'ordinal', sort: ['cs2', 'cs3'] });
  });
});

describe('renderSweepHtml', () => {
  it('a self-contained page: table, inline SVG charts, no script, of meta only the version', async () => {
    const html = await renderSweepHtml(report);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<title>wafersim sweep: toy-sweep</title>');
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<svg/g)).toHaveLength(sweepCharts(report).length);
    expect(sweepCharts(report)).toHaveLength(6);
    expect(html).toContain(`wafersim ${FIXTURE_META.wafersimVersion} (commit ${FIXTURE_META.commit})`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).not.toContain(FIXTURE_META.generatedAt);
  });

  it('the merged shards give the same page, byte for byte', async () => {
    const shards = [1, 2].map((index) => {
      const shard = fixtureSweepReport({ index, count: 2 });
      return { label: `s${index}`, dir: `/s${index}`, report: JSON.parse(renderSweepJson(shard)) };
    });
    const merged = mergeSweepReports(shards, { ...FIXTURE_META, generatedAt: 'later' });
    expect(await renderSweepHtml(merged)).toBe(await renderSweepHtml(report));
  });
});
