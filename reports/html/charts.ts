/**
 * The charts of report.html as vega-lite specs (DESIGN §8), built from the report object alone
 * (plus the measured CS-2 GEMM points for the efficiency chart). Each chart has a title, axis
 * titles with units and a one-line reading aid the page prints under it. Data stays in fractions;
 * percent appears only in axis and label formats.
 */
import type { TopLevelSpec } from 'vega-lite';
import { STALL_CAUSES } from '../../simulator/counters.ts';
import type { PhaseReport, Report } from '../report-json.ts';
import { loadMeasuredPoints, type MeasuredGemmPoints } from '../validation.ts';
import { CONFIG, type ReportChart, SCHEMA, sparsePhases } from './chart-common.ts';
import { heatmapCharts } from './heatmap.ts';

export type { ReportChart } from './chart-common.ts';

/** At most this many sparse phases in the per-kind chart (the first ones, in report order). */
export const MAX_OP_KIND_PHASES = 6;

/** A category axis' title sits level above its labels (a rotated one would collide with long labels). */
const CATEGORY_AXIS = {
  titleAngle: 0,
  titleAlign: 'right',
  titleBaseline: 'bottom',
  titleX: -7,
  titleY: -6,
} as const;

const COLORS = {
  flopReduction: '#4c78a8',
  speedup: '#f58518',
  measured: '#222222',
  series: ['#e45756', '#54a24b', '#b279a2', '#72b7b2', '#9d755d', '#eeca3b'],
  causes: ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#b279a2', '#eeca3b', '#9d755d', '#bab0ac'],
} as const;

const FLOP_REDUCTION = 'FLOP reduction';
const SPEEDUP = 'realized speedup';

/** `run · phase`, made unique (two runs may share a name), in report order. */
function phaseLabels(report: Report): Map<PhaseReport, string> {
  const labels = new Map<PhaseReport, string>();
  const seen = new Map<string, number>();
  for (const run of report.runs) {
    for (const phase of run.phases) {
      const base = `${run.name} · ${phase.name}`;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      labels.set(phase, n === 1 ? base : `${base} (${n})`);
    }
  }
  return labels;
}

/** Grouped horizontal bars of FLOP reduction next to realized speedup, labelled with their value. */
function factorBars(yField: string, yTitle: string) {
  return {
    y: { field: yField, type: 'nominal', sort: null, title: yTitle, axis: CATEGORY_AXIS },
    yOffset: { field: 'metric', type: 'nominal', sort: [FLOP_REDUCTION, SPEEDUP] },
    x: { field: 'value', type: 'quantitative', title: 'Factor over the dense-equivalent step (×)' },
    color: {
      field: 'metric',
      type: 'nominal',
      title: null,
      scale: { domain: [FLOP_REDUCTION, SPEEDUP], range: [COLORS.flopReduction, COLORS.speedup] },
      legend: { orient: 'top', direction: 'horizontal' },
    },
  } as const;
}

const VALUE_TEXT = {
  mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#333' },
  encoding: { text: { field: 'text', type: 'nominal' } },
} as const;

export function flopVsSpeedupChart(report: Report): ReportChart {
  const labels = phaseLabels(report);
  const values = report.runs.flatMap((run) =>
    run.phases.flatMap((p) => [
      { label: labels.get(p), metric: FLOP_REDUCTION, value: p.flopReduction },
      { label: labels.get(p), metric: SPEEDUP, value: p.realizedSpeedup },
    ]),
  );
  const title = 'FLOP reduction vs realized speedup, per run and phase';
  return {
    id: 'chart-flop-vs-speedup',
    title,
    readingAid:
      'Equal bars would mean every skipped FLOP became speed; the speedup bar’s share of the FLOP-reduction bar is the efficiency.',
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      title,
      width: 560,
      height: { step: 16 },
      data: { values },
      transform: [{ calculate: "format(datum.value, '.2f') + '×'", as: 'text' }],
      encoding: factorBars('label', 'Run · phase'),
      layer: [{ mark: { type: 'bar' } }, VALUE_TEXT],
    },
  };
}

export function opKindChart(report: Report): ReportChart | undefined {
  const labels = phaseLabels(report);
  const phases = report.runs.flatMap(sparsePhases).slice(0, MAX_OP_KIND_PHASES);
  if (phases.length === 0) return undefined;
  const values = phases.flatMap((p) =>
    p.opKinds.flatMap((k) => [
      ...(k.flopReduction === null
        ? []
        : [{ phase: labels.get(p), kind: k.kind, metric: FLOP_REDUCTION, value: k.flopReduction }]),
      ...(k.speedup === null
        ? []
        : [{ phase: labels.get(p), kind: k.kind, metric: SPEEDUP, value: k.speedup }]),
    ]),
  );
  const title = 'FLOP reduction vs realized speedup, per kind of work (sparse phases)';
  return {
    id: 'chart-op-kinds',
    title,
    readingAid:
      'A kind without a FLOP-reduction bar issues no multiply-accumulates; where a kind’s speedup falls short of its FLOP reduction, the difference was lost to overhead, imbalance or waiting.',
    spec: {
      $schema: SCHEMA,
      config: {
        ...CONFIG,
        header: {
          labelFontSize: 12,
          labelAngle: 0,
          labelOrient: 'top',
          labelAnchor: 'start',
          labelFontWeight: 'bold',
        },
      },
      title,
      data: { values },
      transform: [{ calculate: "format(datum.value, '.2f') + '×'", as: 'text' }],
      facet: { row: { field: 'phase', type: 'nominal', sort: null, title: null } },
      spec: {
        width: 520,
        height: { step: 12 },
        encoding: factorBars('kind', 'Kind of work'),
        layer: [{ mark: { type: 'bar' } }, VALUE_TEXT],
      },
    },
  };
}

export function stallChart(report: Report): ReportChart {
  const labels = phaseLabels(report);
  const values = report.runs.flatMap((run) =>
    run.phases.flatMap((p) => {
      const steps =
        p.sparsity > 0
          ? [
              { step: `${labels.get(p)} — sparse step`, stalls: p.stalls },
              { step: `${labels.get(p)} — dense-equivalent step`, stalls: p.denseStalls },
            ]
          : [{ step: `${labels.get(p)} — step (dense)`, stalls: p.stalls }];
      return steps.flatMap((s) =>
        STALL_CAUSES.map((cause, order) => ({ step: s.step, cause, order, fraction: s.stalls[cause] })),
      );
    }),
  );
  const title = 'Where the cycles of a step go, by stall cause';
  return {
    id: 'chart-stalls',
    title,
    readingAid:
      'Each bar is one step split by what its cycles were spent on; compare a phase’s sparse step with its dense-equivalent step to see which causes grow when the compute shrinks.',
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      title,
      width: 560,
      height: { step: 20 },
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'step', type: 'nominal', sort: null, title: 'Run · phase — step', axis: CATEGORY_AXIS },
        x: {
          field: 'fraction',
          type: 'quantitative',
          stack: 'zero',
          title: 'Share of the step’s cycles (%)',
          axis: { format: '.0%' },
          scale: { domain: [0, 1] },
        },
        color: {
          field: 'cause',
          type: 'nominal',
          title: 'Stall cause',
          scale: { domain: [...STALL_CAUSES], range: [...COLORS.causes] },
          legend: { orient: 'top', direction: 'horizontal', columns: 4 },
        },
        order: { field: 'order', type: 'quantitative' },
      },
    },
  };
}

export const MEASURED_SERIES = 'measured: 12k × 12k GEMM on a CS-2 (SPDF supp. Fig. 1)';

/** Efficiency of a measured GEMM point: speedup / FLOP reduction, with FLOP reduction 1 / (1 − s). */
export function measuredEfficiencies(
  measured: MeasuredGemmPoints,
): { sparsity: number; efficiency: number }[] {
  return measured.points.map((p) => ({
    sparsity: p.sparsity,
    efficiency: p.measuredSpeedup * (1 - p.sparsity),
  }));
}

export function efficiencyChart(report: Report, measured = loadMeasuredPoints()): ReportChart {
  const simulated = report.runs.flatMap((run) =>
    sparsePhases(run).map((p) => ({
      series: `simulated training step: phase ${p.name}`,
      label: run.name,
      sparsity: p.sparsity,
      efficiency: p.efficiency,
    })),
  );
  const points = measuredEfficiencies(measured).map((p) => ({ series: MEASURED_SERIES, ...p }));
  const seriesNames = [...new Set(simulated.map((s) => s.series))];
  const domain = [...seriesNames, MEASURED_SERIES];
  const range = [...seriesNames.map((_, i) => COLORS.series[i % COLORS.series.length]!), COLORS.measured];
  // Zoomed to the data, to a tenth: the points sit close together near the top.
  const all = [...simulated, ...points];
  const xMin = Math.max(0, (Math.floor(Math.min(...all.map((v) => v.sparsity)) * 10) - 1) / 10);
  const yMin = Math.max(0, (Math.floor(Math.min(...all.map((v) => v.efficiency)) * 10) - 1) / 10);
  const yMax = Math.max(1, ...all.map((v) => v.efficiency));
  const title = 'Efficiency vs sparsity: simulated training steps and measured CS-2 GEMMs';
  const encoding = {
    x: {
      field: 'sparsity',
      type: 'quantitative',
      title: 'Sparsity (% of weights that are zero)',
      axis: { format: '.0%' },
      scale: { domain: [xMin, 1] },
    },
    y: {
      field: 'efficiency',
      type: 'quantitative',
      title: 'Efficiency: realized speedup / FLOP reduction (%)',
      // Level above the axis: rotated, its estimated length would push the plot down.
      axis: {
        format: '.0%',
        titleAngle: 0,
        titleAlign: 'left',
        titleBaseline: 'bottom',
        titleX: -36,
        titleY: -18,
      },
      scale: { domain: [yMin, yMax] },
    },
  } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain, range },
    legend: { orient: 'bottom', direction: 'vertical' },
  } as const;
  const shape = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain, range: [...seriesNames.map(() => 'circle'), 'diamond'] },
  } as const;
  return {
    id: 'chart-efficiency',
    title,
    readingAid:
      'At 100% all of the FLOP reduction became speed; points are labelled with their run. The measured points are one large GEMM, not a whole training step (which adds dense attention, the LM head and I/O), so a step is expected to sit below them.',
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      title,
      width: 520,
      height: 300,
      data: { values: all },
      encoding,
      layer: [
        {
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: { color },
          transform: [{ filter: `datum.series !== ${JSON.stringify(MEASURED_SERIES)}` }],
        },
        {
          mark: { type: 'line', strokeWidth: 1.5, strokeDash: [4, 3] },
          encoding: { color },
          transform: [{ filter: `datum.series === ${JSON.stringify(MEASURED_SERIES)}` }],
        },
        { mark: { type: 'point', filled: true, size: 80, opacity: 1 }, encoding: { color, shape } },
        {
          transform: [{ filter: `datum.series !== ${JSON.stringify(MEASURED_SERIES)}` }],
          mark: { type: 'text', align: 'left', dx: 7, dy: 12, fontSize: 10, color: '#333' },
          encoding: { text: { field: 'label', type: 'nominal' } },
        },
      ],
      resolve: { legend: { color: 'shared', shape: 'shared' } },
    } as TopLevelSpec,
  };
}

/** The charts of report.html, in page order. */
export function reportCharts(report: Report, measured = loadMeasuredPoints()): ReportChart[] {
  const opKinds = opKindChart(report);
  return [
    flopVsSpeedupChart(report),
    ...(opKinds === undefined ? [] : [opKinds]),
    stallChart(report),
    efficiencyChart(report, measured),
    ...heatmapCharts(report),
  ];
}
