/**
 * renderVegaLiteSvg: a spec becomes an SVG string in Node, the same bytes every time, without any
 * load; every chart of a report renders without a vega or vega-lite warning.
 */

import type { TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../report-json.ts';
import { FIXTURE_META, fixtureSummary } from '../test-support.ts';
import { reportCharts } from './charts.ts';
import { renderVegaLiteSvg } from './render-svg.ts';

const META = FIXTURE_META;

const BARS: TopLevelSpec = {
  title: 'Two bars',
  data: {
    values: [
      { a: 'x <&>', b: 1 },
      { a: 'y', b: 2 },
    ],
  },
  mark: 'bar',
  encoding: {
    x: { field: 'a', type: 'nominal', title: 'name' },
    y: { field: 'b', type: 'quantitative', title: 'time (s)' },
  },
};

describe('renderVegaLiteSvg', () => {
  it('renders an SVG string with its title and escaped labels, identical on every call', async () => {
    const svg = await renderVegaLiteSvg(BARS);
    expect(svg).toMatch(/^<svg [^>]*width="\d+" height="\d+"/);
    expect(svg).toContain('>Two bars</text>');
    expect(svg).toContain('x &lt;&amp;&gt;');
    expect(svg).not.toContain('x <&>');
    expect(await renderVegaLiteSvg(BARS)).toBe(svg);
  });

  it('refuses to load data from a URL', async () => {
    const spec = { ...BARS, data: { url: 'https://example.com/data.json' } } as TopLevelSpec;
    const warnings: string[] = [];
    const svg = await renderVegaLiteSvg(spec, { onWarning: (m) => warnings.push(m) });
    expect(warnings.join('\n')).toMatch(/load nothing/);
    expect(svg).not.toContain('example.com');
  });

  it('every chart of a report renders without a warning', async () => {
    const report = buildReport([fixtureSummary()], META);
    for (const chart of reportCharts(report)) {
      const warnings: string[] = [];
      const svg = await renderVegaLiteSvg(chart.spec, { onWarning: (m) => warnings.push(m) });
      expect(warnings, chart.id).toEqual([]);
      expect(svg.length, chart.id).toBeGreaterThan(1000);
    }
  });
});
