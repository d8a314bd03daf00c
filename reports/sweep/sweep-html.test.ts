/**
 * sweep.html. Oracles: the page holds the points' table and, per varied field, a speedup and an
 * efficiency chart (inline SVG) with a line per value of the other fields; it loads nothing and
 * prints nothing of `meta`, so the page of merged shards is the page of the unsharded run.
 */
import { describe, expect, it } from 'vitest';
import { mergeSweepReports } from './merge-sweeps.ts';
import { renderSweepHtml, sweepChart, sweepCharts } from './sweep-html.ts';
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
  it('two per varied field: realized speedup and efficiency', () => {
    expect(sweepCharts(twoFields).map((c) => [c.id, c.title])).toEqual([
      ['chart-1', 'Realized speedup against seed'],
      ['chart-2', 'Efficiency against seed'],
      ['chart-3', 'Realized speedup against hardware.preset'],
      ['chart-4', 'Efficiency against hardware.preset'],
    ]);
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
    expect(sweepCharts(cluster).map((c) => c.title)).toEqual([
      'Realized speedup against cluster.systems',
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
  it('a self-contained page: table, inline SVG charts, no script, nothing of meta', async () => {
    const html = await renderSweepHtml(report);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<title>wafersim sweep: toy-sweep</title>');
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<svg/g)).toHaveLength(2);
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
