/**
 * report.html (DESIGN §8): one self-contained page. The summary table, the charts (vega-lite
 * rendered to inline SVG in Node), time to train, the measured GPU context and the definition of
 * every metric and stall cause. Nothing is fetched when it is viewed: the CSS is inline, the charts
 * are SVG, there is no script, and a Content-Security-Policy forbids any load. All text is escaped.
 */
import { STALL_CAUSES } from '../../simulator/counters.ts';
import { ENERGY_CAVEAT, formatEnergy } from '../energy.ts';
import { count, percent, ratio, seconds, si } from '../format-values.ts';
import { METRIC_DEFINITIONS, STALL_CAUSE_DEFINITIONS } from '../metrics.ts';
import type { Report, RunReport } from '../report-json.ts';
import type { MeasuredGemmPoints } from '../validation.ts';
import { type ReportChart, reportCharts } from './charts.ts';
import { type Content, element, type Html, raw, table } from './html.ts';
import { PAGE_CSS } from './page-style.ts';
import { renderVegaLiteSvg } from './render-svg.ts';

/** No network, no script: inline styles and inline SVG only. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const code = (text: string) => element('code', {}, text);
const p = (...children: Content[]) => element('p', {}, ...children);
const section = (id: string, title: string, ...children: Content[]) =>
  element('section', { id }, element('h2', {}, title), ...children);

const TIME_TO_TRAIN = 'time to train (sparse and dense: the simulated systems; one H100: dense)';

function summaryTable(report: Report): Html {
  const columns = [
    { header: 'run' },
    { header: 'phase' },
    { header: 'sparsity', numeric: true },
    { header: 'FLOP reduction', numeric: true },
    { header: 'realized speedup', numeric: true },
    { header: 'efficiency', numeric: true },
    { header: 'step time', numeric: true },
    { header: 'sparse', numeric: true, group: TIME_TO_TRAIN },
    { header: 'dense', numeric: true, group: TIME_TO_TRAIN },
    { header: 'one H100', numeric: true, group: TIME_TO_TRAIN },
  ];
  const rows = report.runs.flatMap((run) => [
    ...run.phases.map((ph) => ({
      cells: [
        run.name,
        ph.name,
        percent(ph.sparsity),
        ratio(ph.flopReduction),
        ratio(ph.realizedSpeedup),
        percent(ph.efficiency),
        seconds(ph.stepSeconds),
        seconds(ph.timeToTrain.sparse.seconds),
        seconds(ph.timeToTrain.dense.seconds),
        seconds(ph.timeToTrain.h100.seconds),
      ],
    })),
    {
      total: true,
      cells: [
        run.name,
        'all phases',
        '',
        ratio(run.totals.flopReduction),
        ratio(run.totals.realizedSpeedup),
        percent(run.totals.efficiency),
        '',
        seconds(run.totals.timeToTrain.sparse.seconds),
        seconds(run.totals.timeToTrain.dense.seconds),
        seconds(run.totals.timeToTrain.h100.seconds),
      ],
    },
  ]);
  return table(columns, rows);
}

/** One line per run (model, sparsity, hardware); its description, often long, folds out. */
function runDetails(run: RunReport): Html {
  const m = run.model;
  const hw = run.hardware;
  const line =
    `: model ${m.name} (${m.layers} layers, dModel ${m.dModel}, context ${m.seqLen}); ` +
    `${percent(run.sparsity)} ${run.pattern} sparsity (${run.distribution}, ${run.maskSource} masks), ` +
    `${run.batch.sequences} sequences per step; ${hw.name}: ${hw.meshRows} × ${hw.meshCols} PEs at ` +
    `${si(hw.clockHz, 'Hz')}.`;
  return element(
    'details',
    { class: 'runs' },
    element('summary', {}, element('strong', {}, run.name), line),
    ...(run.description ? [p(run.description)] : []),
  );
}

async function figure(chart: ReportChart): Promise<Html> {
  const svg = await renderVegaLiteSvg(chart.spec, { idPrefix: chart.id });
  return element(
    'figure',
    { id: chart.id, 'aria-label': chart.title },
    raw(svg),
    element('figcaption', {}, chart.readingAid),
  );
}

async function chartsSection(report: Report, measured?: MeasuredGemmPoints): Promise<Html> {
  const charts = reportCharts(report, measured);
  const heatmaps = charts.filter((c) => c.id.startsWith('chart-heatmap-'));
  const others = charts.filter((c) => !heatmaps.includes(c));
  const figures = await Promise.all(others.map(figure));
  const heatmapFigures = await Promise.all(heatmaps.map(figure));
  return section(
    'charts',
    'Charts',
    ...figures,
    ...(heatmapFigures.length === 0 ? [] : [element('div', { class: 'grid' }, ...heatmapFigures)]),
  );
}

function timeToTrainSection(report: Report): Html {
  const columns = [
    { header: 'run' },
    { header: 'phase' },
    { header: 'tokens', numeric: true },
    { header: 'steps', numeric: true },
    { header: 'sparse', numeric: true, group: 'time to train' },
    { header: 'dense', numeric: true, group: 'time to train' },
    { header: 'one H100', numeric: true, group: 'time to train' },
    { header: `${report.gpu.gpusPerNode} H100s`, numeric: true, group: 'time to train' },
    { header: 'sparse', numeric: true, group: 'in days' },
    { header: 'dense', numeric: true, group: 'in days' },
    { header: 'one H100', numeric: true, group: 'in days' },
  ];
  const row = (
    run: RunReport,
    phase: string,
    tokens: number,
    steps: number,
    t: RunReport['totals']['timeToTrain'],
  ) => [
    run.name,
    phase,
    si(tokens),
    count(steps, 1),
    seconds(t.sparse.seconds),
    seconds(t.dense.seconds),
    seconds(t.h100.seconds),
    seconds(t.h100Node.seconds),
    t.sparse.days.toFixed(2),
    t.dense.days.toFixed(2),
    t.h100.days.toFixed(2),
  ];
  const rows = report.runs.flatMap((run) => [
    ...run.phases.map((ph) => ({ cells: row(run, ph.name, ph.tokens, ph.steps, ph.timeToTrain) })),
    {
      total: true,
      cells: row(run, 'all phases', run.totals.tokens, run.totals.steps, run.totals.timeToTrain),
    },
  ]);
  return section(
    'time-to-train',
    'Time to train',
    p(
      "The token budget of each phase: sparse and dense on the workload's simulated systems (no restarts), and on " +
        `${report.gpu.label}.`,
    ),
    element('div', { class: 'scroll' }, table(columns, rows)),
  );
}

/** First-order energy beside time (reports/energy.ts): estimates, and said so. */
function energySection(report: Report): Html {
  const columns = [
    { header: 'run' },
    { header: 'phase' },
    { header: 'sparse', numeric: true, group: 'energy per step' },
    { header: 'dense', numeric: true, group: 'energy per step' },
    { header: 'saving', numeric: true },
    { header: 'J/token', numeric: true },
    { header: 'tokens/J', numeric: true },
    { header: 'sparse', numeric: true, group: 'energy to train' },
    { header: 'dense', numeric: true, group: 'energy to train' },
    { header: 'static share', numeric: true },
  ];
  const rows = report.runs.flatMap((run) =>
    run.phases.map((ph) => {
      const e = formatEnergy(ph.energy);
      return {
        cells: [
          run.name,
          ph.name,
          e.step,
          e.denseStep,
          e.saving,
          e.perToken,
          e.tokensPerJoule,
          e.train,
          e.denseTrain,
          e.staticShare,
        ],
      };
    }),
  );
  return section(
    'energy',
    'Energy (first order)',
    p(ENERGY_CAVEAT),
    element('div', { class: 'scroll' }, table(columns, rows)),
  );
}

/** Throughput, scaling against one system, and the step boundary part by part. */
function throughputSection(report: Report): Html {
  const columns = [
    { header: 'run' },
    { header: 'phase' },
    { header: 'systems', numeric: true },
    { header: 'tokens/s', numeric: true, group: 'throughput' },
    { header: 'per system', numeric: true, group: 'throughput' },
    { header: 'step', numeric: true, group: 'against one system' },
    { header: 'one system', numeric: true, group: 'against one system' },
    { header: 'scaling efficiency', numeric: true, group: 'against one system' },
    { header: 'last gradients', numeric: true, group: 'step boundary' },
    { header: 'SwarmX tree', numeric: true, group: 'step boundary' },
    { header: 'fixed pause', numeric: true, group: 'step boundary' },
  ];
  const rows = report.runs.flatMap((run) =>
    run.phases.map((ph) => ({
      cells: [
        run.name,
        ph.name,
        String(ph.cluster.systems),
        si(ph.cluster.tokensPerSecond),
        si(ph.cluster.tokensPerSecondPerSystem),
        seconds(ph.stepSeconds),
        seconds(ph.cluster.singleSystemStepSeconds),
        percent(ph.cluster.scalingEfficiency),
        seconds(ph.stepBoundary.lastGradientsSeconds),
        seconds(ph.stepBoundary.clusterSeconds),
        seconds(ph.stepBoundary.fixedSeconds),
      ],
    })),
  );
  return section(
    'throughput',
    'Throughput, scaling and the step boundary',
    p(
      'Tokens trained per second by the whole cluster and per system. "One system" is the same global batch ' +
        'simulated on one system; the scaling efficiency is its step / (systems × the step), 100% on one system. ' +
        'The step boundary is what nothing overlaps between two optimizer steps (charged to the bubble cause).',
    ),
    element('div', { class: 'scroll' }, table(columns, rows)),
  );
}

function gpuSection(report: Report): Html {
  const g = report.gpu;
  const [stepFile = '', sparseFile = ''] = g.sources;
  const runs = g.runs.map(
    (r) => `micro-batch ${r.microBatch} × ${r.seqLen} tokens: ${r.modelTflops.toFixed(1)} TFLOP/s`,
  );
  const columns = [
    { header: 'GEMM M × K × N' },
    { header: 'dense bf16 (TFLOP/s)', numeric: true },
    { header: 'CSR bf16, 50%', numeric: true },
    { header: 'CSR bf16, 75%', numeric: true },
    { header: 'CSR bf16, 90%', numeric: true },
    { header: 'CSR fp32, 90%', numeric: true },
    { header: '2:4 (cuSPARSELt)', numeric: true },
  ];
  const rows = g.gemm.map((r) => ({
    cells: [
      `${r.m} × ${r.k} × ${r.n}`,
      r.denseTflops.toFixed(0),
      ratio(r.csrBf16.s50, 3),
      ratio(r.csrBf16.s75, 3),
      ratio(r.csrBf16.s90, 3),
      ratio(r.csrFp32.s90, 3),
      ratio(r.semi24, 2),
    ],
  }));
  const tag = element('span', { class: 'measured' }, 'measured');
  const rates = report.runs.map(
    (r) =>
      `${r.name}: ${r.gpuRate.tflops.toFixed(1)} TFLOP/s (${r.gpuRate.basis === 'measured' ? 'measured' : r.gpuRate.basis === 'interpolated' ? 'extrapolated: interpolated between measured block widths' : 'extrapolated: outside the measured widths, at the nearest'})`,
  );
  const csr = g.gemm.flatMap((r) => [r.csrBf16.s50, r.csrBf16.s75, r.csrBf16.s90]);
  const semi = g.gemm.map((r) => r.semi24);
  const range = (xs: number[]) => `${ratio(Math.min(...xs), 3)} to ${ratio(Math.max(...xs), 3)}`;
  return section(
    'gpu',
    'GPU context',
    p(
      tag,
      ` The H100 time to train is the dense training FLOPs divided by the H100's rate: ${g.modelTflops.toFixed(1)} TFLOP/s, the ` +
        `median model TFLOP/s (the papers' FLOP convention) measured on an ${g.device} training a dense GPT-3 ` +
        `XL-shaped model (width ${g.measuredDModel}) in bf16 (${runs.join('; ')}), from `,
      code(stepFile),
      `. A model of another width gets that rate scaled by the measured transformer-block rates (${g.blocks
        .map((b) => `width ${b.dModel}: ${b.modelTflops.toFixed(1)} TFLOP/s`)
        .join(
          ', ',
        )}), linearly between them and at the nearest outside them: an extrapolation, not a measurement. ` +
        `Rates used: ${rates.join('; ')}. The ${g.gpusPerNode}-GPU node is ${g.gpusPerNode} times one GPU's rate, linear scaling assumed [UNC].`,
    ),
    p(
      tag,
      ' Why the GPU runs dense: speedups of sparse kernels over a dense bf16 GEMM at GPT shapes, measured on the ' +
        'same H100, from ',
      code(sparseFile),
      `. Unstructured sparsity (cuSPARSE CSR, 50% to 90% zeros) runs at ${range(csr)} of the dense speed; ` +
        `2:4 structured sparsity (cuSPARSELt, 50% zeros) at ${range(semi)}. Below 1× is a slowdown.`,
    ),
    element(
      'div',
      { class: 'scroll' },
      table(columns, rows, 'Sparse over dense bf16 speedup on one H100 (measured)'),
    ),
  );
}

function definitionsSection(): Html {
  const list = (entries: readonly [string, string][]) =>
    element('dl', {}, ...entries.flatMap(([name, def]) => [element('dt', {}, name), element('dd', {}, def)]));
  return section(
    'definitions',
    'Definitions',
    list(Object.entries(METRIC_DEFINITIONS)),
    p('Stall causes (each cycle of a step is attributed to exactly one):'),
    list(STALL_CAUSES.map((cause) => [cause, `${STALL_CAUSE_DEFINITIONS[cause]}.`])),
  );
}

function footer(report: Report): Html {
  const m = report.meta;
  return element(
    'footer',
    {},
    `Generated ${m.generatedAt} by wafersim ${m.wafersimVersion} (commit ${m.commit}) on ${m.host} (Node ${m.node}, ${m.platform}, ` +
      `${m.cpus} CPUs, ${m.workers} workers) in ${seconds(m.wallSeconds)} of wall time. ` +
      `Fidelity ${report.fidelity}; report schema version ${report.version}.`,
  );
}

/** The whole page; `measured` defaults to data/cs2-gemm-speedup.json. */
export async function renderReportHtml(report: Report, measured?: MeasuredGemmPoints): Promise<string> {
  const title = `wafersim report: ${report.runs.map((r) => r.name).join(', ')}`;
  const head = element(
    'head',
    {},
    raw('<meta charset="utf-8">'),
    raw(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`),
    raw('<meta name="viewport" content="width=device-width, initial-scale=1">'),
    element('title', {}, title),
    element('style', {}, raw(PAGE_CSS)),
  );
  const main = element(
    'main',
    {},
    element('h1', {}, title),
    element(
      'p',
      { class: 'lead' },
      'Simulated sparse training on a wafer-scale PE mesh: how much of the FLOP reduction each phase turns into ' +
        'speed, and where the rest goes. The numbers are in report.json; every metric is defined at the end.',
    ),
    section('summary', 'Summary', element('div', { class: 'scroll' }, summaryTable(report))),
    ...report.runs.map(runDetails),
    await chartsSection(report, measured),
    timeToTrainSection(report),
    energySection(report),
    throughputSection(report),
    gpuSection(report),
    definitionsSection(),
    footer(report),
  );
  return `<!doctype html>\n${element('html', { lang: 'en' }, head, element('body', {}, main)).html}\n`;
}
