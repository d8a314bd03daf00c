/**
 * sweep.csv: one row per point, for plotting in any tool. The varied paths come first (a column
 * each, named by the path; a value that is an object or a list is written as JSON), then the sparse
 * phase's main fields and the whole run's totals (names that no workload path takes, so no
 * column name repeats). RFC 4180 quoting and CRLF records, as report.csv.
 */
import { STALL_CAUSES } from '../../simulator/counters.ts';
import { csvField } from '../report-csv.ts';
import type { SweepPointReport, SweepReport } from './sweep-report.ts';

type Cell = string | number | null;

interface Column {
  readonly name: string;
  readonly value: (p: SweepPointReport) => Cell;
}

function phaseOf(p: SweepPointReport) {
  return p.run.phases.find((phase) => phase.name === p.phase)!;
}

const COLUMNS: readonly Column[] = [
  { name: 'phase', value: (p) => p.phase },
  { name: 'phaseSparsity', value: (p) => p.sparsity },
  { name: 'flopReduction', value: (p) => p.flopReduction },
  { name: 'realizedSpeedup', value: (p) => p.realizedSpeedup },
  { name: 'efficiency', value: (p) => p.efficiency },
  { name: 'stepSeconds', value: (p) => p.stepSeconds },
  { name: 'denseStepSeconds', value: (p) => p.denseStepSeconds },
  { name: 'trainSeconds', value: (p) => p.timeToTrainSeconds },
  { name: 'stepCycles', value: (p) => phaseOf(p).stepCycles },
  { name: 'systems', value: (p) => p.systems },
  { name: 'tokensPerSecond', value: (p) => p.tokensPerSecond },
  { name: 'scalingEfficiency', value: (p) => p.scalingEfficiency },
  { name: 'boundaryShare', value: (p) => p.boundaryShare },
  ...STALL_CAUSES.map((cause) => ({
    name: `stall.${cause}`,
    value: (p: SweepPointReport) => phaseOf(p).stalls[cause],
  })),
  { name: 'macUtilization', value: (p) => phaseOf(p).utilization.mac },
  { name: 'peBusy', value: (p) => phaseOf(p).utilization.peBusy },
  { name: 'effectiveTflops', value: (p) => phaseOf(p).throughput.effectiveTflops },
  { name: 'microBatchSequences', value: (p) => phaseOf(p).microBatchSequences },
  { name: 'activationPolicy', value: (p) => phaseOf(p).activationPolicy },
  { name: 'run.flopReduction', value: (p) => p.run.totals.flopReduction },
  { name: 'run.realizedSpeedup', value: (p) => p.run.totals.realizedSpeedup },
  { name: 'run.trainSeconds', value: (p) => p.run.totals.timeToTrain.sparse.seconds },
  { name: 'hardwareName', value: (p) => p.run.hardware.name },
  { name: 'modelName', value: (p) => p.run.model.name },
];

function variedCell(value: unknown): Cell {
  if (typeof value === 'number' || typeof value === 'string') return value;
  return value === undefined ? null : JSON.stringify(value);
}

export function renderSweepCsv(report: SweepReport): string {
  const keys = Object.keys(report.vary);
  const header = ['index', ...keys, ...COLUMNS.map((c) => c.name)];
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
