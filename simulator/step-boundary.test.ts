import { describe, expect, it } from 'vitest';
import { HARDWARE_PRESETS } from '../hardware/hardware-config.ts';
import { ioBitsPerCycle, swarmxLevels } from '../hardware/machine-rates.ts';
import { TINY_MESH, TINY_MODEL } from '../tests/fixtures.ts';
import { parseWorkload } from '../workloads/index.ts';
import { totalCycles } from './counters.ts';
import { simulateWorkload } from './run-workload.ts';
import { boundaryCycles, stepBoundary } from './step-boundary.ts';

const cs2 = HARDWARE_PRESETS.cs2!;

describe('the SwarmX tree', () => {
  it('1:4 broadcast-reduce nodes reach 4^L systems in L levels', () => {
    const levels = [1, 2, 4, 5, 16, 17, 64, 65, 2048].map((n) => swarmxLevels(cs2, n));
    expect(levels).toEqual([0, 1, 1, 2, 2, 3, 3, 4, 6]);
    expect(swarmxLevels({ ...cs2, swarmxFanout: 2 }, 16)).toBe(4);
  });
});

describe('the step boundary, in closed form', () => {
  it('last gradients at the I/O rate, the tree latency up and down, the fixed pause', () => {
    const hw = { ...cs2, stepBubbleSeconds: 0.1, swarmxHopLatencySeconds: 1e-5 };
    const b = stepBoundary(hw, 16, 1e6);
    // 1 MB over 1.2 Tb/s at 1.1 GHz; 2 levels up and 2 down at 10 µs; 0.1 s.
    expect(b.lastGradientsCycles).toBeCloseTo((8e6 / 1.2e12) * 1.1e9, 6);
    expect(b.clusterCycles).toBeCloseTo(4 * 1e-5 * 1.1e9, 6);
    expect(b.fixedCycles).toBeCloseTo(0.1 * 1.1e9, 3);
    expect(boundaryCycles(b)).toBe(b.lastGradientsCycles + b.clusterCycles + b.fixedCycles);
    expect(stepBoundary(hw, 1, 1e6).clusterCycles).toBe(0);
  });

  it('MemoryX slower than the wafer I/O slows the stream to its rate', () => {
    expect(ioBitsPerCycle({ ...cs2, memoryxBitsPerSecond: 0.6e12 })).toBeCloseTo(0.6e12 / 1.1e9, 9);
    expect(ioBitsPerCycle(cs2)).toBeCloseTo(1.2e12 / 1.1e9, 9);
  });
});

const tiny = (sequences: number, extra: Record<string, unknown> = {}) =>
  parseWorkload({
    version: 1,
    model: TINY_MODEL,
    sparsity: 0.5,
    batch: { sequences },
    hardware: { ...TINY_MESH, stepBubbleSeconds: 1e-5 },
    phases: [{ name: 'p', tokens: 1e6 }],
    seed: 3,
    ...extra,
  });

describe('the step boundary in a simulated step', () => {
  it('is charged once per step, however many micro-batches: bubble = its parts exactly', async () => {
    for (const micro of [8, 4, 2]) {
      const w = tiny(8, { batch: { sequences: 8, microBatchSequences: micro } });
      const [phase] = (await simulateWorkload(w)).phases;
      const step = phase!.samples[0]!.step;
      expect(step.counters.cycles.bubble).toBeCloseTo(boundaryCycles(step.boundary), 6);
      expect(step.boundary.fixedCycles).toBeCloseTo(1e-5 * w.hardware.clockHz, 6);
      expect(step.boundary.clusterCycles).toBe(0);
    }
  });
});

describe('a cluster in data parallel', () => {
  it("each system runs its share: the cluster's step is one system's at batch / N plus the tree", async () => {
    const cluster = tiny(16, { cluster: { systems: 4 } });
    const share = tiny(4);
    const [c] = (await simulateWorkload(cluster)).phases;
    const [s] = (await simulateWorkload(share)).phases;
    const levels = swarmxLevels(cluster.hardware, 4);
    const tree = 2 * levels * cluster.hardware.swarmxHopLatencySeconds * cluster.hardware.clockHz;
    expect(levels).toBe(1);
    expect(c!.samples[0]!.step.boundary.clusterCycles).toBeCloseTo(tree, 6);
    expect(totalCycles(c!.stepCounters)).toBeCloseTo(totalCycles(s!.stepCounters) + tree, 6);
    // Same per-system work; the cluster's FLOPs per step are every system's; tokens per step global.
    expect(c!.stepCounters.macsIssued).toBe(s!.stepCounters.macsIssued);
    expect(c!.stepFlops.effective).toBe(4 * s!.stepFlops.effective);
    expect(c!.tokensPerStep).toBe(16 * TINY_MODEL.seqLen);
    // The scaling reference is the same global batch on one system.
    const [alone] = (await simulateWorkload(tiny(16))).phases;
    expect(totalCycles(c!.singleSystem!.stepCounters)).toBe(totalCycles(alone!.stepCounters));
    expect(s!.singleSystem).toBeUndefined();
  });
});
