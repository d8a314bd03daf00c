/**
 * sweep.html: one self-contained page (DESIGN §7, §8) with the points' table and, for each varied
 * field, charts of the points' sparse phase against that field, one line per combination of the
 * other fields' values: first what the machine achieves (step time, time to train, speedup over
 * the reference point, effective TFLOP/s), then the comparison with dense on the same hardware
 * (realized speedup, efficiency). Axis titles say the quantity in words with its unit; a field
 * swept geometrically gets a log axis. Built with the blocks of report.html (../html/): inline
 * CSS, charts rendered to inline SVG in Node, no script, nothing fetched. Of `meta` only the
 * version and commit appear, so a page merged from shards by the same build is byte-identical to
 * an unsharded one.
 */
import type { TopLevelSpec } from 'vega-lite';
import { HardwareConfigSchema } from '../../hardware/hardware-config.ts';
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

type Metric =
  | 'stepSeconds'
  | 'timeToTrain'
  | 'speedupOverReference'
  | 'effectiveTflops'
  | 'realizedSpeedup'
  | 'efficiency'
  | 'tokensPerSecond'
  | 'scalingEfficiency';

const METRICS: Record<Metric, { readonly title: string; readonly axis: string; readonly format?: string }> = {
  // Short: vega over-estimates text widths without a canvas, and a long rotated title pushes the plot down.
  stepSeconds: { title: 'Step time', axis: 'step time (s)' },
  timeToTrain: { title: 'Time to train', axis: 'time to train' },
  speedupOverReference: { title: 'Speedup over the reference point', axis: 'speedup over the reference (×)' },
  effectiveTflops: { title: 'Effective throughput', axis: 'effective TFLOP/s' },
  realizedSpeedup: { title: 'Realized speedup over dense', axis: 'speedup over dense (×)' },
  efficiency: { title: 'Efficiency', axis: 'efficiency', format: '%' },
  tokensPerSecond: { title: 'Cluster throughput', axis: 'tokens per second', format: '~s' },
  scalingEfficiency: { title: 'Scaling efficiency', axis: 'scaling efficiency', format: '%' },
};

const READING_AIDS: Record<Metric, string> = {
  stepSeconds:
    "One optimizer step of each point's sparse phase, on the point's own hardware: lower is faster. Unlike the speedup over dense, it compares the machines with each other.",
  timeToTrain: "The sparse phase's token budget at that step time, on the point's systems.",
  speedupOverReference:
    "The reference point's time to train / this point's: above 1 trains faster than the reference.",
  effectiveTflops:
    "Training FLOPs on non-zero weights per second (the papers' accounting), the whole cluster: what the machine achieves on the sparse model.",
  realizedSpeedup:
    "Each point's sparse phase against its dense-equivalent step on the same hardware (not against the other points: a faster machine can show a smaller speedup over its own dense step)",
  efficiency:
    'Realized speedup / FLOP reduction: the share of the FLOP reduction that became speed (100%: all of it).',
  tokensPerSecond:
    'Tokens the whole cluster trains per second in the sparse phase (global batch / step time).',
  scalingEfficiency:
    "The same global batch on one system, over the cluster: step time on one system / (systems × step time); 100% is linear scaling. Where it is lost: the table's step-boundary share (the boundary does not shrink with more systems) and sweep.csv's stall shares.",
};

/** Time units for the time-to-train axis, the largest in which the longest time is at least 1. */
const TIME_UNITS = [
  { name: 'days', seconds: 86_400 },
  { name: 'hours', seconds: 3_600 },
  { name: 'minutes', seconds: 60 },
  { name: 's', seconds: 1 },
] as const;

/** The workload fields a sweep varies most, in words; hardware fields take their description. */
const FIELD_WORDS: Readonly<Record<string, string>> = {
  sparsity: 'sparsity of the sparse phases (fraction of zero weights)',
  'sparsity.pattern': 'sparsity pattern',
  'sparsity.distribution': 'per-layer sparsity distribution',
  'cluster.systems': 'systems in data parallel',
  'batch.sequences': 'sequences per step',
  'batch.microBatchSequences': 'sequences per micro-batch',
  'hardware.preset': 'hardware preset',
  'hardware.file': 'hardware file',
  hardware: 'hardware',
  model: 'model',
  seed: 'seed',
};

/** An axis title in words with its unit, and the path in parentheses: what a reader must know. */
export function fieldTitle(key: string): string {
  if (key === 'sparsity') return FIELD_WORDS.sparsity!;
  const words = FIELD_WORDS[key];
  if (words) return `${words} (${key})`;
  const field = key.startsWith('hardware.') ? key.slice('hardware.'.length) : undefined;
  const description =
    field === undefined
      ? undefined
      : (HardwareConfigSchema.shape as Record<string, { description?: string }>)[field]?.description;
  // The description up to its first clause: "Wafer I/O bandwidth for weights in and gradients out (bits/s)".
  const short = description?.split(/; |: /)[0];
  return short ? `${short} (${key})` : key;
}

/**
 * A log axis for a field swept geometrically (each value a constant factor from the last, at
 * least 8× end to end): base 2 when the factor is a power of two, as SIMD widths and bandwidth
 * doublings are.
 */
export function logBase(values: readonly unknown[]): 2 | 10 | undefined {
  if (!values.every((v) => typeof v === 'number' && v > 0)) return undefined;
  const sorted = [...new Set(values as number[])].sort((a, b) => a - b);
  if (sorted.length < 3 || sorted.at(-1)! / sorted[0]! < 8) return undefined;
  const factors = sorted.slice(1).map((v, i) => v / sorted[i]!);
  if (!factors.every((f) => Math.abs(f / factors[0]! - 1) < 1e-9)) return undefined;
  const doublings = Math.log2(factors[0]!);
  return Math.abs(doublings - Math.round(doublings)) < 1e-9 ? 2 : 10;
}

/** `hardware.fmacsPerCycle=4, seed=1`: the values of every varied field but `key`. */
function seriesOf(point: SweepPointReport, others: readonly string[]): string {
  return others.length === 0
    ? 'all'
    : others.map((k) => `${k}=${formatVariedValue(point.values[k])}`).join(', ');
}

function metricValue(
  report: SweepReport,
  pt: SweepPointReport,
  metric: Metric,
  timeUnit: (typeof TIME_UNITS)[number],
): number {
  switch (metric) {
    case 'timeToTrain':
      return pt.timeToTrainSeconds / timeUnit.seconds;
    case 'speedupOverReference': {
      const ref = report.points.find((p) => p.index === report.reference.index)!;
      return ref.timeToTrainSeconds / pt.timeToTrainSeconds;
    }
    default:
      return pt[metric];
  }
}

/** A chart of `metric` against the varied field `key`, a line per value of the other fields. */
export function sweepChart(report: SweepReport, key: string, metric: Metric, index: number): SweepChart {
  const values = report.vary[key] ?? [];
  const numeric = values.every((v) => typeof v === 'number');
  const large = numeric && values.some((v) => Math.abs(v as number) >= 1e4);
  const log = numeric ? logBase(values) : undefined;
  const others = Object.keys(report.vary).filter((k) => k !== key);
  const longest = Math.max(...report.points.map((pt) => pt.timeToTrainSeconds));
  const timeUnit = TIME_UNITS.find((u) => longest >= u.seconds) ?? TIME_UNITS.at(-1)!;
  const data = report.points.map((pt) => ({
    x: numeric ? (pt.values[key] as number) : formatVariedValue(pt.values[key]),
    value: metricValue(report, pt, metric, timeUnit),
    series: seriesOf(pt, others),
  }));
  const m = METRICS[metric];
  const title = `${m.title} against ${key}`;
  const xTitle = fieldTitle(key);
  const x = numeric
    ? {
        field: 'x',
        type: 'quantitative',
        title: xTitle,
        ...(log ? { scale: { type: 'log', base: log } } : {}),
        ...(large || log ? { axis: { format: '~s', ...(log ? { values: [...new Set(values)] } : {}) } } : {}),
      }
    : { field: 'x', type: 'ordinal', title: xTitle, sort: values.map(formatVariedValue) };
  const yTitle = metric === 'timeToTrain' ? `${m.axis} (${timeUnit.name})` : m.axis;
  const reference = report.points.find((p) => p.index === report.reference.index);
  const referenceText = reference
    ? ` The reference is point ${reference.index} (${seriesOf(reference, Object.keys(reference.values))})${report.reference.isBase ? ', the base workload unchanged' : ': no point is the base workload unchanged, so point 0 stands in'}.`
    : '';
  // Lines of several series differ in dash and point shape as well as colour, so none hides another.
  const series = { field: 'series', type: 'nominal', sort: null, title: others.join(', ') };
  return {
    id: `chart-${index}`,
    title,
    readingAid:
      metric === 'realizedSpeedup'
        ? `${READING_AIDS[metric]}${others.length ? `; one line per value of ${others.join(', ')}` : ''}.`
        : metric === 'speedupOverReference'
          ? `${READING_AIDS[metric]}${referenceText}`
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
          title: yTitle,
          ...(m.format ? { axis: { format: m.format } } : {}),
        },
        ...(others.length === 0
          ? {}
          : {
              color: { ...series, legend: { orient: 'bottom' } },
              strokeDash: series,
              shape: series,
            }),
      },
    } as TopLevelSpec,
  };
}

export function sweepCharts(report: SweepReport): SweepChart[] {
  // Absolute figures first (what the machine achieves), then the comparison with dense.
  const hasReference = report.points.some((p) => p.index === report.reference.index);
  const metrics: Metric[] = [
    'stepSeconds',
    'timeToTrain',
    ...(hasReference ? (['speedupOverReference'] as const) : []),
    'effectiveTflops',
    'realizedSpeedup',
    'efficiency',
    ...(hasClusters(report) ? (['tokensPerSecond', 'scalingEfficiency'] as const) : []),
  ];
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
