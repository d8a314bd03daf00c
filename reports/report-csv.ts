/**
 * report.csv: one row per run × phase with the main fields, a header row, RFC 4180 quoting (a
 * field with a comma, quote or line break is quoted, quotes doubled; records end in CRLF).
 * Numbers are written in full precision, fractions as fractions; an undefined ratio is empty.
 */
import { STALL_CAUSES } from '../simulator/counters.ts';
import type { PhaseReport, Report, RunReport } from './report-json.ts';

type Cell = string | number | null;

interface Column {
  readonly name: string;
  readonly value: (run: RunReport, phase: PhaseReport) => Cell;
}

const COLUMNS: readonly Column[] = [
  { name: 'run', value: (r) => r.name },
  { name: 'phase', value: (_, p) => p.name },
  { name: 'sparsity', value: (_, p) => p.sparsity },
  { name: 'tokens', value: (_, p) => p.tokens },
  { name: 'steps', value: (_, p) => p.steps },
  { name: 'stepCycles', value: (_, p) => p.stepCycles },
  { name: 'stepSeconds', value: (_, p) => p.stepSeconds },
  { name: 'denseStepSeconds', value: (_, p) => p.denseStepSeconds },
  { name: 'flopReduction', value: (_, p) => p.flopReduction },
  { name: 'realizedSpeedup', value: (_, p) => p.realizedSpeedup },
  { name: 'efficiency', value: (_, p) => p.efficiency },
  ...STALL_CAUSES.map((cause) => ({
    name: `stall.${cause}`,
    value: (_: RunReport, p: PhaseReport) => p.stalls[cause],
  })),
  { name: 'macUtilization', value: (_, p) => p.utilization.mac },
  { name: 'peBusy', value: (_, p) => p.utilization.peBusy },
  { name: 'effectiveTflops', value: (_, p) => p.throughput.effectiveTflops },
  { name: 'denseEquivalentTflops', value: (_, p) => p.throughput.denseEquivalentTflops },
  {
    name: 'stepBoundarySeconds',
    value: (_, p) =>
      p.stepBoundary.lastGradientsSeconds + p.stepBoundary.clusterSeconds + p.stepBoundary.fixedSeconds,
  },
  { name: 'systems', value: (_, p) => p.cluster.systems },
  { name: 'tokensPerSecond', value: (_, p) => p.cluster.tokensPerSecond },
  { name: 'tokensPerSecondPerSystem', value: (_, p) => p.cluster.tokensPerSecondPerSystem },
  { name: 'scalingEfficiency', value: (_, p) => p.cluster.scalingEfficiency },
  { name: 'trainSeconds', value: (_, p) => p.timeToTrain.sparse.seconds },
  { name: 'denseTrainSeconds', value: (_, p) => p.timeToTrain.dense.seconds },
  { name: 'h100TrainSeconds', value: (_, p) => p.timeToTrain.h100.seconds },
  { name: 'microBatchSequences', value: (_, p) => p.microBatchSequences },
  { name: 'activationPolicy', value: (_, p) => p.activationPolicy },
  { name: 'hardware', value: (r) => r.hardware.name },
  { name: 'model', value: (r) => r.model.name },
];

/** One CSV field, quoted when RFC 4180 requires it. */
export function csvField(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderReportCsv(report: Report): string {
  const lines = [COLUMNS.map((c) => csvField(c.name)).join(',')];
  for (const run of report.runs) {
    for (const phase of run.phases) lines.push(COLUMNS.map((c) => csvField(c.value(run, phase))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
