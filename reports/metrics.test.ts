/**
 * deriveMetrics on the hand-built summary of test-support.ts: every ratio worked out by hand
 * from its round numbers (closed-form oracle), stalls summing to 1, utilization at most 1, and run
 * totals from summed FLOPs and times, never averaged per-phase ratios.
 */
import { describe, expect, it } from 'vitest';
import { STALL_CAUSES } from '../simulator/counters.ts';
import { deriveMetrics, METRIC_DEFINITIONS, STALL_CAUSE_DEFINITIONS } from './metrics.ts';
import { fixtureSummary } from './test-support.ts';

const metrics = deriveMetrics(fixtureSummary());
const [sparse, dense] = metrics.phases;

describe('deriveMetrics: the sparse phase, by hand', () => {
  it('names the run and its sparse level; the phase its token-weighted level', () => {
    expect(metrics.name).toBe('toy-s75');
    expect(metrics.sparsity).toBe(0.75);
    expect(sparse!.name).toBe('sparse');
    expect(sparse!.sparsity).toBe(0.75);
    expect(sparse!.steps).toBe(3600);
  });

  it('step times are step cycles / clock: 1,250 and 2,500 cycles at 1 kHz', () => {
    expect(sparse!.stepCycles).toBe(1250);
    expect(sparse!.denseStepCycles).toBe(2500);
    expect(sparse!.stepSeconds).toBe(1.25);
    expect(sparse!.denseStepSeconds).toBe(2.5);
  });

  it('FLOP reduction 1,000,000 / 400,000 = 2.5; speedup 2.5 s / 1.25 s = 2; efficiency 2 / 2.5 = 0.8', () => {
    expect(sparse!.flopReduction).toBe(2.5);
    expect(sparse!.realizedSpeedup).toBe(2);
    expect(sparse!.efficiency).toBeCloseTo(0.8, 15);
  });

  it('stalls are each cause over 1,250 cycles, and sum to 1', () => {
    expect(sparse!.stalls).toEqual({
      compute: 0.4,
      imbalance: 0.08,
      reduction: 0.04,
      io: 0.04,
      overhead: 0.12,
      fillDrain: 0.08,
      dense: 0.16,
      bubble: 0.08,
    });
    for (const p of metrics.phases) {
      const sum = STALL_CAUSES.reduce((s, c) => s + p.stalls[c], 0);
      const denseSum = STALL_CAUSES.reduce((s, c) => s + p.denseStalls[c], 0);
      expect(sum).toBeCloseTo(1, 12);
      expect(denseSum).toBeCloseTo(1, 12);
    }
  });

  it('the gap: ideal 2,500 / 2.5 = 1,000 cycles; 250 more, split by cause (sparse − dense / 2.5)', () => {
    expect(sparse!.gap.idealStepCycles).toBe(1000);
    expect(sparse!.gap.excessCycles).toBe(250);
    expect(sparse!.gap.byCause).toEqual({
      compute: 500 - 680,
      imbalance: 100,
      reduction: 30,
      io: 30,
      overhead: -10,
      fillDrain: 80,
      dense: 120,
      bubble: 80,
    });
    expect(sparse!.gap.shareByCause.dense).toBeCloseTo(120 / 250, 15);
    // The dense phase has no gap to explain.
    expect(dense!.gap.excessCycles).toBe(0);
    expect(dense!.gap.shareByCause.compute).toBeNull();
  });

  it('per kind of work: cycles, speedup, FLOP reduction and shares, in step order', () => {
    expect(sparse!.opKinds.map((k) => k.kind)).toEqual(['I/O', 'linear forward', 'attention', 'optimizer']);
    const byKind = Object.fromEntries(sparse!.opKinds.map((k) => [k.kind, k]));
    expect(byKind['linear forward']).toEqual({
      kind: 'linear forward',
      cycles: 850,
      denseCycles: 2150,
      speedup: 2150 / 850,
      flopReduction: 4,
      flopShare: 0.5,
      cycleShare: 0.68,
    });
    expect(byKind.attention).toMatchObject({ cycles: 200, speedup: 1, flopReduction: 1, flopShare: 0.5 });
    // No MACs: no FLOP reduction to speak of. The optimizer's bubble is longer in the sparse step.
    expect(byKind['I/O']).toMatchObject({ flopReduction: null, flopShare: 0, speedup: 1 });
    expect(byKind.optimizer).toMatchObject({ cycles: 100, denseCycles: 50, speedup: 0.5 });
  });

  it('utilization: 200,000 MACs / (100 PEs × 4 × 1,250) = 0.4; busy 100,000 / (100 × 1,250) = 0.8', () => {
    expect(sparse!.utilization).toEqual({
      mac: 0.4,
      denseMac: 0.5,
      peBusy: 0.8,
      densePeBusy: 0.9,
      rowBusyMin: 900 / 1250,
      rowBusyMax: 1100 / 1250,
      activeCols: 10,
    });
    for (const p of metrics.phases) {
      for (const u of [
        p.utilization.mac,
        p.utilization.denseMac,
        p.utilization.peBusy,
        p.utilization.rowBusyMax,
      ]) {
        expect(u).toBeGreaterThan(0);
        expect(u).toBeLessThanOrEqual(1);
      }
    }
  });

  it('throughput in 10^12 FLOP/s; the dense-equivalent rate reaches the peak of 100 × 4 × 2 × 1 kHz', () => {
    expect(sparse!.throughput.effectiveTflops).toBeCloseTo(400_000 / 1.25 / 1e12, 20);
    expect(sparse!.throughput.denseEquivalentTflops).toBeCloseTo(1_000_000 / 1.25 / 1e12, 20);
    expect(sparse!.throughput.peakTflops).toBe(8e-7);
  });

  it('time to train: 3,600 steps × 1.25 s = 4,500 s = 1.25 h; dense 9,000 s = 2.5 h', () => {
    expect(sparse!.timeToTrain.sparse).toEqual({ seconds: 4500, hours: 1.25, days: 4500 / 86_400 });
    expect(sparse!.timeToTrain.dense).toEqual({ seconds: 9000, hours: 2.5, days: 9000 / 86_400 });
    expect(sparse!.trainFlops).toEqual({ effective: 3600 * 400_000, dense: 3600 * 1_000_000 });
  });

  it('carries the step shape: micro-batches and activation policy, per sample too', () => {
    expect(sparse).toMatchObject({
      microBatchSequences: 4,
      microBatches: [{ sequences: 4, count: 2 }],
      activationPolicy: 'keep',
    });
    expect(sparse!.samples).toEqual([
      {
        level: 0.75,
        tokenFraction: 1,
        stepCycles: 1250,
        stepSeconds: 1.25,
        microBatchSequences: 4,
        microBatches: [{ sequences: 4, count: 2 }],
        activationPolicy: 'keep',
      },
    ]);
  });
});

describe('deriveMetrics: the step boundary and the cluster, by hand', () => {
  it('the bubble of 100 cycles at 1 kHz: 40 ms of last gradients, 60 ms of fixed pause', () => {
    expect(sparse!.stepBoundary.lastGradientsSeconds).toBeCloseTo(0.04, 15);
    expect(sparse!.stepBoundary.fixedSeconds).toBeCloseTo(0.06, 15);
    expect(sparse!.stepBoundary.clusterSeconds).toBe(0);
  });

  it('one system: 1,000 tokens / 1.25 s = 800 tokens/s, scaling efficiency exactly 1', () => {
    expect(sparse!.cluster).toEqual({
      systems: 1,
      sequencesPerSystem: 10,
      tokensPerSecond: 800,
      tokensPerSecondPerSystem: 800,
      singleSystemStepSeconds: 1.25,
      speedupOverOneSystem: 1,
      scalingEfficiency: 1,
    });
  });

  it('four systems whose step is 1.25 s against 4 s alone: 4 / 1.25 = 3.2×, efficiency 3.2 / 4 = 0.8', () => {
    const base = fixtureSummary();
    const [phase] = base.phases;
    const alone = { ...phase!.stepCounters, cycles: { ...phase!.stepCounters.cycles, compute: 500 + 2750 } };
    const summary = {
      ...base,
      cluster: { systems: 4 },
      phases: [{ ...phase!, singleSystem: { stepCounters: alone } }],
    };
    const [p] = deriveMetrics(summary).phases;
    expect(p!.cluster.singleSystemStepSeconds).toBe(4);
    expect(p!.cluster.speedupOverOneSystem).toBe(3.2);
    expect(p!.cluster.scalingEfficiency).toBeCloseTo(0.8, 15);
    expect(p!.cluster.sequencesPerSystem).toBe(2.5);
    expect(p!.cluster.tokensPerSecondPerSystem).toBe(200);
    // The peak is the cluster's: 4 × 100 PEs × 4 MACs × 2 FLOPs × 1 kHz.
    expect(p!.throughput.peakTflops).toBeCloseTo(4 * 100 * 4 * 2 * 1e3 * 1e-12, 20);
  });
});

describe('deriveMetrics: the dense phase and the totals', () => {
  it('a dense phase against its own dense equivalent: reduction, speedup and efficiency exactly 1', () => {
    expect(dense!.flopReduction).toBe(1);
    expect(dense!.realizedSpeedup).toBe(1);
    expect(dense!.efficiency).toBe(1);
    expect(dense!.timeToTrain.sparse.seconds).toBe(900);
  });

  it('totals come from summed FLOPs and times, not from averaged per-phase ratios', () => {
    const t = metrics.totals;
    expect(t.tokens).toBe(3.96e6);
    expect(t.steps).toBe(3960);
    expect(t.trainFlops).toEqual({ effective: 1.44e9 + 3.6e8, dense: 3.6e9 + 3.6e8 });
    expect(t.flopReduction).toBeCloseTo(3.96e9 / 1.8e9, 15); // 2.2
    expect(t.timeToTrain.sparse.seconds).toBe(5400);
    expect(t.timeToTrain.dense.seconds).toBe(9900);
    expect(t.realizedSpeedup).toBeCloseTo(9900 / 5400, 15); // 1.833…
    expect(t.efficiency).toBeCloseTo(9900 / 5400 / 2.2, 15);
    // The mean of the phases' speedups (2 and 1) would say 1.5: wrong, the sparse phase is longer.
    expect(t.realizedSpeedup).not.toBeCloseTo((2 + 1) / 2, 3);
  });
});

describe('deriveMetrics: a phase sampled at two levels (a gradual ramp)', () => {
  it('weights each row by the tokens of each sample, and divides the sums (no mean of ratios)', () => {
    const base = fixtureSummary();
    const sparsePhase = base.phases[0]!;
    const first = {
      ...sparsePhase.samples[0]!,
      tokenFraction: 0.25,
      rowBusy: Float64Array.from(Array(10).fill(1000)),
    };
    const second = { ...first, tokenFraction: 0.75, rowBusy: Float64Array.from(Array(10).fill(1200)) };
    const ramp = { ...sparsePhase, samples: [first, second] };
    const [m] = deriveMetrics({ ...base, phases: [ramp] }).phases;
    // (0.25 × 1,000 + 0.75 × 1,200) / 1,250 cycles of the weighted step.
    expect(m!.utilization.rowBusyMin).toBeCloseTo(1150 / 1250, 15);
    expect(m!.utilization.rowBusyMax).toBeCloseTo(1150 / 1250, 15);
    expect(m!.samples.map((s) => s.tokenFraction)).toEqual([0.25, 0.75]);
  });
});

describe('definitions', () => {
  it('every metric has a one-line definition', () => {
    for (const [name, text] of Object.entries(METRIC_DEFINITIONS)) {
      expect(text, name).not.toBe('');
      expect(text, name).not.toContain('\n');
    }
  });

  it('every stall cause has a one-line definition', () => {
    for (const cause of STALL_CAUSES) expect(STALL_CAUSE_DEFINITIONS[cause]).toMatch(/^[A-Za-z].{20,}[^.]$/);
  });
});
