import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { SparsitySpec } from '../models/sparsity.ts';
import {
  averageDensity,
  type GradualSchedule,
  levelAt,
  type Workload,
  type WorkloadFile,
} from './workload-schema.ts';

const spec = { level: 0.75 };

describe('levelAt', () => {
  const ramp: GradualSchedule = {
    schedule: 'gradual',
    from: 0,
    to: 0.75,
    startFraction: 0.25,
    endFraction: 0.75,
  };

  it('holds from, ramps linearly, then holds to', () => {
    expect(levelAt({ sparsity: ramp }, spec, 0)).toBe(0);
    expect(levelAt({ sparsity: ramp }, spec, 0.25)).toBe(0);
    expect(levelAt({ sparsity: ramp }, spec, 0.5)).toBeCloseTo(0.375, 12);
    expect(levelAt({ sparsity: ramp }, spec, 0.75)).toBe(0.75);
    expect(levelAt({ sparsity: ramp }, spec, 1)).toBe(0.75);
  });

  it("a phase without sparsity takes the spec's level; a number is constant", () => {
    expect(levelAt({}, spec, 0.3)).toBe(0.75);
    expect(levelAt({ sparsity: 0 }, spec, 0.3)).toBe(0);
    expect(levelAt({ sparsity: { schedule: 'constant', level: 0.5 } }, spec, 0.9)).toBe(0.5);
  });

  it('a ramp of zero length steps at its start', () => {
    const step: GradualSchedule = { ...ramp, startFraction: 0.5, endFraction: 0.5 };
    expect(levelAt({ sparsity: step }, spec, 0.49)).toBe(0);
    expect(levelAt({ sparsity: step }, spec, 0.51)).toBe(0.75);
  });

  it('rejects a fraction outside [0, 1]', () => {
    expect(() => levelAt({}, spec, 1.5)).toThrow(RangeError);
  });
});

describe('averageDensity', () => {
  it('of the DESIGN §7 ramp (density 1 → 0.25 between 25% and 75%) is 0.25·1 + 0.5·0.625 + 0.25·0.25', () => {
    const ramp: GradualSchedule = {
      schedule: 'gradual',
      from: 0,
      to: 0.75,
      startFraction: 0.25,
      endFraction: 0.75,
    };
    expect(averageDensity({ sparsity: ramp }, spec)).toBeCloseTo(0.625, 12);
  });

  it('of a constant level is 1 − level', () => {
    expect(averageDensity({}, spec)).toBe(0.25);
    expect(averageDensity({ sparsity: 0.5 }, spec)).toBe(0.5);
  });

  it('equals the mean of levelAt over the phase (midpoint rule) for any ramp', () => {
    const level = fc.double({ min: 0, max: 0.999, noNaN: true });
    const fraction = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(level, level, fraction, fraction, (from, to, a, b) => {
        const sparsity: GradualSchedule = {
          schedule: 'gradual',
          from,
          to,
          startFraction: Math.min(a, b),
          endFraction: Math.max(a, b),
        };
        const n = 2000;
        let sum = 0;
        for (let i = 0; i < n; i++) sum += 1 - levelAt({ sparsity }, spec, (i + 0.5) / n);
        // A kink or step inside one of the n cells costs at most 1/n.
        expect(Math.abs(averageDensity({ sparsity }, spec) - sum / n)).toBeLessThan(2 / n);
      }),
      { numRuns: 60 },
    );
  });
});

describe('types', () => {
  it('the resolved workload holds a full sparsity spec and the file type keeps the model union', () => {
    expectTypeOf<Workload['sparsity']>().toEqualTypeOf<SparsitySpec>();
    expectTypeOf<WorkloadFile['seed']>().toEqualTypeOf<number>();
    expectTypeOf<WorkloadFile['model']>().toExtend<string | object>();
  });
});
