/**
 * The three renderings of a report built from the hand-built summary: report.json follows its
 * schema and keeps everything run-dependent under `meta`; report.csv quotes by RFC 4180;
 * report.md puts the FLOP reduction next to the realized speedup and defines every metric.
 */
import { describe, expect, it } from 'vitest';
import { STALL_CAUSES } from '../simulator/counters.ts';
import { METRIC_DEFINITIONS, STALL_CAUSE_DEFINITIONS } from './metrics.ts';
import { csvField, renderReportCsv } from './report-csv.ts';
import { buildReport, type InvocationMeta, ReportSchema, renderReportJson } from './report-json.ts';
import { renderReportMarkdown } from './report-markdown.ts';
import { fixtureSummary } from './test-support.ts';

const META: InvocationMeta = {
  generatedAt: '2025-01-01T00:00:00.000Z',
  wafersimVersion: '0.0.0-test',
  commit: '0123456789ab',
  node: 'v20.0.0',
  platform: 'test',
  host: 'host-a',
  cpus: 8,
  workers: 2,
  wallSeconds: 1.5,
};

const report = buildReport([fixtureSummary()], META);

function withoutMeta(text: string): string {
  const { meta: _meta, ...rest } = JSON.parse(text);
  return JSON.stringify(rest);
}

describe('report.json', () => {
  it('follows ReportSchema, version 1, with the DESIGN §9 fields of every run and phase', () => {
    expect(() => ReportSchema.parse(report)).not.toThrow();
    expect(report.version).toBe(1);
    const run = report.runs[0]!;
    expect(Object.keys(run)).toEqual(expect.arrayContaining(['name', 'sparsity', 'phases', 'totals']));
    for (const key of [
      'name',
      'sparsity',
      'tokens',
      'stepCycles',
      'stepSeconds',
      'denseStepSeconds',
      'flopReduction',
      'realizedSpeedup',
      'efficiency',
      'stalls',
    ]) {
      expect(run.phases[0], key).toHaveProperty(key);
    }
    // The toy model (width 64) is narrower than any measured block: the narrowest block's rate.
    expect(run.gpuRate.basis).toBe('clamped');
    expect(run.gpuRate.tflops).toBeLessThan(report.gpu.modelTflops);
    expect(run.phases[0]!.timeToTrain.h100.seconds).toBeCloseTo(3.6e9 / (run.gpuRate.tflops * 1e12), 20);
    expect(run.phases[0]!.timeToTrain.h100Node.seconds).toBeCloseTo(
      run.phases[0]!.timeToTrain.h100.seconds / 8,
      20,
    );
  });

  it('run-dependent values sit under meta only: other timings, hosts and workers change nothing else', () => {
    const slow = fixtureSummary();
    const other = {
      ...slow,
      phases: slow.phases.map((p) => ({
        ...p,
        samples: p.samples.map((s) => ({ ...s, drawMs: 999, simulateMs: 999 })),
        dense: { ...p.dense, drawMs: 1, simulateMs: 2 },
      })),
    };
    const b = buildReport([other], {
      ...META,
      host: 'host-b',
      workers: 0,
      wallSeconds: 99,
      generatedAt: 'later',
    });
    const textA = renderReportJson(report);
    const textB = renderReportJson(b);
    expect(textA).not.toBe(textB);
    expect(withoutMeta(textA)).toBe(withoutMeta(textB));
    expect(withoutMeta(textA)).not.toMatch(/drawMs|simulateMs|host|toy-s75\.json/);
    expect(report.meta.runs[0]!.phases[0]!.samples[0]).toEqual({ drawMs: 12.5, simulateMs: 40 });
    expect(report.meta.runs[0]!.source).toBe('/somewhere/toy-s75.json');
  });
});

describe('report.csv', () => {
  it('quotes fields with commas, quotes or line breaks (RFC 4180), and leaves others bare', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(null)).toBe('');
  });

  it('has a header and one CRLF-terminated row per run × phase', () => {
    const named = buildReport([fixtureSummary({ name: 'toy, "quoted"' })], META);
    const csv = renderReportCsv(named);
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(4); // header, 2 phases, and the empty string after the last CRLF
    expect(lines[3]).toBe('');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 11)).toEqual([
      'run',
      'phase',
      'sparsity',
      'tokens',
      'steps',
      'stepCycles',
      'stepSeconds',
      'denseStepSeconds',
      'flopReduction',
      'realizedSpeedup',
      'efficiency',
    ]);
    expect(lines[1]).toMatch(/^"toy, ""quoted""",sparse,0\.75,3600000,3600,1250,1\.25,2\.5,2\.5,2,0\.8/);
    expect(lines[2]).toMatch(/^"toy, ""quoted""",dense,0,360000,360,2500,2\.5,2\.5,1,1,1,/);
    // Commas inside quotes aside, every row has as many fields as the header.
    const fields = (line: string) => line.replace(/"(?:[^"]|"")*"/g, 'x').split(',').length;
    expect(fields(lines[1]!)).toBe(header.length);
    // One name per column: its path in report.json, the whole machine and model as hardware.*, model.*.
    expect(new Set(header).size).toBe(header.length);
    expect(header).toEqual(
      expect.arrayContaining(['stalls.io', 'timeToTrain.sparse.seconds', 'hardware.clockHz', 'model.layers']),
    );
    expect(header.filter((h) => h.startsWith('hardware.'))).toHaveLength(
      Object.keys(named.runs[0]!.hardware).length + 1,
    );
  });
});

describe('report.md', () => {
  const md = renderReportMarkdown(report);

  it('puts FLOP reduction, realized speedup and efficiency side by side per phase', () => {
    expect(md).toMatch(
      /\| toy-s75 \| sparse \| 75\.0% \| 3\.60 M \| 2\.50× \| 2\.00× \| 80\.0% \| 1\.25 s \|/,
    );
    expect(md).toContain('FLOP reduction **2.50×**, realized speedup **2.00×**, efficiency **80.0%**');
    expect(md).toContain('### Phase dense');
  });

  it('has the stall table, the op-kind table and the gap', () => {
    expect(md).toMatch(/\| compute \| 500 \| 40\.0% \| 1,700 \| 68\.0% \| -180 \| -72\.0% \|/);
    expect(md).toMatch(/\| linear forward \| 850 \| 2,150 \| 2\.53× \| 4\.00× \| 50\.0% \| 68\.0% \|/);
    expect(md).toContain('would take 1,000 cycles; it takes 250 more');
  });

  it('cites the GPU data files and lists the hardware with its [UNC] parameters', () => {
    expect(md).toContain('`data/gpu-h100-gpt3xl-step.json`');
    expect(md).toContain('`data/gpu-h100-sparse.json`');
    expect(md).toMatch(/\| taskOverheadCycles \| \d+ \| .*\[UNC\]/);
    expect(md).toMatch(/\| layernormOpsPerElement \| 6 \| .*\[UNC\]/);
  });

  it('defines every metric and every stall cause', () => {
    for (const [name, text] of Object.entries(METRIC_DEFINITIONS))
      expect(md).toContain(`- **${name}**: ${text}`);
    for (const cause of STALL_CAUSES)
      expect(md).toContain(`- **${cause}**: ${STALL_CAUSE_DEFINITIONS[cause]}`);
  });
});
