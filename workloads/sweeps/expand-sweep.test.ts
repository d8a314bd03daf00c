/**
 * Expanding sweeps into points. Oracles: the cartesian order written out by hand, the values a
 * point's resolved workload must hold, and the messages of invalid sweeps (they name the point
 * and the field, and suggest the field that was meant).
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../models/diagnostics.ts';
import { TINY_MESH, TINY_MODEL } from '../../tests/fixtures.ts';
import { expandSweep, parseSweep } from './load-sweep.ts';

const TINY_BASE = {
  model: TINY_MODEL,
  batch: { sequences: 8 },
  hardware: TINY_MESH,
  phases: [{ name: 'sparse', tokens: 1e6 }],
  seed: 3,
};

function expand(vary: Record<string, unknown[]>, base: unknown = TINY_BASE) {
  return expandSweep(parseSweep({ version: 1, name: 'tiny', base, vary }));
}

/** The messages of the InputError `run` throws, each prefixed by its path. */
function messagesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.diagnostics.map((d) => `${d.path}: ${d.message}`);
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('cartesian order', () => {
  it('keys in file order, values in array order, the last key fastest', () => {
    const { points } = expand({ sparsity: [0, 0.5, 0.75], 'hardware.fmacsPerCycle': [4, 8] });
    expect(points.map((p) => [p.index, p.values])).toEqual([
      [0, { sparsity: 0, 'hardware.fmacsPerCycle': 4 }],
      [1, { sparsity: 0, 'hardware.fmacsPerCycle': 8 }],
      [2, { sparsity: 0.5, 'hardware.fmacsPerCycle': 4 }],
      [3, { sparsity: 0.5, 'hardware.fmacsPerCycle': 8 }],
      [4, { sparsity: 0.75, 'hardware.fmacsPerCycle': 4 }],
      [5, { sparsity: 0.75, 'hardware.fmacsPerCycle': 8 }],
    ]);
    expect(points.map((p) => [p.workload.sparsity.level, p.workload.hardware.fmacsPerCycle])).toEqual([
      [0, 4],
      [0, 8],
      [0.5, 4],
      [0.5, 8],
      [0.75, 4],
      [0.75, 8],
    ]);
  });

  it('names each point after the sweep, its index and its values', () => {
    const { points } = expand({ sparsity: [0.5], seed: [1, 2] });
    expect(points.map((p) => p.workload.name)).toEqual([
      'tiny #0 (sparsity=0.5, seed=1)',
      'tiny #1 (sparsity=0.5, seed=2)',
    ]);
    expect(points[1]!.label).toBe('sparsity=0.5, seed=2');
  });

  it('three keys: the index is a mixed-radix number, the last key its lowest digit', () => {
    const { points } = expand({ sparsity: [0, 0.5], seed: [1, 2, 3], 'batch.sequences': [4, 8] });
    expect(points).toHaveLength(12);
    expect(points[7]!.values).toEqual({ sparsity: 0.5, seed: 1, 'batch.sequences': 8 });
    expect(points[7]!.workload).toMatchObject({ seed: 1, batch: { sequences: 8 } });
  });
});

describe('dotted paths into the workload file', () => {
  it('set hardware, batch, seed and the sparsity spec, and merge with the rest of the base', () => {
    const { points } = expand({
      'hardware.ioBitsPerSecond': [2.4e12],
      'batch.sequences': [16],
      'sparsity.pattern': ['block:4x4'],
      sparsity: [0.5],
      seed: [9],
    });
    const w = points[0]!.workload;
    expect(w.hardware).toMatchObject({ ioBitsPerSecond: 2.4e12, meshRows: 16, meshCols: 16 });
    expect(w.hardware.name).toBe(
      'cs2 (meshRows=16, meshCols=16, ioBitsPerSecond=2400000000000, stepBubbleSeconds=0)',
    );
    expect(w.batch).toEqual({ sequences: 16 });
    expect(w.sparsity).toMatchObject({ level: 0.5, pattern: 'block:4x4' });
    expect(w.seed).toBe(9);
  });

  it('hardware.preset swaps the machine and keeps the overrides of the base', () => {
    const { points } = expand({ sparsity: [0.5], 'hardware.preset': ['cs2', 'cs3'] });
    expect(points.map((p) => [p.workload.hardware.name, p.workload.hardware.fmacsPerCycle])).toEqual([
      ['cs2 (meshRows=16, meshCols=16, stepBubbleSeconds=0)', 4],
      ['cs3 (meshRows=16, meshCols=16, stepBubbleSeconds=0)', 8],
    ]);
  });

  it('sparsity.pattern on a preset whose sparsity is a number keeps its level', () => {
    const { points } = expand({ 'sparsity.pattern': ['unstructured', '2:4'] }, 'spdf-gpt3-xl-s50');
    expect(points.map((p) => [p.workload.sparsity.level, p.workload.sparsity.pattern])).toEqual([
      [0.5, 'unstructured'],
      [0.5, '2:4'],
    ]);
  });

  it('model swaps the whole model; model.<field> changes one field of a preset model', () => {
    const swapped = expand({ model: ['gpt2-small', 'gpt3-xl'] }, 'spdf-gpt3-xl-s75');
    expect(swapped.points.map((p) => p.workload.model.name)).toEqual(['gpt2-small', 'gpt3-xl']);
    const layers = expand({ 'model.layers': [4, 8] }, 'spdf-gpt3-xl-s75');
    expect(
      layers.points.map((p) => [p.workload.model.name, p.workload.model.layers, p.workload.model.dModel]),
    ).toEqual([
      ['gpt3-xl', 4, 2048],
      ['gpt3-xl', 8, 2048],
    ]);
  });

  it('null removes a field, as in extends: the compiler then chooses the micro-batch', () => {
    const { points } = expand({ 'batch.microBatchSequences': [null, 88] }, 'spdf-gpt3-xl-s75');
    expect(points.map((p) => p.workload.batch)).toEqual([
      { sequences: 512 },
      { sequences: 512, microBatchSequences: 88 },
    ]);
  });
});

describe('the sparsity path', () => {
  it("moves the phases that inherit the workload's level; a phase with its own (dense fine-tuning) is untouched", () => {
    const { points } = expand({ sparsity: [0, 0.5, 0.9] }, 'spdf-gpt3-xl-s75');
    expect(points.map((p) => p.workload.phases.map((ph) => [ph.name, ph.sparsity]))).toEqual(
      [0, 0.5, 0.9].map((level) => [
        ['sparse-pretraining', { schedule: 'constant', level }],
        ['dense-finetuning', { schedule: 'constant', level: 0 }],
      ]),
    );
    expect(points.map((p) => p.workload.sparsity.level)).toEqual([0, 0.5, 0.9]);
  });

  it('is bad input when every phase of the base sets its own sparsity', () => {
    const base = { ...TINY_BASE, sparsity: 0.5, phases: [{ name: 'fixed', tokens: 1e6, sparsity: 0.5 }] };
    expect(messagesOf(() => expand({ sparsity: [0, 0.5] }, base))).toEqual([
      expect.stringMatching(
        /^sweep tiny: vary\.sparsity: no phase of the base follows the workload's sparsity level/,
      ),
    ]);
  });
});

describe('invalid points name the point and the field', () => {
  it('a level out of range', () => {
    expect(messagesOf(() => expand({ sparsity: [0.5, 1.5] }))).toEqual([
      'sweep tiny: point 1 (sparsity=1.5): sparsity.level: sparsity level must be in [0, 1) (a fraction of zero weights, e.g. 0.75, not 75)',
    ]);
  });

  it('a hardware field of the wrong type, and a pattern that fixes another level', () => {
    expect(messagesOf(() => expand({ sparsity: [0.5], 'hardware.meshRows': [16, -1] }))).toEqual([
      expect.stringMatching(
        /^sweep tiny: point 1 \(sparsity=0\.5, hardware\.meshRows=-1\): hardware\.meshRows: .*≥ 1/,
      ),
    ]);
    expect(messagesOf(() => expand({ 'sparsity.pattern': ['2:4'] }, 'spdf-gpt3-xl-s75'))).toEqual([
      expect.stringMatching(
        /^sweep tiny: point 0 \(sparsity\.pattern=2:4\): .*sparsity\.level: pattern 2:4 fixes the sparsity at 0\.5/,
      ),
    ]);
  });

  it('reports the first five invalid points in full and counts the rest', () => {
    const messages = messagesOf(() => expand({ sparsity: [1, 2, 3, 4, 5, 6, 7] }));
    expect(messages).toHaveLength(6);
    expect(messages[5]).toBe('sweep tiny: 2 more of its 7 points are invalid');
  });
});

describe('invalid sweeps', () => {
  const cases: [string, Record<string, unknown[]>, RegExp][] = [
    [
      'a misspelt field',
      { 'hardware.fmacsPerCycel': [4] },
      /vary\.hardware\.fmacsPerCycel: unknown field 'fmacsPerCycel' in 'hardware'\. Did you mean 'hardware\.fmacsPerCycle'\?/,
    ],
    [
      'a misspelt top-level field',
      { sparsty: [0.5] },
      /unknown field 'sparsty' in a workload\. Did you mean 'sparsity'\?/,
    ],
    ['a field of a number', { 'seed.x': [1] }, /'seed' has no fields to vary one by one/],
    [
      'an index into phases',
      { 'phases.0.tokens': [1e6] },
      /'phases' has no fields to vary one by one .*vary 'phases' whole/,
    ],
    [
      'a field that is not varied',
      { name: ['a'] },
      /'name' cannot be varied: each point is named after the sweep/,
    ],
    [
      'two keys on one field',
      { sparsity: [0.5], 'sparsity.level': [0.5] },
      /'sparsity\.level' and 'sparsity' both set sparsity\.level/,
    ],
    ['a value twice', { seed: [1, 2, 1] }, /vary\.seed\[2\]: the value 1 appears twice/],
    ['an empty list', { seed: [] }, /vary\.seed: .*non-empty array/],
    ['nothing to vary', {}, /vary must name at least one field/],
  ];
  it.each(cases)('%s', (_name, vary, message) => {
    expect(messagesOf(() => expand(vary)).join('\n')).toMatch(message);
  });

  it('an unknown base preset, with a did-you-mean, and a study as base', () => {
    expect(messagesOf(() => expand({ seed: [1] }, 'spdf-gpt3-xl-s7')).join('\n')).toMatch(
      /^sweep tiny: base: unknown workload preset 'spdf-gpt3-xl-s7'\. Did you mean 'spdf-gpt3-xl-s75'\?/,
    );
    expect(messagesOf(() => expand({ seed: [1] }, 'mediswift-xl')).join('\n')).toMatch(
      /'mediswift-xl' is a study/,
    );
  });

  it('a base file that does not exist', () => {
    expect(messagesOf(() => expand({ seed: [1] }, './nowhere.json')).join('\n')).toMatch(
      /^sweep tiny: base: no such workload file: .*nowhere\.json/,
    );
  });
});

describe('sweepId', () => {
  it('is stable, and changes with the values, their order and the base', () => {
    const a = expand({ sparsity: [0, 0.5] }).sweepId;
    expect(expand({ sparsity: [0, 0.5] }).sweepId).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(expand({ sparsity: [0.5, 0] }).sweepId).not.toBe(a);
    expect(expand({ sparsity: [0, 0.5, 0.75] }).sweepId).not.toBe(a);
    expect(expand({ sparsity: [0, 0.5] }, { ...TINY_BASE, seed: 4 }).sweepId).not.toBe(a);
  });
});
