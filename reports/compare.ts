/**
 * `wafersim compare`: several result folders (what `run` or `sweep` wrote) side by side. Each
 * run × phase of a report.json, and each point of a sweep.json, becomes a row with its headline
 * figures and its speedup over the first row (that row's time to train over this one's, for rows
 * training the same tokens). What differs between the rows' workloads (the resolved workloads
 * the reports embed, flattened to dotted paths) is listed, so a comparison says what was changed
 * as well as what it did. Written as compare.md, compare.json, compare.csv and compare.html,
 * atomically.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { type Diagnostic, InputError, inputError } from '../models/diagnostics.ts';
import { readJsonFile } from '../models/read-json.ts';
import { workloadDiagnostics, workloadErrorMap } from '../workloads/workload-diagnostics.ts';
import { type RenderedFile, writeFilesAtomically } from './atomic-write.ts';
import { assertFiniteNumbers } from './finite.ts';
import { percent, ratio, seconds } from './format-values.ts';
import { element, raw, table } from './html/html.ts';
import { PAGE_CSS } from './html/page-style.ts';
import { csvField } from './report-csv.ts';
import { type Report, ReportSchema } from './report-json.ts';
import { type SweepReport, SweepReportSchema } from './sweep/sweep-report.ts';

export const COMPARE_VERSION = 1;

export interface CompareRow {
  /** The folder, as given on the command line. */
  readonly source: string;
  /** The run's name, or the sweep's name and point. */
  readonly run: string;
  readonly phase: string;
  readonly hardware: string;
  readonly sparsity: number;
  readonly tokens: number;
  readonly flopReduction: number;
  readonly realizedSpeedup: number;
  readonly efficiency: number;
  readonly stepSeconds: number;
  readonly timeToTrainSeconds: number;
  readonly effectiveTflops: number;
  /** The first row's time to train / this row's, when both train the same tokens; else null. */
  readonly speedupOverFirst: number | null;
  /** The resolved workload the row was simulated from. */
  readonly resolved: Record<string, unknown>;
}

export interface Comparison {
  readonly version: typeof COMPARE_VERSION;
  readonly rows: readonly CompareRow[];
  /** The workload fields whose values differ between rows, with each row's value (JSON text). */
  readonly differences: readonly { readonly path: string; readonly values: readonly (string | null)[] }[];
}

export interface ResultFolder {
  readonly label: string;
  readonly report:
    | { readonly kind: 'run'; readonly report: Report }
    | { readonly kind: 'sweep'; readonly report: SweepReport };
}

/** A folder `run` (report.json) or `sweep` (sweep.json) wrote, validated; anything else exits 2 naming it. */
export function readResultFolder(dir: string, label = dir): ResultFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw inputError(
      'missing-file',
      label,
      `no such folder: ${dir} (give folders that wafersim run or sweep wrote)`,
    );
  }
  for (const [file, schema, kind] of [
    ['report.json', ReportSchema, 'run'],
    ['sweep.json', SweepReportSchema, 'sweep'],
  ] as const) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const shown = join(label, file);
    const parsed = schema.safeParse(readJsonFile(path, shown), { error: workloadErrorMap });
    if (!parsed.success) {
      const diagnostics: Diagnostic[] = workloadDiagnostics(parsed.error, schema, () => shown).slice(0, 5);
      diagnostics.push({
        code: 'invalid-value',
        path: shown,
        message: `not a ${file} that this version of wafersim writes (version 1)`,
      });
      throw new InputError(diagnostics);
    }
    return { label, report: { kind, report: parsed.data } as ResultFolder['report'] };
  }
  throw inputError(
    'missing-file',
    label,
    `${dir} holds neither report.json nor sweep.json: give folders that wafersim run or wafersim sweep wrote`,
  );
}

type Phase = Report['runs'][number]['phases'][number];

function rowOf(source: string, run: string, hardware: string, p: Phase, resolved: Record<string, unknown>) {
  return {
    source,
    run,
    phase: p.name,
    hardware,
    sparsity: p.sparsity,
    tokens: p.tokens,
    flopReduction: p.flopReduction,
    realizedSpeedup: p.realizedSpeedup,
    efficiency: p.efficiency,
    stepSeconds: p.stepSeconds,
    timeToTrainSeconds: p.timeToTrain.sparse.seconds,
    effectiveTflops: p.throughput.effectiveTflops,
    resolved,
  };
}

/** Nested values flattened to `a.b.c` → JSON text (arrays whole). */
function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
}

/** Fields that name or describe a workload rather than change what is simulated. */
const NAMING = new Set(['name', 'description', 'version', 'hardware.name', 'model.note']);

export function compareFolders(folders: readonly ResultFolder[]): Comparison {
  const partial = folders.flatMap((f) => {
    if (f.report.kind === 'run') {
      return f.report.report.runs.flatMap((run) =>
        run.phases.map((p) => rowOf(f.label, run.name, run.hardware.name, p, run.resolved)),
      );
    }
    const sweep = f.report.report;
    return sweep.points.map((pt) => {
      const phase = pt.run.phases.find((p) => p.name === pt.phase)!;
      return rowOf(f.label, `${sweep.name} #${pt.index}`, pt.run.hardware.name, phase, pt.run.resolved);
    });
  });
  const first = partial[0];
  const rows: CompareRow[] = partial.map((r) => ({
    ...r,
    speedupOverFirst:
      first !== undefined && r.tokens === first.tokens
        ? first.timeToTrainSeconds / r.timeToTrainSeconds
        : null,
  }));
  const flat = rows.map((r) => {
    const m = new Map<string, string>();
    flatten(r.resolved, '', m);
    return m;
  });
  const paths = [...new Set(flat.flatMap((m) => [...m.keys()]))].filter((p) => !NAMING.has(p)).sort();
  const differences = paths
    .map((path) => ({ path, values: flat.map((m) => m.get(path) ?? null) }))
    .filter((d) => new Set(d.values).size > 1);
  return { version: COMPARE_VERSION, rows, differences };
}

const HEADER = [
  '#',
  'folder',
  'run',
  'phase',
  'hardware',
  'sparsity',
  'FLOP reduction',
  'realized speedup',
  'efficiency',
  'step time',
  'time to train',
  'TFLOP/s',
  'speedup over #0',
];

/** The comparison table's rows as text, for the terminal and compare.md. */
export function compareCells(c: Comparison): string[][] {
  return c.rows.map((r, i) => [
    String(i),
    r.source,
    r.run,
    r.phase,
    r.hardware,
    percent(r.sparsity),
    ratio(r.flopReduction),
    ratio(r.realizedSpeedup),
    percent(r.efficiency),
    seconds(r.stepSeconds),
    seconds(r.timeToTrainSeconds),
    r.effectiveTflops.toFixed(0),
    r.speedupOverFirst === null ? '—' : ratio(r.speedupOverFirst),
  ]);
}

export { HEADER as COMPARE_HEADER };

function differencesText(c: Comparison): string[] {
  if (c.differences.length === 0)
    return ['The rows were simulated from identical workloads (apart from names).'];
  return [
    'What differs between the rows\' workloads (each row\'s value, "—" where it has none):',
    '',
    ...c.differences.map((d) => `- \`${d.path}\`: ${d.values.map((v, i) => `#${i} ${v ?? '—'}`).join(', ')}`),
  ];
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function renderCompareMarkdown(c: Comparison): string {
  return [
    '# wafersim comparison',
    '',
    'Each run × phase of a report.json and each point of a sweep.json (its sparse phase). Speedup ' +
      "over #0: row 0's time to train over this row's, for rows that train the same tokens.",
    '',
    markdownTable(HEADER, compareCells(c)),
    '',
    ...differencesText(c),
    '',
  ].join('\n');
}

export function renderCompareJson(c: Comparison): string {
  assertFiniteNumbers(c, 'comparison');
  return `${JSON.stringify(c, null, 2)}\n`;
}

export function renderCompareCsv(c: Comparison): string {
  const columns = [
    'source',
    'run',
    'phase',
    'hardware.name',
    'sparsity',
    'tokens',
    'flopReduction',
    'realizedSpeedup',
    'efficiency',
    'stepSeconds',
    'timeToTrainSeconds',
    'effectiveTflops',
    'speedupOverFirst',
  ] as const;
  const lines = [columns.join(',')];
  for (const r of c.rows) {
    const cells = [
      r.source,
      r.run,
      r.phase,
      r.hardware,
      r.sparsity,
      r.tokens,
      r.flopReduction,
      r.realizedSpeedup,
    ];
    cells.push(r.efficiency, r.stepSeconds, r.timeToTrainSeconds, r.effectiveTflops);
    lines.push([...cells, r.speedupOverFirst].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

function barChart(
  c: Comparison,
  field: 'timeToTrainSeconds' | 'realizedSpeedup',
  title: string,
  axis: string,
) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { font: 'system-ui, sans-serif', background: 'white', view: { stroke: null } },
    title,
    width: 560,
    height: { step: 22 },
    data: { values: c.rows.map((r, i) => ({ row: `#${i} ${r.run} · ${r.phase}`, value: r[field] })) },
    mark: 'bar',
    encoding: {
      y: { field: 'row', type: 'nominal', sort: null, title: null, axis: { labelLimit: 400 } },
      x: { field: 'value', type: 'quantitative', title: axis },
    },
  } as TopLevelSpec;
}

export async function renderCompareHtml(c: Comparison): Promise<string> {
  // vega loads only when a page is rendered, not with every command (see write-report.ts).
  const { renderVegaLiteSvg } = await import('./html/render-svg.ts');
  const charts = await Promise.all([
    renderVegaLiteSvg(barChart(c, 'timeToTrainSeconds', 'Time to train', 'time to train (s)'), {
      idPrefix: 'cmp-1',
    }),
    renderVegaLiteSvg(
      barChart(c, 'realizedSpeedup', 'Realized speedup over dense', 'speedup over dense (×)'),
      {
        idPrefix: 'cmp-2',
      },
    ),
  ]);
  const columns = HEADER.map((header, i) => ({ header, numeric: i === 0 || i >= 5 }));
  const main = element(
    'main',
    {},
    element('h1', {}, 'wafersim comparison'),
    element(
      'p',
      {},
      "Each run × phase of a report.json and each point of a sweep.json (its sparse phase). Speedup over #0: row 0's time to train over this row's, for rows that train the same tokens.",
    ),
    element(
      'div',
      { class: 'scroll' },
      table(
        columns,
        compareCells(c).map((cells) => ({ cells })),
      ),
    ),
    ...charts.map((svg) => element('figure', {}, raw(svg))),
    element('h2', {}, 'What differs'),
    c.differences.length === 0
      ? element('p', {}, 'The rows were simulated from identical workloads (apart from names).')
      : table(
          [{ header: 'field' }, ...c.rows.map((_, i) => ({ header: `#${i}` }))],
          c.differences.map((d) => ({ cells: [d.path, ...d.values.map((v) => v ?? '—')] })),
        ),
  );
  const head = element(
    'head',
    {},
    raw('<meta charset="utf-8">'),
    raw(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`),
    element('title', {}, 'wafersim comparison'),
    element('style', {}, raw(PAGE_CSS)),
  );
  return `<!doctype html>\n${element('html', { lang: 'en' }, head, element('body', {}, main)).html}\n`;
}

export const COMPARE_FILES: readonly RenderedFile<Comparison>[] = [
  { name: 'compare.md', render: renderCompareMarkdown },
  { name: 'compare.json', render: renderCompareJson },
  { name: 'compare.csv', render: renderCompareCsv },
  { name: 'compare.html', render: renderCompareHtml },
];

export function writeComparison(c: Comparison, outDir: string): Promise<string[]> {
  return writeFilesAtomically(c, COMPARE_FILES, outDir, undefined);
}
