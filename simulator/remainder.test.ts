/**
 * The remainder micro-batch, scaled from the main one (remainder.ts). Oracles: MAC conservation
 * (issued + skipped = dense MACs, issued = non-zeros × tokens, exactly as simulated), the full
 * simulation of the remainder as the reference for its cycles, and the threshold.
 */
import { describe, expect, it } from 'vitest';
import { compilePhase } from '../compiler/pipeline.ts';
import { TINY_MESH, TINY_MODEL } from '../tests/fixtures.ts';
import { parseWorkload } from '../workloads/index.ts';
import { totalCycles } from './counters.ts';
import { planPhase } from './plan.ts';
import { scalesRemainder } from './remainder.ts';
import { simulateWorkload } from './run-workload.ts';

/** 21 sequences of 128 tokens at most 11 per micro-batch: 11 + 10, 88 and 80 tokens per PE. */
const workload = (sequences: number, micro: number) =>
  parseWorkload({
    version: 1,
    model: TINY_MODEL,
    sparsity: 0.75,
    batch: { sequences, microBatchSequences: micro },
    hardware: TINY_MESH,
    phases: [{ name: 'p', tokens: 1e6 }],
    seed: 4,
  });

describe('a remainder micro-batch close to the main one', () => {
  it('is scaled, not simulated: its sparse matmuls leave the units', () => {
    const w = workload(21, 11);
    const compiled = compilePhase(w, w.phases[0]!);
    if (!compiled.ok) throw new Error('compiles');
    const options = { seed: 4, pattern: 'unstructured', sparsifiable: new Set(w.sparsity.weights) };
    const scaled = planPhase(compiled.phase, options);
    const full = planPhase(compiled.phase, { ...options, remainder: 'simulate' });
    const tasks = (p: typeof scaled) => p.units.reduce((n, u) => n + u.tasks.length, 0);
    expect(scaled.layout.scaled.size).toBeGreaterThan(0);
    expect(full.layout.scaled.size).toBe(0);
    expect(tasks(full) - tasks(scaled)).toBe(scaled.layout.scaled.size);
  });

  it('keeps MACs exact and its cycles within 1% of simulating it in full (0.5% of the step)', async () => {
    const w = workload(21, 11);
    const [scaled] = (await simulateWorkload(w)).phases;
    const [full] = (await simulateWorkload(w, { remainder: 'simulate' })).phases;
    const s = scaled!.stepCounters;
    const f = full!.stepCounters;
    expect(s.macsIssued).toBe(f.macsIssued);
    expect(s.macsSkipped).toBe(f.macsSkipped);
    expect(s.weightsStreamed).toBe(f.weightsStreamed);
    expect(Math.abs(totalCycles(s) / totalCycles(f) - 1)).toBeLessThan(0.005);
  });

  it('applies from 90% of the main micro-batch tokens per PE; further ones are simulated', () => {
    expect(scalesRemainder(118, 116)).toBe(true);
    expect(scalesRemainder(100, 90)).toBe(true);
    expect(scalesRemainder(100, 89)).toBe(false);
    const w = workload(20, 11); // 11 + 9: 88 and 72 tokens per PE
    const compiled = compilePhase(w, w.phases[0]!);
    if (!compiled.ok) throw new Error('compiles');
    const plan = planPhase(compiled.phase, {
      seed: 4,
      pattern: 'unstructured',
      sparsifiable: new Set(w.sparsity.weights),
    });
    expect(plan.layout.scaled.size).toBe(0);
  });
});
