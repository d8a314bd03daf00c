/**
 * Loading sweeps from presets and files, and the presets themselves. Oracles: the point counts
 * and values each preset promises, relative paths resolved from the sweep file's folder, and
 * messages naming the file and field.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../models/diagnostics.ts';
import { expandSweep, loadSweep } from './load-sweep.ts';
import { SPARSITY_LEVELS, SWEEP_PRESET_NAMES } from './presets.ts';
import { sweepJsonSchema } from './sweep-schema.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wafersim-sweep-'));
  writeFileSync(
    join(dir, 'base.json'),
    JSON.stringify({ version: 1, extends: 'spdf-gpt3-xl-s75', phases: [{ name: 'only', tokens: 1e9 }] }),
  );
  writeFileSync(
    join(dir, 'io.json'),
    JSON.stringify({ version: 1, base: './base.json', vary: { seed: [1, 2] } }),
  );
  writeFileSync(join(dir, 'typo.json'), JSON.stringify({ version: 1, base: 'spdf-gpt3-xl-s75', varry: {} }));
  writeFileSync(join(dir, 'broken.json'), '{ "version": 1, }');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('loadSweep', () => {
  it('a file: named after it, its relative base resolved from its folder', () => {
    const sweep = loadSweep('io.json', { cwd: dir });
    expect(sweep).toMatchObject({ name: 'io', source: join(dir, 'io.json'), dir, label: 'io.json' });
    const { points } = expandSweep(sweep);
    expect(points.map((p) => [p.workload.phases[0]!.name, p.workload.seed])).toEqual([
      ['only', 1],
      ['only', 2],
    ]);
  });

  it('bad input names the file and the field', () => {
    expect(messageOf(() => loadSweep('typo.json', { cwd: dir }))).toMatch(
      /typo\.json: .*unknown key 'varry'\. Did you mean 'vary'\?/,
    );
    expect(messageOf(() => loadSweep('broken.json', { cwd: dir }))).toMatch(
      /^broken\.json:1:17: malformed JSON/,
    );
    expect(messageOf(() => loadSweep('missing.json', { cwd: dir }))).toMatch(/^missing\.json: no such file/);
    expect(messageOf(() => loadSweep('sparsity-gpt3-x1'))).toMatch(
      /unknown sweep preset 'sparsity-gpt3-x1'\. Did you mean 'sparsity-gpt3-xl'\?/,
    );
  });
});

describe('sweep presets', () => {
  const expected: Record<string, number> = {
    'sparsity-gpt3-xl': 20,
    'sparsity-cs2-vs-cs3': 40,
    'io-bandwidth': 5,
    'simd-width': 4,
    'mesh-size': 9,
    'cluster-gpt3-xl': 5,
    pattern: 3,
  };

  it('are the ones documented', () => {
    expect([...SWEEP_PRESET_NAMES].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s expands to %i valid one-phase GPT-3 XL points', (name, count) => {
    const { points } = expandSweep(loadSweep(name));
    expect(points).toHaveLength(count);
    for (const p of points) {
      expect(p.workload.model.name).toBe('gpt3-xl');
      expect(p.workload.batch.sequences).toBe(512);
      expect(p.workload.phases.map((ph) => ph.name)).toEqual(['sparse-pretraining']);
    }
  });

  it('cluster-gpt3-xl: the batch of 512 on 1 to 16 systems', () => {
    const { points } = expandSweep(loadSweep('cluster-gpt3-xl'));
    expect(points.map((p) => p.workload.cluster.systems)).toEqual([1, 2, 4, 8, 16]);
  });

  it('sparsity-gpt3-xl: 0 to 0.95 in steps of 0.05 on a CS-2', () => {
    expect(SPARSITY_LEVELS).toEqual([
      0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
      0.95,
    ]);
    const { points } = expandSweep(loadSweep('sparsity-gpt3-xl'));
    expect(points.map((p) => p.workload.phases[0]!.sparsity)).toEqual(
      SPARSITY_LEVELS.map((level) => ({ schedule: 'constant', level })),
    );
    expect(new Set(points.map((p) => p.workload.hardware.name))).toEqual(new Set(['cs2']));
  });
});

describe('sweepJsonSchema', () => {
  it('is a draft 2020-12 schema of the file format', () => {
    const schema = sweepJsonSchema() as {
      $schema: string;
      required: string[];
      properties: Record<string, unknown>;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['version', 'base', 'vary']);
    expect(Object.keys(schema.properties)).toEqual([
      '$schema',
      'version',
      'name',
      'description',
      'base',
      'vary',
    ]);
  });
});
