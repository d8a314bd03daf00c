/**
 * The chart specs of report.html, checked as data: the efficiency chart carries the three measured CS-2 GEMM points with
 * efficiency = speedup × (1 − s); every chart has a title, axis titles with units and a reading aid.
 */

import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../report-json.ts';
import { FIXTURE_META, fixtureSummary } from '../test-support.ts';
import { loadMeasuredPoints } from '../validation.ts';
import { efficiencyChart, MEASURED_SERIES, measuredEfficiencies, reportCharts } from './charts.ts';

const META = FIXTURE_META;
const report = buildReport([fixtureSummary()], META);

type Data = { values: Record<string, unknown>[] };
const dataOf = (spec: TopLevelSpec) => (spec as { data: Data }).data.values;

describe('efficiency chart', () => {
  it('includes the 3 measured CS-2 GEMM points, efficiency = speedup × (1 − s)', () => {
    const measured = loadMeasuredPoints();
    expect(measuredEfficiencies(measured)).toEqual([
      { sparsity: 0.5, efficiency: 1.97 * 0.5 },
      { sparsity: 0.75, efficiency: 3.8 * 0.25 },
      { sparsity: 0.9, efficiency: 8.36 * (1 - 0.9) },
    ]);
    const values = dataOf(efficiencyChart(report, measured).spec);
    const points = values.filter((v) => v.series === MEASURED_SERIES);
    expect(points.map((p) => p.sparsity)).toEqual([0.5, 0.75, 0.9]);
    expect(MEASURED_SERIES).toMatch(/12k × 12k GEMM.*SPDF supp\. Fig\. 1/);
    // The runs' sparse phases only: the fixture's sparse phase at 75%, efficiency 2 / 2.5.
    const simulated = values.filter((v) => v.series !== MEASURED_SERIES);
    expect(simulated).toEqual([expect.objectContaining({ sparsity: 0.75, efficiency: 0.8 })]);
  });
});

/** The titles of every quantitative field in a spec (axes and color legends). */
function quantitativeTitles(node: unknown): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const own = node as Record<string, unknown>;
  const here = own.type === 'quantitative' && typeof own.title === 'string' ? [own.title] : [];
  return [...here, ...Object.values(own).flatMap(quantitativeTitles)];
}

describe('every chart', () => {
  const charts = reportCharts(report);

  it('flop vs speedup, per kind, stalls, efficiency, heatmap, each with a title and a reading aid', () => {
    expect(charts.map((c) => c.id)).toEqual([
      'chart-flop-vs-speedup',
      'chart-op-kinds',
      'chart-stalls',
      'chart-efficiency',
      'chart-heatmap-0',
    ]);
    for (const c of charts) {
      expect(c.title.length).toBeGreaterThan(10);
      expect(c.readingAid).not.toMatch(/\n/);
      expect(JSON.stringify(c.spec)).toContain(c.title);
    }
  });

  it('has a unit in every quantitative axis and legend title', () => {
    for (const c of charts) {
      const titles = quantitativeTitles(c.spec);
      expect(titles.length, c.id).toBeGreaterThan(0);
      for (const t of titles) expect(t, `${c.id}: ${t}`).toMatch(/\((×|%[^()]*|PE)\)$/);
    }
  });

  it('stall shares of each step sum to 1', () => {
    const values = dataOf(charts.find((c) => c.id === 'chart-stalls')!.spec);
    const byStep = new Map<string, number>();
    for (const v of values)
      byStep.set(v.step as string, (byStep.get(v.step as string) ?? 0) + (v.fraction as number));
    expect(byStep.size).toBe(3);
    for (const sum of byStep.values()) expect(sum).toBeCloseTo(1, 12);
  });
});
