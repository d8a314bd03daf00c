/**
 * report.csv: one row per run × phase, a header row, RFC 4180 quoting (a field with a comma, quote
 * or line break is quoted, quotes doubled; records end in CRLF). Each column is named by the path
 * of its quantity in report.json (`stepSeconds`, `stalls.io`, `timeToTrain.sparse.seconds`), with
 * its unit in the name where it has one; the whole machine follows as `hardware.*` and the model as
 * `model.*`. Numbers are written in full precision, fractions as fractions; an undefined ratio or a
 * field a machine does not set is empty.
 */
import { HardwareConfigSchema } from '../hardware/hardware-config.ts';
import { ModelConfigSchema } from '../models/model-config.ts';
import { STALL_CAUSES } from '../simulator/counters.ts';
import type { PhaseReport, Report, RunReport } from './report-json.ts';

export type Cell = string | number | null;

/** A CSV column: its name is the path of the quantity in report.json, so each has one name. */
export interface Column<T> {
  readonly name: string;
  readonly value: (row: T) => Cell;
}

type PhaseRow = { readonly run: RunReport; readonly phase: PhaseReport };

/**
 * The figures of one phase, named by their path inside a phase of report.json (units are in the
 * names: seconds, cycles, tokens, TFLOP/s; the rest are ratios and fractions in [0, 1]).
 */
export const PHASE_COLUMNS: readonly Column<PhaseReport>[] = [
  { name: 'sparsity', value: (p) => p.sparsity },
  { name: 'tokens', value: (p) => p.tokens },
  { name: 'steps', value: (p) => p.steps },
  { name: 'stepCycles', value: (p) => p.stepCycles },
  { name: 'stepSeconds', value: (p) => p.stepSeconds },
  { name: 'denseStepSeconds', value: (p) => p.denseStepSeconds },
  { name: 'flopReduction', value: (p) => p.flopReduction },
  { name: 'realizedSpeedup', value: (p) => p.realizedSpeedup },
  { name: 'efficiency', value: (p) => p.efficiency },
  ...STALL_CAUSES.map((cause) => ({ name: `stalls.${cause}`, value: (p: PhaseReport) => p.stalls[cause] })),
  { name: 'utilization.mac', value: (p) => p.utilization.mac },
  { name: 'utilization.peBusy', value: (p) => p.utilization.peBusy },
  { name: 'throughput.effectiveTflops', value: (p) => p.throughput.effectiveTflops },
  { name: 'throughput.denseEquivalentTflops', value: (p) => p.throughput.denseEquivalentTflops },
  { name: 'stepBoundary.lastGradientsSeconds', value: (p) => p.stepBoundary.lastGradientsSeconds },
  { name: 'stepBoundary.clusterSeconds', value: (p) => p.stepBoundary.clusterSeconds },
  { name: 'stepBoundary.fixedSeconds', value: (p) => p.stepBoundary.fixedSeconds },
  { name: 'cluster.systems', value: (p) => p.cluster.systems },
  { name: 'cluster.tokensPerSecond', value: (p) => p.cluster.tokensPerSecond },
  { name: 'cluster.tokensPerSecondPerSystem', value: (p) => p.cluster.tokensPerSecondPerSystem },
  { name: 'cluster.scalingEfficiency', value: (p) => p.cluster.scalingEfficiency },
  { name: 'timeToTrain.sparse.seconds', value: (p) => p.timeToTrain.sparse.seconds },
  { name: 'timeToTrain.dense.seconds', value: (p) => p.timeToTrain.dense.seconds },
  { name: 'timeToTrain.h100.seconds', value: (p) => p.timeToTrain.h100.seconds },
  { name: 'energy.stepJoules', value: (p) => p.energy.stepJoules },
  { name: 'energy.joulesPerToken', value: (p) => p.energy.joulesPerToken },
  { name: 'energy.tokensPerJoule', value: (p) => p.energy.tokensPerJoule },
  { name: 'energy.savings', value: (p) => p.energy.savings },
  { name: 'energy.trainKilowattHours', value: (p) => p.energy.trainKilowattHours },
  { name: 'microBatchSequences', value: (p) => p.microBatchSequences },
  { name: 'activationPolicy', value: (p) => p.activationPolicy },
];

/** The run's totals over its phases (report.json `totals`). */
export const TOTALS_COLUMNS: readonly Column<RunReport>[] = [
  { name: 'totals.flopReduction', value: (r) => r.totals.flopReduction },
  { name: 'totals.realizedSpeedup', value: (r) => r.totals.realizedSpeedup },
  { name: 'totals.efficiency', value: (r) => r.totals.efficiency },
  { name: 'totals.timeToTrain.sparse.seconds', value: (r) => r.totals.timeToTrain.sparse.seconds },
];

/** Every field of the machine and of the model, so a row says exactly what ran. */
export const MACHINE_COLUMNS: readonly Column<RunReport>[] = [
  ...Object.keys(HardwareConfigSchema.shape).map((key) => ({
    name: `hardware.${key}`,
    value: (r: RunReport) => (r.hardware as Record<string, Cell | undefined>)[key] ?? null,
  })),
  ...Object.keys(ModelConfigSchema.shape).map((key) => ({
    name: `model.${key}`,
    value: (r: RunReport) => {
      const v = (r.model as Record<string, unknown>)[key];
      return typeof v === 'number' || typeof v === 'string' ? v : v === undefined ? null : String(v);
    },
  })),
];

const COLUMNS: readonly Column<PhaseRow>[] = [
  { name: 'run', value: (row) => row.run.name },
  { name: 'phase', value: (row) => row.phase.name },
  ...PHASE_COLUMNS.map((c) => ({ name: c.name, value: (row: PhaseRow) => c.value(row.phase) })),
  ...[...TOTALS_COLUMNS, ...MACHINE_COLUMNS].map((c) => ({
    name: c.name,
    value: (row: PhaseRow) => c.value(row.run),
  })),
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
    for (const phase of run.phases)
      lines.push(COLUMNS.map((c) => csvField(c.value({ run, phase }))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * ops.csv: one row per run × phase × op of the step graph, what SCALE-Sim and Timeloop users read
 * layer by layer: the op's cycles over the step (all its runs), the same op's cycles in the
 * dense-equivalent step and the speedup, its cycles by cause, MACs issued and skipped, bytes in
 * and out. The ops of a phase sum to its step (the step boundary is the optimizer's row).
 */
export function renderOpsCsv(report: Report): string {
  const header = [
    'run',
    'phase',
    'id',
    'op',
    'pass',
    'layer',
    'kind',
    'count',
    'cycles',
    'denseCycles',
    'speedup',
    ...STALL_CAUSES.map((c) => `cyclesByCause.${c}`),
    'macsIssued',
    'macsSkipped',
    'bytesIn',
    'bytesOut',
  ];
  const lines = [header.join(',')];
  for (const run of report.runs) {
    for (const phase of run.phases) {
      for (const o of phase.ops ?? []) {
        const cells: Cell[] = [run.name, phase.name, o.id, o.op, o.pass, o.layer, o.kind, o.count, o.cycles];
        cells.push(o.denseCycles, o.cycles > 0 && o.denseCycles > 0 ? o.denseCycles / o.cycles : null);
        cells.push(
          ...STALL_CAUSES.map((c) => o.cyclesByCause[c]),
          o.macsIssued,
          o.macsSkipped,
          o.bytesIn,
          o.bytesOut,
        );
        lines.push(cells.map(csvField).join(','));
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
