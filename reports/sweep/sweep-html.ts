/**
 * sweep.html: one self-contained page (DESIGN §7, §8) with the points' table and, for each varied
 * field, the realized speedup and the efficiency of the points' sparse phase against that field,
 * one line per combination of the other fields' values. Built with the blocks of report.html
 * (../html/): inline CSS, charts rendered to inline SVG in Node, no script, nothing fetched.
 * Nothing from `meta` appears, so a merged sweep's page is byte-identical to an unsharded one.
 */
import type { TopLevelSpec } from 'vega-lite';
import { percent, ratio, seconds, si } from '../format-values.ts';
import { type Content, element, type Html, raw, table } from '../html/html.ts';
import { PAGE_CSS } from '../html/page-style.ts';
import { renderVegaLiteSvg } from '../html/render-svg.ts';
import { METRIC_DEFINITIONS } from '../metrics.ts';
import { formatVariedValue } from './sweep-markdown.ts';
import { definedMetrics, hasClusters, type SweepPointReport, type SweepReport } from './sweep-report.ts';

/** No network, no script: inline styles and inline SVG only (as report.html). */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  background: 'white',
  title: { anchor: 'start', fontSize: 15, offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 1000 },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 1000, titleLimit: 1000 },
  view: { stroke: null },
} as const;

const p = (...children: Content[]) => element('p', {}, ...children);
const section = (id: string, title: string, ...children: Content[]) =>
  element('section', { id }, element('h2', {}, title), ...children);

export interface SweepChart {
  readonly id: string;
  readonly title: string;
  readonly readingAid: string;
  readonly spec: TopLevelSpec;
}

type Metric = 'realizedSpeedup' | 'efficiency' | 'tokensPerSecond' | 'scalingEfficiency';

const METRICS: Record<Metric, { readonly title: string; readonly axis: string; readonly format?: string }> = {
  // Short: vega over-estimates text widths without a canvas, and a long rotated title pushes the plot down.
  realizedSpeedup: { title: 'Realized speedup', axis: 'realized speedup (×)' },
  efficiency: { title: 'Efficiency', axis: 'efficiency', format: '%' },
  tokensPerSecond: { title: 'Cluster throughput', axis: 'tokens per second', format: '~s' },
  scalingEfficiency: { title: 'Scaling efficiency', axis: 'scaling efficiency', format: '%' },
};

const READING_AIDS: Record<Metric, string> = {
  realizedSpeedup: "Each point's sparse phase against its dense-equivalent step on the same hardware",
  efficiency:
    'Realized speedup / FLOP reduction: the share of the FLOP reduction that became speed (100%: all of it).',
  tokensPerSecond:
    'Tokens the whole cluster trains per second in the sparse phase (global batch / step time).',
  scalingEfficiency:
    "The same global batch on one system, over the cluster: step time on one system / (systems × step time); 100% is linear scaling. Where it is lost: the table's step-boundary share (the boundary does not shrink with more systems) and sweep.csv's stall shares.",
};

/** `hardware.fmacsPerCycle=4, seed=1`: the values of every varied field but `key`. */
function seriesOf(point: SweepPointReport, others: readonly string[]): string {
  return others.length === 0
    ? 'all'
    : others.map((k) => `${k}=${formatVariedValue(point.values[k])}`).join(', ');
}

/** A chart of `metric` against the varied field `key`, a line per value of the other fields. */
export function sweepChart(report: SweepReport, key: string, metric: Metric, index: number): SweepChart {
  const values = report.vary[key] ?? [];
  const numeric = values.every((v) => typeof v === 'number');
  const large = numeric && values.some((v) => Math.abs(v as number) >= 1e4);
  const others = Object.keys(report.vary).filter((k) => k !== key);
  const data = report.points.map((pt) => ({
    x: numeric ? (pt.values[key] as number) : formatVariedValue(pt.values[key]),
    value: pt[metric],
    series: seriesOf(pt, others),
  }));
  const m = METRICS[metric];
  const title = `${m.title} against ${key}`;
  const xTitle = key === 'sparsity' ? 'sparsity of the sparse phases (fraction of zero weights)' : key;
  const x = numeric
    ? { field: 'x', type: 'quantitative', title: xTitle, ...(large ? { axis: { format: '~s' } } : {}) }
    : { field: 'x', type: 'ordinal', title: xTitle, sort: values.map(formatVariedValue) };
  return {
    id: `chart-${index}`,
    title,
    readingAid:
      metric === 'realizedSpeedup'
        ? `${READING_AIDS[metric]}${others.length ? `; one line per value of ${others.join(', ')}` : ''}.`
        : READING_AIDS[metric],
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      title,
      width: 560,
      height: 260,
      data: { values: data },
      mark: { type: 'line', point: true },
      encoding: {
        x,
        y: {
          field: 'value',
          type: 'quantitative',
          title: m.axis,
          ...(m.format ? { axis: { format: m.format } } : {}),
        },
        ...(others.length === 0
          ? {}
          : {
              color: {
                field: 'series',
                type: 'nominal',
                sort: null,
                title: others.join(', '),
                legend: { orient: 'bottom' },
              },
            }),
      },
    } as TopLevelSpec,
  };
}

export function sweepCharts(report: SweepReport): SweepChart[] {
  const metrics: Metric[] = hasClusters(report)
    ? ['realizedSpeedup', 'efficiency', 'tokensPerSecond', 'scalingEfficiency']
    : ['realizedSpeedup', 'efficiency'];
  return Object.keys(report.vary).flatMap((key, k) =>
    metrics.map((metric, j) => sweepChart(report, key, metric, metrics.length * k + j + 1)),
  );
}

async function figure(chart: SweepChart): Promise<Html> {
  const svg = await renderVegaLiteSvg(chart.spec, { idPrefix: chart.id });
  return element(
    'figure',
    { id: chart.id, 'aria-label': chart.title },
    raw(svg),
    element('figcaption', {}, chart.readingAid),
  );
}

function pointsTable(report: SweepReport): Html {
  const keys = Object.keys(report.vary);
  const clusters = hasClusters(report);
  const columns = [
    { header: '#', numeric: true },
    ...keys.map((k) => ({ header: k, group: 'varied' })),
    { header: 'phase' },
    { header: 'FLOP reduction', numeric: true },
    { header: 'realized speedup', numeric: true },
    { header: 'efficiency', numeric: true },
    { header: 'step time', numeric: true },
    { header: 'time to train', numeric: true },
    ...(clusters
      ? [
          { header: 'tokens/s', numeric: true },
          { header: 'scaling efficiency', numeric: true },
          { header: 'step boundary', numeric: true },
        ]
      : []),
  ];
  const rows = report.points.map((pt) => ({
    cells: [
      String(pt.index),
      ...keys.map((k) => formatVariedValue(pt.values[k])),
      pt.phase,
      ratio(pt.flopReduction),
      ratio(pt.realizedSpeedup),
      percent(pt.efficiency),
      seconds(pt.stepSeconds),
      seconds(pt.timeToTrainSeconds),
      ...(clusters ? [si(pt.tokensPerSecond), percent(pt.scalingEfficiency), percent(pt.boundaryShare)] : []),
    ],
  }));
  return table(columns, rows);
}

export async function renderSweepHtml(report: SweepReport): Promise<string> {
  const title = `wafersim sweep: ${report.name}`;
  const head = element(
    'head',
    {},
    raw('<meta charset="utf-8">'),
    raw(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`),
    raw('<meta name="viewport" content="width=device-width, initial-scale=1">'),
    element('title', {}, title),
    element('style', {}, raw(PAGE_CSS)),
  );
  const figures = await Promise.all(sweepCharts(report).map(figure));
  const base = typeof report.base === 'string' ? report.base : 'an inline workload (see sweep.json)';
  const main = element(
    'main',
    {},
    element('h1', {}, title),
    ...(report.description ? [element('p', { class: 'lead' }, report.description)] : []),
    p(
      `Base: ${base}. ${report.pointCount} points, the cartesian product of ` +
        `${Object.entries(report.vary)
          .map(([k, v]) => `${k} (${v.map(formatVariedValue).join(', ')})`)
          .join(' × ')}. ` +
        "Each point's figures are of its sparse phase (its sparsest), against its dense equivalent on the same " +
        'hardware. The numbers are in sweep.json and sweep.csv.',
    ),
    section('points', 'Points', element('div', { class: 'scroll' }, pointsTable(report))),
    section('charts', 'Charts', ...figures),
    section(
      'definitions',
      'Definitions',
      element(
        'dl',
        {},
        ...definedMetrics(report).flatMap((name) => [
          element('dt', {}, name),
          element('dd', {}, METRIC_DEFINITIONS[name] ?? ''),
        ]),
      ),
    ),
    element(
      'footer',
      {},
      `Simulated by wafersim ${report.meta.wafersimVersion} (commit ${report.meta.commit}). ` +
        `Sweep schema version ${report.version}, fidelity ${report.fidelity}, sweep id ${report.sweepId}.`,
    ),
  );
  return `<!doctype html>\n${element('html', { lang: 'en' }, head, element('body', {}, main)).html}\n`;
}
