import { describe, expect, it } from 'vitest';
import { TINY_MESH, TINY_MODEL } from '../tests/fixtures.ts';
import { averageDensity, parseWorkload } from '../workloads/index.ts';
import { totalCycles } from './counters.ts';
import { levelShares, simulateWorkload } from './run-workload.ts';

const tiny = {
  version: 1,
  model: TINY_MODEL,
  batch: { sequences: 8 },
  hardware: TINY_MESH,
  seed: 5,
};

describe('training runs: phases in order, gradual schedules', () => {
  it('a gradual ramp is sampled at the hold levels and the ramp midpoints, token shares summing to 1', () => {
    const phase = {
      name: 'p',
      tokens: 1e6,
      sparsity: { schedule: 'gradual' as const, from: 0, to: 0.8, startFraction: 0.25, endFraction: 0.75 },
    };
    const shares = levelShares(phase, { level: 0.8 });
    // Holds at 0 (first quarter) and 0.8 (last quarter); the ramp at t = 1/8, 3/8, 5/8, 7/8.
    const expected = [0, 0.1, 0.3, 0.5, 0.7, 0.8];
    expect(shares).toHaveLength(expected.length);
    for (const [i, s] of shares.entries()) expect(s.level).toBeCloseTo(expected[i]!, 12);
    expect(shares.map((s) => s.tokenFraction)).toEqual([0.25, 0.125, 0.125, 0.125, 0.125, 0.25]);
    expect(shares.reduce((a, s) => a + s.tokenFraction, 0)).toBeCloseTo(1, 12);
    // The midpoint rule is exact for a linear ramp: the mean level is the closed form's.
    const meanLevel = shares.reduce((a, s) => a + s.level * s.tokenFraction, 0);
    expect(1 - meanLevel).toBeCloseTo(averageDensity(phase, { level: 0.8 }), 12);
  });

  it('simulates each level, weights steps by tokens, and a dense phase gives speedup 1 exactly', async () => {
    const workload = parseWorkload({
      ...tiny,
      sparsity: 0.75,
      phases: [
        {
          name: 'ramp',
          tokens: 4e6,
          sparsity: { schedule: 'gradual', from: 0, to: 0.75, startFraction: 0.25, endFraction: 0.75 },
        },
        { name: 'dense', tokens: 1e6, sparsity: 0 },
      ],
    });
    const result = await simulateWorkload(workload);
    const [ramp, dense] = result.phases;
    expect(ramp!.samples).toHaveLength(6);
    expect(ramp!.averageLevel).toBeCloseTo(1 - averageDensity(workload.phases[0]!, workload.sparsity), 12);
    // The phase's step is the token-weighted mean of its samples: FLOPs and cycles alike.
    const weighted = (f: (s: NonNullable<typeof ramp>['samples'][number]) => number) =>
      ramp!.samples.reduce((a, s) => a + s.tokenFraction * f(s), 0);
    expect(ramp!.stepFlops.effective).toBeCloseTo(
      weighted((s) => s.flops.effective),
      0,
    );
    expect(totalCycles(ramp!.stepCounters)).toBeCloseTo(
      weighted((s) => s.step.stepCycles),
      3,
    );
    // Sparser samples are faster; the dense hold is exactly the dense equivalent.
    const cycles = ramp!.samples.map((s) => s.step.stepCycles);
    expect(cycles[0]).toBe(ramp!.dense.step.stepCycles);
    expect(cycles[5]!).toBeLessThan(cycles[0]!);
    expect(dense!.samples[0]!.step.stepCycles).toBe(dense!.dense.step.stepCycles);
    expect(dense!.stepFlops.effective).toBe(dense!.stepFlops.dense);
    expect(ramp!.steps).toBe(4e6 / (8 * 128));
  });
});
