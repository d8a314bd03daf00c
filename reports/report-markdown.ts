/**
 * report.md: the report for people. Every number comes from the report object (computed in
 * metrics.ts); this module only formats. Per run and phase: the FLOP reduction next to the
 * realized speedup and the efficiency, where the gap comes from (stall causes), the kinds of work,
 * utilization, time per step and to train; then the GPU context, the hardware and its uncertain
 * parameters, and the definition of every metric and stall cause.
 */

import { HardwareConfigSchema } from '../hardware/hardware-config.ts';
import { STALL_CAUSES } from '../simulator/counters.ts';
import { ENERGY_CAVEAT, formatEnergy } from './energy.ts';
import { count, percent, ratio, seconds, si } from './format-values.ts';
import { METRIC_DEFINITIONS, STALL_CAUSE_DEFINITIONS } from './metrics.ts';
import type { PhaseReport, Report, RunReport } from './report-json.ts';

/**
 * A Markdown table; cells are escaped so a `|` in a name cannot break it. The first `textColumns`
 * columns are left-aligned text, the rest right-aligned numbers.
 */
function table(header: readonly string[], rows: readonly (readonly string[])[], textColumns = 1): string {
  const cell = (s: string) => s.replaceAll('|', '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (i < textColumns ? ' --- ' : ' ---: ')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function summaryTable(report: Report): string {
  const rows: string[][] = [];
  for (const run of report.runs) {
    for (const p of run.phases) {
      rows.push([
        run.name,
        p.name,
        percent(p.sparsity),
        si(p.tokens),
        ratio(p.flopReduction),
        ratio(p.realizedSpeedup),
        percent(p.efficiency),
        seconds(p.stepSeconds),
        seconds(p.timeToTrain.sparse.seconds),
        seconds(p.timeToTrain.dense.seconds),
        seconds(p.timeToTrain.h100.seconds),
      ]);
    }
    const t = run.totals;
    rows.push([
      run.name,
      '**all phases**',
      '',
      si(t.tokens),
      ratio(t.flopReduction),
      ratio(t.realizedSpeedup),
      percent(t.efficiency),
      '',
      seconds(t.timeToTrain.sparse.seconds),
      seconds(t.timeToTrain.dense.seconds),
      seconds(t.timeToTrain.h100.seconds),
    ]);
  }
  const header = [
    'run',
    'phase',
    'sparsity',
    'tokens',
    'FLOP reduction',
    'realized speedup',
    'efficiency',
    'step time',
    'time to train',
    'dense, same system',
    'one H100 (dense)',
  ];
  return table(header, rows, 2);
}

function stallTable(p: PhaseReport): string {
  const rows = STALL_CAUSES.map((cause) => [
    cause,
    count(p.cyclesByCause.sparse[cause], 0),
    percent(p.stalls[cause]),
    count(p.cyclesByCause.dense[cause], 0),
    percent(p.denseStalls[cause]),
    count(p.gap.byCause[cause], 0),
    percent(p.gap.shareByCause[cause]),
  ]);
  rows.push([
    '**step**',
    count(p.stepCycles, 0),
    percent(1),
    count(p.denseStepCycles, 0),
    percent(1),
    count(p.gap.excessCycles, 0),
    p.gap.excessCycles === 0 ? '–' : percent(1),
  ]);
  const header = [
    'cause',
    'cycles',
    'share',
    'dense cycles',
    'dense share',
    'cycles beyond the FLOP reduction',
    'share of the gap',
  ];
  return table(header, rows);
}

function opKindTable(p: PhaseReport): string {
  const rows = p.opKinds.map((k) => [
    k.kind,
    count(k.cycles, 0),
    count(k.denseCycles, 0),
    ratio(k.speedup),
    ratio(k.flopReduction),
    percent(k.flopShare),
    percent(k.cycleShare),
  ]);
  const header = [
    'kind of work',
    'cycles',
    'dense cycles',
    'speedup',
    'FLOP reduction',
    'MAC share',
    'cycle share',
  ];
  return table(header, rows);
}

function microBatchText(p: { microBatches: readonly { sequences: number; count: number }[] }): string {
  return p.microBatches.map((m) => `${m.count} × ${m.sequences}`).join(' + ');
}

function stepBoundaryText(p: PhaseReport): string {
  const b = p.stepBoundary;
  const total = b.lastGradientsSeconds + b.clusterSeconds + b.fixedSeconds;
  return (
    `Step boundary (nothing overlaps it): ${seconds(total)}, ${percent(total / p.stepSeconds)} of the step: ` +
    `the last gradients leaving ${seconds(b.lastGradientsSeconds)}, ` +
    (p.cluster.systems > 1 ? `the SwarmX reduce and broadcast ${seconds(b.clusterSeconds)}, ` : '') +
    `the fixed pause ${seconds(b.fixedSeconds)} (calibrated).`
  );
}

function clusterText(p: PhaseReport): string {
  const c = p.cluster;
  const rate = `${si(c.tokensPerSecond)} tokens/s`;
  if (c.systems === 1) return `Throughput in tokens: ${rate} on one system.`;
  return (
    `Cluster: ${c.systems} systems in data parallel, ${count(c.sequencesPerSystem)} sequences each per step; ` +
    `${rate} (${si(c.tokensPerSecondPerSystem)} tokens/s per system). The same global batch on one system ` +
    `takes ${seconds(c.singleSystemStepSeconds)} per step: the cluster is ${ratio(c.speedupOverOneSystem)} faster, ` +
    `a scaling efficiency of **${percent(c.scalingEfficiency)}**.`
  );
}

function phaseSection(run: RunReport, p: PhaseReport): string {
  const u = p.utilization;
  const t = p.throughput;
  const lines = [
    `### Phase ${p.name}: sparsity ${percent(p.sparsity)}, ${si(p.tokens)} tokens, ${count(p.steps)} steps`,
    '',
    `FLOP reduction **${ratio(p.flopReduction)}**, realized speedup **${ratio(p.realizedSpeedup)}**, ` +
      `efficiency **${percent(p.efficiency)}**. One step takes ${seconds(p.stepSeconds)} ` +
      `(${count(p.stepCycles, 0)} cycles; dense ${seconds(p.denseStepSeconds)}). ` +
      `Time to train the phase: ${seconds(p.timeToTrain.sparse.seconds)} ` +
      `(dense on the same system ${seconds(p.timeToTrain.dense.seconds)}; ` +
      `one H100, dense, ${seconds(p.timeToTrain.h100.seconds)}).`,
    '',
    `Step: ${microBatchText(p)} sequences per micro-batch, activations ${p.activationPolicy}.`,
    '',
    `Where the cycles go. At exactly the FLOP reduction the step would take ${count(p.gap.idealStepCycles, 0)} ` +
      `cycles; it takes ${count(p.gap.excessCycles, 0)} more. Each cause's cycles beyond the FLOP ` +
      'reduction (sparse − dense / FLOP reduction) show where that gap comes from:',
    '',
    stallTable(p),
    '',
    'By kind of work (sparse step against the dense-equivalent step):',
    '',
    opKindTable(p),
    '',
    `Utilization: MACs issued ${percent(u.mac)} of the mesh's peak (dense step ${percent(u.denseMac)}); ` +
      `PEs busy ${percent(u.peBusy)} (dense step ${percent(u.densePeBusy)}); mesh rows busy ` +
      `${percent(u.rowBusyMin)} to ${percent(u.rowBusyMax)}; ${u.activeCols} of ${run.hardware.meshCols} ` +
      'columns hold tokens.',
    '',
    `Throughput: ${si(t.effectiveTflops * 1e12, 'FLOP/s')} effective, ` +
      `${si(t.denseEquivalentTflops * 1e12, 'FLOP/s')} dense-equivalent, against a peak of ` +
      `${si(t.peakTflops * 1e12, 'FLOP/s')} (the dense-equivalent rate may exceed the peak: skipped ` +
      'zeros cost no cycle).',
    '',
    stepBoundaryText(p),
    '',
    clusterText(p),
  ];
  if (p.samples.length > 1) {
    lines.push('', 'The schedule, simulated at these levels:', '');
    const rows = p.samples.map((s) => [
      percent(s.level),
      percent(s.tokenFraction),
      seconds(s.stepSeconds),
      microBatchText(s),
      s.activationPolicy,
    ]);
    lines.push(table(['level', 'share of tokens', 'step time', 'micro-batches', 'activations'], rows, 0));
  }
  return lines.join('\n');
}

function runSection(run: RunReport): string {
  const m = run.model;
  const hw = run.hardware;
  const head = [
    `## Run ${run.name}`,
    '',
    ...(run.description ? [run.description, ''] : []),
    `Model ${m.name}: ${m.layers} layers, dModel ${m.dModel}, ${m.heads} heads, dFF ${m.dFF}, vocab ` +
      `${m.vocab}, context ${m.seqLen}, ${m.activation}${m.tiedEmbeddings ? ', tied embeddings' : ''}. ` +
      `Sparsity ${percent(run.sparsity)} ${run.pattern} (${run.distribution}, ${run.maskSource} masks), ` +
      `seed ${run.seed}. ${run.batch.sequences} sequences per step. Hardware ${hw.name}: ` +
      `${hw.meshRows} × ${hw.meshCols} PEs at ${si(hw.clockHz, 'Hz')}` +
      (run.cluster.systems > 1 ? `, ${run.cluster.systems} systems in data parallel.` : '.'),
  ];
  const t = run.totals;
  const totals =
    `All phases: ${si(t.tokens)} tokens in ${count(t.steps)} steps; FLOP reduction ${ratio(t.flopReduction)}, ` +
    `realized speedup ${ratio(t.realizedSpeedup)}, efficiency ${percent(t.efficiency)} (from summed FLOPs and ` +
    `times); time to train ${seconds(t.timeToTrain.sparse.seconds)}, dense ${seconds(t.timeToTrain.dense.seconds)}, one H100 ${seconds(t.timeToTrain.h100.seconds)}.`;
  return [...head, '', ...run.phases.map((p) => `${phaseSection(run, p)}\n`), totals].join('\n');
}

function gpuSection(report: Report): string {
  const g = report.gpu;
  const runs = g.runs
    .map((r) => `micro-batch ${r.microBatch} × ${r.seqLen}: ${r.modelTflops.toFixed(1)} TFLOP/s`)
    .join('; ');
  const rows = g.gemm.map((r) => [
    `${r.m} × ${r.k} × ${r.n}`,
    r.denseTflops.toFixed(0),
    ratio(r.csrBf16.s50, 3),
    ratio(r.csrBf16.s75, 3),
    ratio(r.csrBf16.s90, 3),
    ratio(r.csrFp32.s90, 3),
    ratio(r.semi24, 2),
  ]);
  return [
    '## GPU context',
    '',
    `The H100 column is ${g.label}: the dense training FLOPs of the phase divided by the H100's rate. ` +
      `${g.modelTflops.toFixed(1)} TFLOP/s is the median model TFLOP/s (papers' FLOP convention) measured ` +
      `on an ${g.device} training a dense GPT-3 XL-shaped model of width ${g.measuredDModel} (${runs}; \`${g.sources[0]}\`). ` +
      `Another width gets that rate scaled by the measured transformer-block rates (${g.blocks
        .map((b) => `width ${b.dModel}: ${b.modelTflops.toFixed(1)} TFLOP/s`)
        .join(
          ', ',
        )}; \`${g.sources[1]}\`), linearly between them and at the nearest outside them: extrapolated, ` +
      `not measured. Rates used: ${report.runs
        .map((r) => `${r.name} ${r.gpuRate.tflops.toFixed(1)} TFLOP/s (${r.gpuRate.basis})`)
        .join(
          '; ',
        )}. An ${g.gpusPerNode}-GPU node: ${g.gpusPerNode} × that rate, linear scaling assumed [UNC]: ` +
      report.runs
        .map((r) => `${r.name} ${seconds(r.totals.timeToTrain.h100Node.seconds)} to train`)
        .join('; ') +
      '.',
    '',
    `Why the GPU runs dense: measured speedups of sparse kernels over dense bf16 GEMMs at GPT shapes ` +
      `(\`${g.sources[1]}\`; below 1× is a slowdown):`,
    '',
    table(
      [
        'GEMM M × K × N',
        'dense TFLOP/s',
        'CSR bf16 50%',
        'CSR bf16 75%',
        'CSR bf16 90%',
        'CSR fp32 90%',
        '2:4',
      ],
      rows,
    ),
  ].join('\n');
}

function energySection(report: Report): string {
  const rows = report.runs.flatMap((run) =>
    run.phases.map((p) => {
      const e = formatEnergy(p.energy);
      return [
        run.name,
        p.name,
        e.step,
        e.denseStep,
        e.saving,
        e.perToken,
        e.tokensPerJoule,
        e.train,
        e.staticShare,
      ];
    }),
  );
  return [
    '## Energy (first order)',
    '',
    ENERGY_CAVEAT,
    '',
    table(
      ['run', 'phase', 'step', 'dense step', 'saving', 'per token', 'tokens/J', 'train', 'static share'],
      rows,
      2,
    ),
  ].join('\n');
}

function hardwareSection(report: Report): string {
  const seen = new Map<string, RunReport['hardware']>();
  for (const run of report.runs) seen.set(JSON.stringify(run.hardware), run.hardware);
  const sections = [...seen.values()].map((hw) => {
    const rows = Object.entries(hw).map(([key, value]) => {
      const shape = HardwareConfigSchema.shape as Record<string, { description?: string }>;
      return [key, String(value), shape[key]?.description ?? ''];
    });
    return `### ${hw.name}\n\n${table(['parameter', 'value', 'what (tagged [UNC]: no published figure)'], rows, 3)}`;
  });
  return [
    '## Hardware and parameters',
    '',
    'The machine as simulated. Parameters tagged [UNC] have no published figure (the kernel costs ' +
      'of the element-wise ops and the SRAM reservations among them); those marked calibrated were ' +
      'fitted to measured CS-2 data (`wafersim validate` says to which points).',
    '',
    ...sections.flatMap((s) => [s, '']),
  ]
    .join('\n')
    .trimEnd();
}

function definitionsSection(): string {
  return [
    '## Definitions',
    '',
    ...Object.entries(METRIC_DEFINITIONS).map(([name, text]) => `- **${name}**: ${text}`),
    '',
    'Stall causes (each cycle of the step is attributed to exactly one):',
    '',
    ...STALL_CAUSES.map((cause) => `- **${cause}**: ${STALL_CAUSE_DEFINITIONS[cause]}.`),
  ].join('\n');
}

function metaSection(report: Report): string {
  const m = report.meta;
  return (
    `Generated ${m.generatedAt} by wafersim ${m.wafersimVersion} (commit ${m.commit}) on ${m.host} (Node ${m.node}, ` +
    `${m.platform}, ${m.cpus} CPUs, ${m.workers} workers) in ${seconds(m.wallSeconds)} of wall time.`
  );
}

export function renderReportMarkdown(report: Report): string {
  const names = report.runs.map((r) => r.name).join(', ');
  return [
    `# wafersim report: ${names}`,
    '',
    `Fidelity \`${report.fidelity}\`; report schema version ${report.version}. The numbers are in ` +
      '`report.json` (one row per run and phase in `report.csv`); every metric is defined at the end.',
    '',
    summaryTable(report),
    '',
    ...report.runs.map((r) => `${runSection(r)}\n`),
    gpuSection(report),
    '',
    energySection(report),
    '',
    hardwareSection(report),
    '',
    definitionsSection(),
    '',
    metaSection(report),
    '',
  ].join('\n');
}
