/**
 * sweep.md: the sweep for people. One table row per point: its varied values, then the FLOP
 * reduction, realized speedup, efficiency, step time and time to train of its sparse phase.
 * Nothing from `meta` is printed, so a merged sweep's sweep.md is byte-identical to an unsharded one.
 */
import { count, percent, ratio, seconds, si } from '../format-values.ts';
import { METRIC_DEFINITIONS } from '../metrics.ts';
import { definedMetrics, hasClusters, type SweepReport } from './sweep-report.ts';

/** A Markdown table; `|` in a cell is escaped. The first `textColumns` columns are left-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[], textColumns: number): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (i < textColumns ? ' --- ' : ' ---: ')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** A varied value as people read it: large numbers with an SI prefix, text as is, the rest as JSON. */
export function formatVariedValue(value: unknown): string {
  if (typeof value === 'number') return Math.abs(value) >= 1e5 ? si(value) : String(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function baseText(base: SweepReport['base']): string {
  return typeof base === 'string' ? `\`${base}\`` : `an inline workload \`${JSON.stringify(base)}\``;
}

function varyList(report: SweepReport): string[] {
  return Object.entries(report.vary).map(([key, values]) => {
    const what = key === 'sparsity' ? ' (the level of the phases without their own sparsity)' : '';
    return `- \`${key}\`${what}: ${values.map(formatVariedValue).join(', ')}`;
  });
}

export function renderSweepMarkdown(report: SweepReport): string {
  const keys = Object.keys(report.vary);
  const clusters = hasClusters(report);
  const rows = report.points.map((p) => [
    String(p.index),
    ...keys.map((k) => formatVariedValue(p.values[k])),
    p.phase,
    ratio(p.flopReduction),
    ratio(p.realizedSpeedup),
    percent(p.efficiency),
    seconds(p.stepSeconds),
    seconds(p.timeToTrainSeconds),
    ...(clusters ? [si(p.tokensPerSecond), percent(p.scalingEfficiency), percent(p.boundaryShare)] : []),
  ]);
  const header = [
    '#',
    ...keys,
    'phase',
    'FLOP reduction',
    'realized speedup',
    'efficiency',
    'step time',
    'time to train',
    ...(clusters ? ['tokens/s', 'scaling efficiency', 'step boundary'] : []),
  ];
  const shown =
    report.points.length === report.pointCount
      ? ''
      : ` (this file holds ${count(report.points.length)} of them)`;
  return [
    `# wafersim sweep: ${report.name}`,
    '',
    ...(report.description ? [report.description, ''] : []),
    `Base: ${baseText(report.base)}. ${count(report.pointCount)} points${shown}, the cartesian product of:`,
    '',
    ...varyList(report),
    '',
    `Simulated by wafersim ${report.meta.wafersimVersion} (commit \`${report.meta.commit}\`). ` +
      `Sweep schema version ${report.version}, fidelity \`${report.fidelity}\`, sweep id \`${report.sweepId}\`. ` +
      'The numbers are in `sweep.json` (each point with its full run, as in report.json) and `sweep.csv`. ' +
      "Each row shows the point's sparse phase (its sparsest phase), simulated against its dense " +
      "equivalent on the same hardware; time to train is that phase's token budget on the point's systems.",
    '',
    table(header, rows, keys.length + 2),
    '',
    '## Definitions',
    '',
    ...definedMetrics(report).map((name) => `- **${name}**: ${METRIC_DEFINITIONS[name]}`),
    '',
  ].join('\n');
}
