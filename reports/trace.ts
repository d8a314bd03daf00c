/**
 * `run --trace FILE`: the simulated step as a timeline, in the Chrome trace-event format that
 * Perfetto (ui.perfetto.dev) and chrome://tracing open. One process per run, one thread per
 * simulated step (each phase's sparse step at each level it samples, and its dense equivalent);
 * in each thread the step's micro-batches in order, each op of the step graph as a span inside
 * its micro-batch (a recomputed forward again before its block's backward, the spilled
 * activations' traffic at the micro-batch's end), then the step boundary. Times are simulated
 * microseconds (cycles at the machine's clock), not the simulator's own.
 *
 * The spans of a thread are contiguous and sum to the step time the report gives (tested).
 */
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { inputError } from '../models/diagnostics.ts';
import type { GemmResult, GemmRun } from '../simulator/gemm.ts';
import type { StepSummary, WorkloadSummary } from '../simulator/run-summary.ts';
import { GEMM_PARTIALS_COLOR } from '../simulator/wavelet/gemm.ts';
import { assertFiniteNumbers } from './finite.ts';
import { outputError } from './output-folder.ts';

/** One trace event (the subset of the format this writes). */
export interface TraceEvent {
  readonly name: string;
  /** A span, metadata, or a counter (its args are the counter's series). */
  readonly ph: 'X' | 'M' | 'C';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly args?: Record<string, unknown>;
}

export interface Trace {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ms';
  readonly otherData: Record<string, string>;
}

/** The spans of one step, from time 0 of its thread. */
function stepEvents(step: StepSummary, clockHz: number, pid: number, tid: number): TraceEvent[] {
  const us = (cycles: number) => (cycles / clockHz) * 1e6;
  const events: TraceEvent[] = [];
  const { timeline } = step;
  const total = timeline.programs.reduce((n, p) => n + p.count, 0);
  let cycle = 0;
  let index = 0;
  for (const program of timeline.programs) {
    for (let repeat = 0; repeat < program.count; repeat++) {
      index++;
      const begin = cycle;
      const span = (name: string, cat: string, cycles: number, args: Record<string, unknown>) => {
        events.push({
          name,
          cat,
          ph: 'X',
          pid,
          tid,
          ts: us(cycle),
          dur: us(cycles),
          args: { cycles, ...args },
        });
        cycle += cycles;
      };
      // Under recompute, the forward ops of a block run again just before its first backward op.
      const forwardOf = new Map<number, typeof program.nodes>();
      const rerun = new Set<number>();
      const body: TraceEvent[] = [];
      const before = events.length;
      for (const node of program.nodes) {
        const layer = node.layer;
        if (timeline.recompute && layer !== null) {
          if (node.pass === 'forward') forwardOf.set(layer, [...(forwardOf.get(layer) ?? []), node]);
          else if (!rerun.has(layer)) {
            rerun.add(layer);
            for (const f of forwardOf.get(layer) ?? []) {
              span(`${f.id} (recompute)`, f.kind, f.cycles, {
                op: f.op,
                pass: f.pass,
                layer,
                recompute: true,
              });
            }
          }
        }
        span(node.id, node.kind, node.cycles, { op: node.op, pass: node.pass, layer });
      }
      if (program.spillCycles > 0)
        span('activations.spill', 'I/O', program.spillCycles, { op: 'activation-spill' });
      body.push(...events.splice(before));
      // The micro-batch encloses its ops (Perfetto nests spans of one thread by time).
      events.push({
        name: `micro-batch ${index} of ${total}`,
        cat: 'micro-batch',
        ph: 'X',
        pid,
        tid,
        ts: us(begin),
        dur: us(cycle - begin),
        args: { cycles: cycle - begin },
      });
      events.push(...body);
    }
  }
  events.push({
    name: 'step boundary',
    cat: 'optimizer',
    ph: 'X',
    pid,
    tid,
    ts: us(cycle),
    dur: us(timeline.boundaryCycles),
    args: { cycles: timeline.boundaryCycles, ...step.boundary },
  });
  return events;
}

const percent = (level: number) => `${Number((level * 100).toFixed(2))}%`;

/** The trace of every run's simulated steps. */
export function buildTrace(
  summaries: readonly WorkloadSummary[],
  meta: { wafersimVersion: string; commit: string },
): Trace {
  const events: TraceEvent[] = [];
  summaries.forEach((run, r) => {
    const pid = r + 1;
    events.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: run.name } });
    events.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
    let tid = 0;
    for (const phase of run.phases) {
      const steps: [string, StepSummary][] = [
        ...phase.samples.map((s): [string, StepSummary] => [
          `${phase.name}: step at ${percent(s.level)} sparsity`,
          s,
        ]),
        [`${phase.name}: dense equivalent`, phase.dense],
      ];
      for (const [name, step] of steps) {
        tid++;
        events.push({ name: 'thread_name', ph: 'M', pid, tid, args: { name } });
        events.push({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid } });
        events.push(...stepEvents(step, run.hardware.clockHz, pid, tid));
      }
    }
  });
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: {
      generator: `wafersim ${meta.wafersimVersion} (${meta.commit})`,
      timeUnit: 'simulated microseconds: cycles at the clock of each run’s hardware',
    },
  };
}

/**
 * `gemm --fidelity wavelet --trace FILE`: every PE's data tasks on the fabric, one process for the
 * sparse GEMM and one for its dense counterpart, one thread per PE of each row group: its AXPYs
 * (one per weight) and its adds of arriving partial sums, in simulated microseconds. And per mesh
 * row of each group, two counters sampled along the run: the wavelets waiting in its queues, and
 * the share of its routers' output ports (four links and the ramp down, per PE) that carried a
 * wavelet each cycle since the previous sample.
 */
export function buildWaveletGemmTrace(
  result: GemmResult,
  clockHz: number,
  meta: { wafersimVersion: string; commit: string },
): Trace {
  const us = (cycles: number) => (cycles / clockHz) * 1e6;
  const events: TraceEvent[] = [];
  const dropped: string[] = [];
  const runs: [string, GemmRun][] = [
    [`sparse GEMM (${Math.round(result.sparsity * 100)}% sparse), wavelet fidelity`, result.sparse],
    ['dense GEMM, wavelet fidelity', result.dense],
  ];
  runs.forEach(([name, run], i) => {
    const pid = i + 1;
    events.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name } });
    events.push({ name: 'process_sort_index', ph: 'M', pid, tid: 0, args: { sort_index: pid } });
    const trace = run.trace;
    if (!trace) return;
    if (trace.recorder.dropped > 0)
      dropped.push(`${name}: ${trace.recorder.dropped} tasks after the first ${trace.recorder.limit}`);
    if (trace.sampler.dropped > 0)
      dropped.push(`${name}: ${trace.sampler.dropped} queue samples after the first ${trace.sampler.limit}`);
    for (const group of trace.groups) {
      for (let i = group.samplesFrom; i < group.samplesTo; i++) {
        const sample = trace.sampler.samples[i]!;
        const row = `group ${group.group}, row ${sample.row}`;
        const ts = us(sample.cycle);
        events.push({
          name: `${row}: queued wavelets`,
          ph: 'C',
          pid,
          tid: 0,
          ts,
          args: { wavelets: sample.queued },
        });
        const ports = sample.cycles * group.cols * 5;
        events.push({
          name: `${row}: link use`,
          ph: 'C',
          pid,
          tid: 0,
          ts,
          args: { fraction: ports > 0 ? sample.sent / ports : 0 },
        });
      }
    }
    for (const group of trace.groups) {
      const named = new Set<number>();
      for (let i = group.from; i < group.to; i++) {
        const task = trace.recorder.tasks[i]!;
        const tid = group.group * group.rows * group.cols + task.pe + 1;
        if (!named.has(tid)) {
          named.add(tid);
          const r = Math.floor(task.pe / group.cols);
          const c = task.pe % group.cols;
          events.push({
            name: 'thread_name',
            ph: 'M',
            pid,
            tid,
            args: { name: `group ${group.group}, PE (${r}, ${c})` },
          });
          events.push({ name: 'thread_sort_index', ph: 'M', pid, tid, args: { sort_index: tid } });
        }
        events.push({
          name: task.color === GEMM_PARTIALS_COLOR ? 'add partial sum' : 'AXPY',
          cat: task.color === GEMM_PARTIALS_COLOR ? 'reduction' : 'compute',
          ph: 'X',
          pid,
          tid,
          ts: us(task.start),
          dur: us(task.cycles),
          args: { cycles: task.cycles, startCycle: task.start },
        });
      }
    }
  });
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    otherData: {
      generator: `wafersim ${meta.wafersimVersion} (${meta.commit})`,
      timeUnit: 'simulated microseconds: cycles at the hardware clock',
      ...(dropped.length > 0 ? { truncated: `not recorded: ${dropped.join('; ')}` } : {}),
    },
  };
}

export function renderTrace(trace: Trace): string {
  assertFiniteNumbers(trace, 'trace');
  return `${JSON.stringify(trace)}\n`;
}

/** `--trace FILE` before any work: not a folder, and not the root. */
export function checkTracePath(path: string): void {
  if (path === '')
    throw inputError(
      'invalid-value',
      '--trace',
      'an empty path; give the file to write, e.g. --trace trace.json',
    );
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Missing is fine: it is written.
  }
  if (isDir)
    throw inputError(
      'invalid-value',
      '--trace',
      `${path} is a folder; give a file to write, e.g. ${join(path, 'trace.json')}`,
    );
}

/** Writes `text` to `path` whole: into a temporary file beside it, then renamed over it. */
export function writeTraceFile(path: string, text: string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw outputError(error, dir, '--trace');
  }
}
