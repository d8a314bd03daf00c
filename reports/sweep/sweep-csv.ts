/**
 * sweep.csv: one row per point, for plotting in any tool. The varied values come first, a column
 * each named `values.<path>` as in sweep.json (an object or a list is written as JSON), then the
 * point's fields named as in sweep.json's points, the rest of its sparse phase's figures, its
 * totals, and its whole machine and model, named as in report.csv. RFC 4180 quoting and CRLF
 * records, as report.csv.
 */
import {
  type Cell,
  type Column,
  csvField,
  MACHINE_COLUMNS,
  PHASE_COLUMNS,
  TOTALS_COLUMNS,
} from '../report-csv.ts';
import type { SweepPointReport, SweepReport } from './sweep-report.ts';

function phaseOf(p: SweepPointReport) {
  return p.run.phases.find((phase) => phase.name === p.phase)!;
}

/** The point's own fields (sweep.json points[]), then the rest of its sparse phase's, its totals, its machine. */
const POINT_COLUMNS: readonly Column<SweepPointReport>[] = [
  { name: 'phase', value: (p) => p.phase },
  { name: 'sparsity', value: (p) => p.sparsity },
  { name: 'flopReduction', value: (p) => p.flopReduction },
  { name: 'realizedSpeedup', value: (p) => p.realizedSpeedup },
  { name: 'efficiency', value: (p) => p.efficiency },
  { name: 'stepSeconds', value: (p) => p.stepSeconds },
  { name: 'denseStepSeconds', value: (p) => p.denseStepSeconds },
  { name: 'timeToTrainSeconds', value: (p) => p.timeToTrainSeconds },
  { name: 'effectiveTflops', value: (p) => p.effectiveTflops },
  { name: 'systems', value: (p) => p.systems },
  { name: 'tokensPerSecond', value: (p) => p.tokensPerSecond },
  { name: 'scalingEfficiency', value: (p) => p.scalingEfficiency },
  { name: 'boundaryShare', value: (p) => p.boundaryShare },
];

const SHOWN = new Set(POINT_COLUMNS.map((c) => c.name));

const COLUMNS: readonly Column<SweepPointReport>[] = [
  ...POINT_COLUMNS,
  // The phase's other figures, named as in report.csv.
  ...PHASE_COLUMNS.filter((c) => !SHOWN.has(c.name)).map((c) => ({
    name: c.name,
    value: (p: SweepPointReport) => c.value(phaseOf(p)),
  })),
  ...[...TOTALS_COLUMNS, ...MACHINE_COLUMNS].map((c) => ({
    name: c.name,
    value: (p: SweepPointReport) => c.value(p.run),
  })),
];

function variedCell(value: unknown): Cell {
  if (typeof value === 'number' || typeof value === 'string') return value;
  return value === undefined ? null : JSON.stringify(value);
}

export function renderSweepCsv(report: SweepReport): string {
  const keys = Object.keys(report.vary);
  const header = ['index', ...keys.map((k) => `values.${k}`), ...COLUMNS.map((c) => c.name)];
  const lines = [header.map(csvField).join(',')];
  for (const p of report.points) {
    const cells: Cell[] = [
      p.index,
      ...keys.map((k) => variedCell(p.values[k])),
      ...COLUMNS.map((c) => c.value(p)),
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
