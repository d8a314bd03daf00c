/**
 * Puts unit results back together into one step: nodes run one after another (weights stream one
 * layer at a time, DESIGN §5), micro-batches repeat, the activation policy adds its cost, and the
 * step boundary adds the bubble. Sums of raw counters only; no ratios here.
 */

import type { DataflowNode } from '../compiler/ir/graph.ts';
import type { CompiledPhase } from '../compiler/pipeline.ts';
import { ioBitsPerCycle } from '../hardware/machine-rates.ts';
import { addCounters, type Counters, totalCycles, zeroCounters } from './counters.ts';
import type { PhaseLayout } from './plan.ts';
import { scaleRemainderResult } from './remainder.ts';
import { boundaryCycles, type StepBoundary, stepBoundary } from './step-boundary.ts';
import type { TaskResult, UnitResult } from './units.ts';

/** The kinds of work a report breaks the step into. */
export type OpKind =
  | 'linear forward'
  | 'linear backward-data'
  | 'weight gradient'
  | 'attention'
  | 'LM head'
  | 'element-wise'
  | 'I/O'
  | 'optimizer';

export function opKindOf(node: DataflowNode): OpKind {
  switch (node.op) {
    case 'linear':
      return node.pass === 'forward' ? 'linear forward' : 'linear backward-data';
    case 'sddmm':
      return 'weight gradient';
    case 'weight-grad':
      return node.shape.length === 3 ? 'weight gradient' : 'element-wise';
    case 'attn-scores':
    case 'attn-context':
      return 'attention';
    case 'lm-head':
      return 'LM head';
    case 'grad-stream-out':
      return 'I/O';
    case 'embedding':
      return node.pass === 'forward' ? 'I/O' : 'element-wise';
    case 'optimizer':
      return 'optimizer';
    default:
      return 'element-wise';
  }
}

/** One op of the step graph: what it cost over the whole step (every micro-batch, every rerun). */
export interface NodeResult {
  readonly id: string;
  readonly op: string;
  readonly pass: string;
  readonly layer: number | null;
  readonly kind: OpKind;
  /** Times it runs per step: micro-batches (twice a forward recomputed before its backward). */
  readonly count: number;
  readonly counters: Counters;
}

/** One op's run within a micro-batch, for the step's timeline. */
export interface TimelineNode {
  readonly id: string;
  readonly op: string;
  readonly pass: string;
  readonly layer: number | null;
  readonly kind: OpKind;
  /** Cycles of one run of the node in this micro-batch program. */
  readonly cycles: number;
}

/**
 * The step in the order it runs (reports/trace.ts draws it): each micro-batch program's nodes,
 * repeated `count` times; under recompute each block's forward runs again before its backward;
 * the spill traffic of a micro-batch; the step boundary last. Its cycles sum to the step's.
 */
export interface StepTimeline {
  readonly programs: readonly {
    readonly count: number;
    readonly nodes: readonly TimelineNode[];
    /** The spill policy's activation traffic of one micro-batch (0 if none). */
    readonly spillCycles: number;
  }[];
  readonly recompute: boolean;
  readonly boundaryCycles: number;
}

export interface StepResult {
  /** Counters of one optimizer step. */
  readonly counters: Counters;
  /** The same counters op by op, in graph order (the step boundary is the optimizer's). */
  readonly nodes: readonly NodeResult[];
  readonly stepCycles: number;
  /** The same counters split by kind of work (they sum to `counters`). */
  readonly byOpKind: ReadonlyMap<OpKind, Counters>;
  /** Busy cycles of each mesh row over the step, and the mesh columns that held tokens. */
  readonly rowBusy: Float64Array;
  readonly activeCols: number;
  /** What the step boundary cost, part by part (charged to `bubble` of the optimizer). */
  readonly boundary: StepBoundary;
  readonly timeline: StepTimeline;
  /** Milliseconds the units spent drawing masks and simulating. */
  readonly drawMs: number;
  readonly simulateMs: number;
  /** With the wavelet fidelity: how many matmuls were scaled by a sampled region, and by what. */
  readonly wavelet?: WaveletScaling;
}

/** The wavelet / row cycle ratios of a step's sampled regions (simulator/wavelet/sample.ts). */
export interface WaveletScaling {
  readonly nodes: number;
  readonly ratioMin: number;
  readonly ratioMean: number;
  readonly ratioMax: number;
}

/** The ratios of the sampled regions among `results`, if any. */
function waveletScaling(results: readonly UnitResult[]): WaveletScaling | undefined {
  const ratios: number[] = [];
  for (const unit of results) {
    for (const r of unit.results) {
      if (r.wavelet && r.wavelet.rowCycles > 0) ratios.push(r.wavelet.waveletCycles / r.wavelet.rowCycles);
    }
  }
  if (ratios.length === 0) return undefined;
  return {
    nodes: ratios.length,
    ratioMin: Math.min(...ratios),
    ratioMean: ratios.reduce((a, b) => a + b, 0) / ratios.length,
    ratioMax: Math.max(...ratios),
  };
}

/** The pseudo-op that carries the spill policy's activation traffic (not a node of the graph). */
export const SPILL_NODE = 'activations.spill';

export function assembleStep(
  compiled: CompiledPhase,
  layout: PhaseLayout,
  results: readonly UnitResult[],
): StepResult {
  const { program } = compiled;
  const hw = program.hardware;
  const byKey = new Map<string, TaskResult>();
  let drawMs = 0;
  let simulateMs = 0;
  const wavelet = waveletScaling(results);
  for (const unit of results) {
    drawMs += unit.drawMs;
    simulateMs += unit.simulateMs;
    for (const r of unit.results) byKey.set(r.key, r);
  }
  for (const [key, task] of layout.scaled) {
    const main = byKey.get(task.from);
    if (!main) throw new Error(`no simulation result for ${task.from}, which ${key} is scaled from`);
    byKey.set(key, scaleRemainderResult(main, task, key));
  }
  let step = zeroCounters();
  const byOpKind = new Map<OpKind, Counters>();
  const rowBusy = new Float64Array(hw.meshRows);
  let activeCols = 0;
  const add = (kind: OpKind, c: Counters, times: number) => {
    step = addCounters(step, c, times);
    byOpKind.set(kind, addCounters(byOpKind.get(kind) ?? zeroCounters(), c, times));
  };
  let lastGradientBytes = 0;
  const nodes = new Map<string, NodeResult>();
  const addNode = (node: DataflowNode, kind: OpKind, c: Counters, times: number) => {
    const seen = nodes.get(node.id);
    nodes.set(node.id, {
      id: node.id,
      op: node.op,
      pass: node.pass,
      layer: node.layer,
      kind,
      count: (seen?.count ?? 0) + times,
      counters: addCounters(seen?.counters ?? zeroCounters(), c, times),
    });
  };

  const timelinePrograms: StepTimeline['programs'][number][] = [];
  program.microBatches.forEach((mb, b) => {
    const keys = layout.microBatches[b]!.keys;
    const timelineNodes: TimelineNode[] = [];
    mb.graph.nodes.forEach((node, i) => {
      const r = byKey.get(keys[i]!);
      if (!r) throw new Error(`no simulation result for ${node.id}`);
      // The optimizer runs once per step, not per micro-batch: the step boundary below.
      if (node.op === 'optimizer') return;
      const kind = opKindOf(node);
      const { id, op, pass, layer } = node;
      timelineNodes.push({ id, op, pass, layer, kind, cycles: totalCycles(r.counters) });
      // Under recompute, each block's forward runs again before its backward.
      const rerun =
        program.activationPolicy === 'recompute' && node.pass === 'forward' && node.layer !== null;
      const times = mb.count * (rerun ? 2 : 1);
      add(kind, r.counters, times);
      addNode(node, kind, r.counters, times);
      for (let row = 0; row < rowBusy.length; row++) rowBusy[row] = rowBusy[row]! + times * r.rowBusy[row]!;
      activeCols = Math.max(activeCols, r.activeCols);
      if (node.op === 'grad-stream-out') lastGradientBytes = r.counters.bytesOut;
    });
    const spillCycles = mb.spilledBytes > 0 ? (mb.spilledBytes * 8) / ioBitsPerCycle(hw) : 0;
    timelinePrograms.push({ count: mb.count, nodes: timelineNodes, spillCycles });
    if (mb.spilledBytes > 0) {
      // Spilled activations go out after each block's forward and come back before its backward,
      // sharing the wafer I/O with the weight stream.
      const z = zeroCounters();
      const spill = {
        ...z,
        cycles: { ...z.cycles, io: spillCycles },
        bytesIn: mb.spilledBytes / 2,
        bytesOut: mb.spilledBytes / 2,
      };
      add('I/O', spill, mb.count);
      const seen = nodes.get(SPILL_NODE);
      nodes.set(SPILL_NODE, {
        id: SPILL_NODE,
        op: 'activation-spill',
        pass: 'forward',
        layer: null,
        kind: 'I/O',
        count: (seen?.count ?? 0) + mb.count,
        counters: addCounters(seen?.counters ?? zeroCounters(), spill, mb.count),
      });
    }
  });
  // The last gradients must reach the optimizer before it can start, and the next step waits for
  // the update: nothing overlaps the boundary (step-boundary.ts).
  const boundary = stepBoundary(hw, compiled.systems, lastGradientBytes);
  const z = zeroCounters();
  const bubble = { ...z, cycles: { ...z.cycles, bubble: boundaryCycles(boundary) } };
  add('optimizer', bubble, 1);
  const optimizer = program.microBatches[0]!.graph.nodes.find((node) => node.op === 'optimizer');
  if (optimizer) addNode(optimizer, 'optimizer', bubble, 1);
  return {
    counters: step,
    nodes: [...nodes.values()],
    stepCycles: totalCycles(step),
    byOpKind,
    rowBusy,
    activeCols,
    boundary,
    timeline: {
      programs: timelinePrograms,
      recompute: program.activationPolicy === 'recompute',
      boundaryCycles: boundaryCycles(boundary),
    },
    drawMs,
    simulateMs,
    ...(wavelet ? { wavelet } : {}),
  };
}
