/**
 * A hand-built `WorkloadSummary` with round numbers, for the tests of reports/: every metric can
 * be worked out by hand. A 10 × 10 mesh, 4 MACs per PE per cycle (400 per cycle), and a toy clock
 * of 1 kHz so that a step of 1,250 cycles takes 1.25 s.
 *
 * Phase `sparse` (75% level, 3.6 M tokens, 1,000 tokens per step: 3,600 steps): the sparse step
 * takes 1,250 cycles and issues 200,000 MACs (400,000 FLOPs); the dense-equivalent step takes
 * 2,500 cycles and issues 500,000 MACs (1,000,000 FLOPs). Phase `dense` (0.36 M tokens: 360
 * steps) runs the dense step.
 */

import { HARDWARE_PRESETS, type HardwareConfig } from '../hardware/hardware-config.ts';
import { DENSE, type SparsitySpec } from '../models/sparsity.ts';
import type { OpKind } from '../simulator/assemble.ts';
import { type Counters, type CyclesByCause, zeroCounters, zeroCycles } from '../simulator/counters.ts';
import type { PhaseSummary, StepSummary, WorkloadSummary } from '../simulator/run-summary.ts';
import type { InvocationMeta } from './report-json.ts';

export const FIXTURE_HARDWARE: HardwareConfig = {
  ...HARDWARE_PRESETS.cs2!,
  name: 'toy',
  meshRows: 10,
  meshCols: 10,
  clockHz: 1e3,
  // The hand-worked figures use the full SIMD width: 4 MACs per PE per cycle.
  accumulate: 'fp16',
};

function counters(cycles: Partial<CyclesByCause>, rest: Partial<Omit<Counters, 'cycles'>> = {}): Counters {
  return { ...zeroCounters(), ...rest, cycles: { ...zeroCycles(), ...cycles } };
}

export const SPARSE_COUNTERS = counters(
  {
    compute: 500,
    imbalance: 100,
    reduction: 50,
    io: 50,
    overhead: 150,
    fillDrain: 100,
    dense: 200,
    bubble: 100,
  },
  { macsIssued: 200_000, macsSkipped: 300_000, peBusyCycles: 100_000, bytesIn: 1000, bytesOut: 500 },
);

export const DENSE_COUNTERS = counters(
  { compute: 1700, reduction: 50, io: 50, overhead: 400, fillDrain: 50, dense: 200, bubble: 50 },
  { macsIssued: 500_000, peBusyCycles: 225_000, bytesIn: 2000, bytesOut: 1000 },
);

const SPARSE_BY_KIND: readonly (readonly [OpKind, Counters])[] = [
  [
    'linear forward',
    counters(
      { compute: 500, imbalance: 100, overhead: 150, fillDrain: 100 },
      { macsIssued: 100_000, macsSkipped: 300_000 },
    ),
  ],
  ['attention', counters({ dense: 200 }, { macsIssued: 100_000 })],
  ['I/O', counters({ reduction: 50, io: 50 })],
  ['optimizer', counters({ bubble: 100 })],
];

const DENSE_BY_KIND: readonly (readonly [OpKind, Counters])[] = [
  ['optimizer', counters({ bubble: 50 })],
  ['linear forward', counters({ compute: 1700, overhead: 400, fillDrain: 50 }, { macsIssued: 400_000 })],
  ['attention', counters({ dense: 200 }, { macsIssued: 100_000 })],
  ['I/O', counters({ reduction: 50, io: 50 })],
];

/** Per-PE busy cycles of each of the 10 rows; × 10 columns they sum to peBusyCycles. */
export const SPARSE_ROW_BUSY = [900, 950, 1000, 1000, 1000, 1000, 1000, 1000, 1050, 1100];

function step(
  level: number,
  c: Counters,
  byOpKind: readonly (readonly [OpKind, Counters])[],
  rowBusy: readonly number[],
  flops: { effective: number; dense: number },
): StepSummary {
  return {
    level,
    tokenFraction: 1,
    stepCycles: Object.values(c.cycles).reduce((a, b) => a + b, 0),
    counters: c,
    byOpKind,
    // One op per kind, named after it: the per-op table of the fixture.
    nodes: byOpKind.map(([kind, counters]) => ({
      id: `op.${kind.replace(/ /g, '-')}`,
      op: kind === 'attention' ? 'attn-scores' : kind === 'optimizer' ? 'optimizer' : 'linear',
      pass: 'forward',
      layer: kind === 'linear forward' ? 0 : null,
      kind,
      count: 2,
      counters,
    })),
    rowBusy: Float64Array.from(rowBusy),
    activeCols: 10,
    flops,
    microBatchSequences: 4,
    microBatches: [{ sequences: 4, count: 2 }],
    activationPolicy: 'keep',
    // The step's bubble: 40% the last gradients leaving, 60% the fixed pause.
    boundary: {
      lastGradientsCycles: 0.4 * c.cycles.bubble,
      clusterCycles: 0,
      fixedCycles: 0.6 * c.cycles.bubble,
    },
    // Each op once per micro-batch (two of them), the optimizer's bubble as the step boundary.
    timeline: {
      programs: [
        {
          count: 2,
          nodes: byOpKind
            .filter(([kind]) => kind !== 'optimizer')
            .map(([kind, counters]) => ({
              id: `op.${kind.replace(/ /g, '-')}`,
              op: kind === 'attention' ? 'attn-scores' : 'linear',
              pass: 'forward',
              layer: kind === 'linear forward' ? 0 : null,
              kind,
              cycles: Object.values(counters.cycles).reduce((a, b) => a + b, 0) / 2,
            })),
          spillCycles: 0,
        },
      ],
      recompute: false,
      boundaryCycles: c.cycles.bubble,
    },
    drawMs: 12.5,
    simulateMs: 40,
  };
}

export const SPARSE_STEP = step(0.75, SPARSE_COUNTERS, SPARSE_BY_KIND, SPARSE_ROW_BUSY, {
  effective: 400_000,
  dense: 1_000_000,
});
export const DENSE_STEP = step(0, DENSE_COUNTERS, DENSE_BY_KIND, Array(10).fill(2250), {
  effective: 1_000_000,
  dense: 1_000_000,
});

function phase(name: string, tokens: number, sample: StepSummary): PhaseSummary {
  return {
    name,
    ...(sample.level === 0.75 ? {} : { sparsity: { schedule: 'constant', level: sample.level } }),
    tokens,
    tokensPerStep: 1000,
    steps: tokens / 1000,
    averageLevel: sample.level,
    samples: [sample],
    dense: DENSE_STEP,
    stepCounters: sample.counters,
    stepByOpKind: sample.byOpKind,
    stepNodes: sample.nodes,
    stepFlops: sample.flops,
  };
}

const SPARSITY: SparsitySpec = { ...DENSE, level: 0.75 };

/** The fixture; `overrides` changes top-level fields (a name, timings via phases). */
export function fixtureSummary(overrides: Partial<WorkloadSummary> = {}): WorkloadSummary {
  const workload = {
    name: 'toy-s75',
    model: {
      name: 'toy',
      layers: 2,
      dModel: 64,
      heads: 4,
      dFF: 256,
      vocab: 1000,
      seqLen: 100,
      activation: 'gelu' as const,
      tiedEmbeddings: true,
    },
    hardware: FIXTURE_HARDWARE,
    sparsity: SPARSITY,
    batch: { sequences: 10 },
    cluster: { systems: 1 },
    seed: 7,
  };
  return {
    ...workload,
    source: '/somewhere/toy-s75.json',
    phases: [phase('sparse', 3.6e6, SPARSE_STEP), phase('dense', 3.6e5, DENSE_STEP)],
    resolved: {
      version: 1,
      ...workload,
      activationPolicy: 'auto',
      phases: [
        { name: 'sparse', tokens: 3.6e6 },
        { name: 'dense', tokens: 3.6e5, sparsity: 0 },
      ],
    },
    ...overrides,
  };
}

/** Invocation facts with fixed values, so a report built from the fixture is the same every time. */
export const FIXTURE_META: InvocationMeta = {
  generatedAt: '2025-01-01T00:00:00.000Z',
  wafersimVersion: '0.0.0-test',
  commit: '0123456789ab',
  node: 'v20.0.0',
  platform: 'test',
  host: 'host',
  cpus: 1,
  workers: 0,
  wallSeconds: 0,
};
