/**
 * `run --trace`: the Chrome trace-event format Perfetto reads, and conservation: each thread's
 * spans are contiguous and sum to the step time of the report, under every activation policy
 * (a recomputed forward and spilled activations included).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateRun } from '../simulator/simulate-run.ts';
import { TINY_WORKLOAD } from '../tests/fixtures.ts';
import { runMain } from '../tests/run-cli.ts';
import { parseWorkload } from '../workloads/index.ts';
import { buildReport } from './report-json.ts';
import { FIXTURE_META, fixtureSummary } from './test-support.ts';
import { buildTrace, renderTrace, type Trace, type TraceEvent } from './trace.ts';

const META = { wafersimVersion: '0.0.0-test', commit: '0123456789ab' };

/** The spans of each (pid, tid), in order. */
function threads(trace: Trace): Map<string, TraceEvent[]> {
  const out = new Map<string, TraceEvent[]>();
  for (const e of trace.traceEvents) {
    if (e.ph !== 'X') continue;
    const key = `${e.pid}/${e.tid}`;
    out.set(key, [...(out.get(key) ?? []), e]);
  }
  return out;
}

/** Checks the nesting and returns each thread's total: top-level spans back to back from 0. */
function checkThread(spans: readonly TraceEvent[]): number {
  const top = spans.filter((e) => e.cat === 'micro-batch' || e.name === 'step boundary');
  let end = 0;
  for (const e of top) {
    expect(e.ts).toBeCloseTo(end, 6);
    end = e.ts! + e.dur!;
  }
  // The ops of a micro-batch fill it exactly, back to back.
  for (const mb of spans.filter((e) => e.cat === 'micro-batch')) {
    const inside = spans.filter(
      (e) => e.cat !== 'micro-batch' && e.ts! >= mb.ts! - 1e-9 && e.ts! + e.dur! <= mb.ts! + mb.dur! + 1e-6,
    );
    let at = mb.ts!;
    for (const e of inside) {
      expect(e.ts).toBeCloseTo(at, 6);
      at = e.ts! + e.dur!;
    }
    expect(at).toBeCloseTo(mb.ts! + mb.dur!, 6);
  }
  return end;
}

describe('the trace format', () => {
  const trace = buildTrace([fixtureSummary()], META);

  it('is trace-event JSON: metadata naming processes and threads, complete events with times in µs', () => {
    const parsed = JSON.parse(renderTrace(trace)) as Trace;
    expect(parsed.displayTimeUnit).toBe('ms');
    for (const e of parsed.traceEvents) {
      expect(['X', 'M']).toContain(e.ph);
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      if (e.ph === 'X') {
        expect(typeof e.name).toBe('string');
        expect(e.ts).toBeGreaterThanOrEqual(0);
        expect(e.dur).toBeGreaterThanOrEqual(0);
      }
    }
    const names = parsed.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args?.name);
    // The fixture has two phases, each with its sampled step and its dense equivalent.
    expect(names).toEqual([
      'sparse: step at 75% sparsity',
      'sparse: dense equivalent',
      'dense: step at 0% sparsity',
      'dense: dense equivalent',
    ]);
  });

  it('each step is its micro-batches (each op inside) then the boundary, summing to the step time', () => {
    const summary = fixtureSummary();
    const clock = summary.hardware.clockHz;
    for (const [key, spans] of threads(trace)) {
      const total = checkThread(spans);
      const tid = Number(key.split('/')[1]);
      const phase = summary.phases[Math.floor((tid - 1) / 2)]!;
      const step = tid % 2 === 1 ? phase.samples[0]! : phase.dense;
      expect(total).toBeCloseTo((step.stepCycles / clock) * 1e6, 6);
      expect(spans.filter((e) => e.cat === 'micro-batch').map((e) => e.name)).toEqual([
        'micro-batch 1 of 2',
        'micro-batch 2 of 2',
      ]);
    }
  });
});

describe('conservation on simulated steps', () => {
  it.each(['keep', 'recompute', 'spill'] as const)(
    'activation policy %s: every thread sums to the step time of the report',
    async (activationPolicy) => {
      const workload = parseWorkload({
        ...TINY_WORKLOAD,
        activationPolicy,
        batch: { sequences: 16, microBatchSequences: 4 },
      });
      const summaries = await simulateRun([workload]);
      const report = buildReport(summaries, FIXTURE_META);
      const trace = buildTrace(summaries, META);
      const byThread = threads(trace);
      const phases = report.runs[0]!.phases;
      let tid = 0;
      for (const phase of phases) {
        // The sample (one level) then the dense equivalent.
        const sample = byThread.get(`1/${++tid}`)!;
        expect(checkThread(sample)).toBeCloseTo(phase.stepSeconds * 1e6, 3);
        checkThread(byThread.get(`1/${++tid}`)!);
      }
      const names = trace.traceEvents.map((e) => e.name);
      if (activationPolicy === 'recompute') expect(names.some((n) => n.endsWith('(recompute)'))).toBe(true);
      else expect(names.some((n) => n.endsWith('(recompute)'))).toBe(false);
      if (activationPolicy === 'spill') expect(names).toContain('activations.spill');
    },
  );
});

describe('wafersim run --trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wafersim-trace-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the trace beside the report, and a folder as --trace exits 2 before any work', async () => {
    const file = join(dir, 'w.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(TINY_WORKLOAD));
    const ok = await runMain([
      'run',
      file,
      '--workers',
      '0',
      '--out',
      join(dir, 'out'),
      '--trace',
      join(dir, 'sub', 't.json'),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/sub\/t\.json/);
    const trace = JSON.parse(readFileSync(join(dir, 'sub', 't.json'), 'utf8')) as Trace;
    expect(trace.traceEvents.filter((e) => e.name === 'thread_name')).toHaveLength(4);
    mkdirSync(join(dir, 'a-folder'));
    const bad = await runMain([
      'run',
      file,
      '--workers',
      '0',
      '--out',
      join(dir, 'out2'),
      '--trace',
      join(dir, 'a-folder'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^wafersim: --trace: .*a-folder is a folder; give a file to write/);
    expect(() => readFileSync(join(dir, 'out2', 'report.json'))).toThrow();
  });
});
