import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HARDWARE_PRESETS } from '../hardware/hardware-config.ts';
import { InputError } from '../models/diagnostics.ts';
import { loadWorkload, parseWorkload, resolveStudyOrWorkload } from './load-workload.ts';
import { diagnosticsOf } from './test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'wafersim-workloads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(relativePath: string, content: unknown): string {
  const path = join(dir, relativePath);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const minimal = {
  version: 1,
  model: 'gpt2-small',
  sparsity: 0.5,
  batch: { sequences: 256 },
  phases: [{ name: 'sparse-pretraining', tokens: 2.5e9 }],
};

describe('a minimal file', () => {
  it('loads with every default applied', () => {
    const path = write('minimal.json', minimal);
    const w = loadWorkload(path);
    expect(w.name).toBe('minimal');
    expect(w.source).toBe(path);
    expect(w.hardware).toEqual(HARDWARE_PRESETS.cs2);
    expect(w.activationPolicy).toBe('auto');
    expect(w.seed).toBe(0);
    expect(w.sparsity.level).toBe(0.5);
    expect(w.sparsity.pattern).toBe('unstructured');
    expect(w.phases).toEqual([
      { name: 'sparse-pretraining', tokens: 2.5e9, sparsity: { schedule: 'constant', level: 0.5 } },
    ]);
  });

  it('is found relative to cwd, and seqLen overrides the model context', () => {
    write('sub/ctx.json', { ...minimal, seqLen: 1024, name: 'short-context' });
    const w = loadWorkload('sub/ctx.json', { cwd: dir });
    expect(w.name).toBe('short-context');
    expect(w.model.seqLen).toBe(1024);
    expect(w.model.dModel).toBe(768);
  });

  it('applies hardware overrides to the preset and names them', () => {
    const w = parseWorkload({ ...minimal, hardware: { preset: 'cs3', fmacsPerCycle: 16 } });
    expect(w.hardware).toEqual({
      ...HARDWARE_PRESETS.cs3,
      fmacsPerCycle: 16,
      name: 'cs3 (fmacsPerCycle=16)',
    });
  });
});

describe('extends', () => {
  it('a file extends a preset: its fields override, objects merge, arrays replace', () => {
    const path = write('xl-cs3.json', {
      version: 1,
      extends: 'spdf-gpt3-xl-s75',
      hardware: { preset: 'cs3' },
      batch: { microBatchSequences: 44 },
      phases: [{ name: 'only', tokens: 1e9 }],
    });
    const w = loadWorkload(path);
    expect(w.name).toBe('xl-cs3');
    expect(w.description).toBeUndefined(); // a description is about its own file: not inherited
    expect(w.model.name).toBe('gpt3-xl');
    expect(w.sparsity.level).toBe(0.75);
    expect(w.hardware.name).toBe('cs3');
    expect(w.batch).toEqual({ sequences: 512, microBatchSequences: 44 });
    expect(w.phases).toEqual([
      { name: 'only', tokens: 1e9, sparsity: { schedule: 'constant', level: 0.75 } },
    ]);
  });

  it('a file extends a file by a relative path, through two levels, and null removes an inherited key', () => {
    write('chain/base/base.json', {
      ...minimal,
      batch: { sequences: 256, microBatchSequences: 64 },
      seed: 7,
    });
    write('chain/base/mid.json', {
      version: 1,
      extends: 'base.json',
      sparsity: { level: 0.75, pattern: 'block:4x4' },
    });
    const top = write('chain/top/top.json', {
      version: 1,
      extends: '../base/mid.json',
      sparsity: 0.9,
      batch: { microBatchSequences: null },
    });
    const w = loadWorkload(top);
    expect(w.seed).toBe(7);
    // The shorthand 0.9 overrides the level alone; the pattern set in mid.json stays.
    expect(w.sparsity.level).toBe(0.9);
    expect(w.sparsity.pattern).toBe('block:4x4');
    expect(w.batch).toEqual({ sequences: 256 });
  });

  it('an inline object extends a file relative to cwd', () => {
    write('inline-base.json', minimal);
    const w = parseWorkload(
      { version: 1, extends: './inline-base.json', seed: 3 },
      { cwd: dir, name: 'mine' },
    );
    expect(w).toMatchObject({ name: 'mine', seed: 3, source: '(inline)' });
    expect(w.model.name).toBe('gpt2-small');
  });

  it('detects a cycle and names every file in it', () => {
    write('cycle/a.json', { version: 1, extends: 'b.json' });
    write('cycle/b.json', { version: 1, extends: './c.json' });
    write('cycle/c.json', { version: 1, extends: 'a.json' });
    const [d, ...rest] = diagnosticsOf(() => loadWorkload('cycle/a.json', { cwd: dir }));
    expect(rest).toEqual([]);
    expect(d?.code).toBe('invalid-value');
    expect(d?.path).toBe('cycle/c.json: extends');
    expect(d?.message).toContain('extends cycle: cycle/a.json → cycle/b.json → cycle/c.json → cycle/a.json');
  });

  it('detects a file that extends itself', () => {
    write('self.json', { ...minimal, extends: 'self.json' });
    expect(diagnosticsOf(() => loadWorkload('self.json', { cwd: dir }))[0]?.message).toContain(
      'extends cycle: self.json → self.json',
    );
  });

  it('reports an error in a base file against that file', () => {
    write('blame/base.json', { ...minimal, seed: -1 });
    write('blame/child.json', { version: 1, extends: 'base.json', sparsity: 2 });
    const paths = diagnosticsOf(() => loadWorkload('blame/child.json', { cwd: dir })).map((d) => d.path);
    expect(paths.sort()).toEqual(['blame/base.json: seed', 'blame/child.json: sparsity.level']);
  });

  it('reports a missing base file with its resolved path, and an unknown base preset with did-you-mean', () => {
    write('bad-base.json', { version: 1, extends: 'nowhere/base.json' });
    const [missing] = diagnosticsOf(() => loadWorkload('bad-base.json', { cwd: dir }));
    expect(missing).toMatchObject({ code: 'missing-file', path: 'bad-base.json: extends' });
    expect(missing?.message).toContain(join(dir, 'nowhere/base.json'));

    write('bad-preset.json', { version: 1, extends: 'spdf-gpt3-xl-s7' });
    const [unknown] = diagnosticsOf(() => loadWorkload('bad-preset.json', { cwd: dir }));
    expect(unknown).toMatchObject({ code: 'unknown-preset', path: 'bad-preset.json: extends' });
    expect(unknown?.message).toContain("Did you mean 'spdf-gpt3-xl-s75'?");
  });
});

describe('errors', () => {
  it('an unknown preset lists the known ones with did-you-mean', () => {
    const [d] = diagnosticsOf(() => loadWorkload('mediswift-xl-s7'));
    expect(d?.code).toBe('unknown-preset');
    expect(d?.message).toContain(
      "unknown workload preset 'mediswift-xl-s7'. Did you mean 'mediswift-xl-s75'?",
    );
    expect(d?.message).toContain('Known: mediswift-m-dense, mediswift-m-s50');
    expect(d?.message).toContain('spdf-gpt3-xl-s75-cs3');
  });

  it('a study name given where one workload is expected says it is a study', () => {
    expect(diagnosticsOf(() => loadWorkload('mediswift-xl'))[0]?.message).toContain(
      "'mediswift-xl' is a study",
    );
  });

  it.each([
    [75, 'sparsity.level'],
    [-0.1, 'sparsity.level'],
    [{ level: 75 }, 'sparsity.level'],
  ])('sparsity %j names %s and the range [0, 1)', (sparsity, path) => {
    const [d, ...rest] = diagnosticsOf(() => parseWorkload({ ...minimal, sparsity }));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'invalid-value', path });
    expect(d?.message).toBe(
      'sparsity level must be in [0, 1) (a fraction of zero weights, e.g. 0.75, not 75)',
    );
  });

  it('sparsity "abc" names sparsity and the accepted forms', () => {
    const [d, ...rest] = diagnosticsOf(() => parseWorkload({ ...minimal, sparsity: 'abc' }));
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'invalid-type', path: 'sparsity' });
    expect(d?.message).toContain('sparsity must be a sparsity level in [0, 1) (a fraction of zero weights');
    expect(d?.message).toContain('or a sparsity spec object');
    expect(d?.message).toContain('got "abc"');
  });

  it('a phase sparsity out of range names the phase', () => {
    const phases = [{ name: 'p', tokens: 1, sparsity: 1 }];
    expect(diagnosticsOf(() => parseWorkload({ ...minimal, phases }))).toEqual([
      {
        code: 'invalid-value',
        path: 'phases[0].sparsity',
        message:
          'sparsity must be a sparsity level in [0, 1) (a fraction of zero weights, e.g. 0.75, not 75); got 1',
      },
    ]);
  });

  it('malformed JSON gives file:line:column', () => {
    write('broken.json', '{\n  "version": 1,\n  "model": "gpt2-small",\n  "seed": }\n');
    const [d] = diagnosticsOf(() => loadWorkload('broken.json', { cwd: dir }));
    expect(d?.code).toBe('malformed-json');
    expect(d?.path).toBe('broken.json:4:11');
    expect(d?.message).toContain("Unexpected token '}'");
    expect(new InputError([d!]).message).toMatch(/^broken\.json:4:11: malformed JSON/);
  });

  it('a trailing comma is located at the closing brace', () => {
    write('trailing.json', '{\n  "version": 1,\n}');
    expect(diagnosticsOf(() => loadWorkload('trailing.json', { cwd: dir }))[0]?.path).toBe(
      'trailing.json:3:1',
    );
  });

  it('a missing file names its path', () => {
    const [d] = diagnosticsOf(() => loadWorkload('no/such/workload.json', { cwd: dir }));
    expect(d).toMatchObject({ code: 'missing-file', path: 'no/such/workload.json' });
    expect(d?.message).toBe(`no such file: ${join(dir, 'no/such/workload.json')}`);
  });

  it('an unknown key gets did-you-mean and the accepted keys', () => {
    const { sparsity, ...rest } = minimal;
    write('typo.json', { ...rest, sparsty: sparsity });
    const ds = diagnosticsOf(() => loadWorkload('typo.json', { cwd: dir }));
    const unknown = ds.find((d) => d.code === 'unknown-key');
    expect(unknown?.path).toBe('typo.json: sparsty');
    expect(unknown?.message).toContain("unknown key 'sparsty'. Did you mean 'sparsity'?");
    // …and the field it was meant to be is reported missing.
    expect(ds.find((d) => d.path === 'typo.json: sparsity')?.message).toMatch(/^sparsity is required/);
  });

  it('an unknown key in a nested object is matched against that object', () => {
    const ds = diagnosticsOf(() =>
      parseWorkload({ ...minimal, batch: { sequences: 8, microBatchSequence: 4 } }),
    );
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'unknown-key', path: 'batch.microBatchSequence' });
    expect(ds[0]?.message).toContain("Did you mean 'microBatchSequences'?");
  });

  it('a hardware override of the wrong type names hardware.<field> and what it accepts', () => {
    const ds = diagnosticsOf(() => parseWorkload({ ...minimal, hardware: { meshRows: 'many' } }));
    expect(ds).toEqual([
      {
        code: 'invalid-type',
        path: 'hardware.meshRows',
        message:
          'meshRows must be an integer ≥ 1 and ≤ 8,192 (PE rows of the programmable fabric (PEs)); got "many"',
      },
    ]);
  });

  it('an unknown model or hardware preset lists the known ones', () => {
    const ds = diagnosticsOf(() =>
      parseWorkload({ ...minimal, model: 'gpt3-xxl', hardware: { preset: 'cs9' } }),
    );
    expect(ds.map((d) => [d.code, d.path])).toEqual([
      ['unknown-preset', 'model'],
      ['unknown-preset', 'hardware.preset'],
    ]);
    expect(ds[0]?.message).toContain("Did you mean 'gpt3-xl'? Known: gpt2-small,");
    expect(ds[1]?.message).toContain('Known: cs2, cs3');
  });

  it('every layer must declare version 1', () => {
    const ds = diagnosticsOf(() => parseWorkload({ ...minimal, version: 2 }, { source: 'w.json' }));
    expect(ds).toEqual([
      {
        code: 'invalid-value',
        path: 'w.json: version',
        message: 'version must be 1 (the workload file format version); got 2',
      },
    ]);
  });

  it('a workload that is not an object is rejected', () => {
    expect(diagnosticsOf(() => parseWorkload([minimal]))[0]?.message).toContain('got an array');
  });

  it('rejects a gradual schedule that ends before it starts and a micro-batch above the batch', () => {
    const phases = [
      {
        name: 'p',
        tokens: 1,
        sparsity: { schedule: 'gradual', from: 0, to: 0.75, startFraction: 0.6, endFraction: 0.4 },
      },
    ];
    const ds = diagnosticsOf(() =>
      parseWorkload({ ...minimal, phases, batch: { sequences: 8, microBatchSequences: 9 } }),
    );
    expect(ds.map((d) => d.path).sort()).toEqual([
      'batch.microBatchSequences',
      'phases[0].sparsity.endFraction',
    ]);
  });
});

describe('cluster', () => {
  it('defaults to one system, and a cluster keeps the global batch', () => {
    expect(parseWorkload(minimal).cluster).toEqual({ systems: 1 });
    const w = parseWorkload({ ...minimal, cluster: { systems: 4 } });
    expect(w.cluster).toEqual({ systems: 4 });
    expect(w.batch.sequences).toBe(256);
  });

  it('a batch the systems do not divide names batch.sequences and the nearest batches that split', () => {
    const [d, ...rest] = diagnosticsOf(() => parseWorkload({ ...minimal, cluster: { systems: 3 } }));
    expect(rest).toHaveLength(0);
    expect(d!.path).toBe('batch.sequences');
    expect(d!.message).toMatch(
      /multiple of cluster\.systems \(3\).*got 256 \(255 or 258 would split evenly\)/,
    );
  });

  it('systems must be a whole number from 1 to 2048; the micro-batch fits one system', () => {
    for (const systems of [0, 1.5, 4096, '2']) {
      const [d] = diagnosticsOf(() => parseWorkload({ ...minimal, cluster: { systems } }));
      expect(d!.path).toBe('cluster.systems');
      expect(d!.message).toMatch(/systems must be a positive integer/);
    }
    const [d] = diagnosticsOf(() =>
      parseWorkload({
        ...minimal,
        batch: { sequences: 256, microBatchSequences: 100 },
        cluster: { systems: 4 },
      }),
    );
    expect(d!.path).toBe('batch.microBatchSequences');
    expect(d!.message).toMatch(/at most the sequences of one system .* = 64\); got 100/);
  });
});

describe('resolveStudyOrWorkload', () => {
  it('expands a study into its workloads in order', () => {
    const r = resolveStudyOrWorkload('mediswift-xl');
    expect(r.kind).toBe('study');
    expect(r.workloads.map((w) => [w.name, w.sparsity.level])).toEqual([
      ['mediswift-xl-dense', 0],
      ['mediswift-xl-s50', 0.5],
      ['mediswift-xl-s75', 0.75],
    ]);
  });

  it('passes workload presets and files through as one workload', () => {
    expect(resolveStudyOrWorkload('spdf-gpt3-xl-s50')).toMatchObject({
      kind: 'workload',
      name: 'spdf-gpt3-xl-s50',
    });
    write('study-file.json', minimal);
    const r = resolveStudyOrWorkload('study-file.json', { cwd: dir });
    expect(r).toMatchObject({ kind: 'workload', name: 'study-file' });
  });

  it('lists workloads and studies when the name is unknown', () => {
    const [d] = diagnosticsOf(() => resolveStudyOrWorkload('mediswift-xxl'));
    expect(d?.code).toBe('unknown-preset');
    expect(d?.message).toContain("Did you mean 'mediswift-xl'?");
    expect(d?.message).toContain('Workloads: mediswift-m-dense');
    expect(d?.message).toContain('Studies: mediswift-m, mediswift-l, mediswift-xl');
  });
});
