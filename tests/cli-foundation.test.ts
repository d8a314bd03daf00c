import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

describe('wafersim flops (the real bin)', () => {
  it('--json prints the DESIGN §9 fields and nothing else', () => {
    const r = runCli(['flops', '--model', 'gpt3-xl', '--sparsity', '0.75', '--tokens', '26B', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining([
        'model',
        'sparsity',
        'seqLen',
        'perToken',
        'perSequence',
        'breakdown',
        'dense',
        'reduction',
        'total',
      ]),
    );
    expect(j).toMatchObject({ model: 'gpt3-xl', sparsity: 0.75, seqLen: 2048 });
    expect(j.perSequence.training).toBe(3 * 1_212_485_632 * 2048);
    expect(j.dense.perSequence.training).toBe(3 * 3_024_424_960 * 2048);
    expect(j.breakdown.sparseLinear + j.breakdown.attention + j.breakdown.lmHead).toBe(
      j.perSequence.training,
    );
    expect(j.total.tokens).toBe(26e9);
    expect(j.reduction).toBeCloseTo(2.494, 3);
  });

  it('--seq-len changes the attention term and the per-sequence count', () => {
    const r = runCli(['flops', '--model', 'gpt2-small', '--seq-len', '1024', '--json']);
    const j = JSON.parse(r.stdout);
    expect(j.seqLen).toBe(1024);
    // attention per token forward: 4·L·n·d = 4·12·1024·768
    expect(j.breakdown.attention).toBe(3 * 4 * 12 * 1024 * 768 * 1024);
  });

  it('reads a model from a JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wafersim-'));
    const file = join(dir, 'tiny.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'tiny',
        layers: 2,
        dModel: 64,
        heads: 4,
        dFF: 256,
        vocab: 1000,
        seqLen: 128,
        activation: 'gelu',
        tiedEmbeddings: true,
      }),
    );
    const r = runCli(['flops', '--model', file, '--json']);
    expect(r.code).toBe(0);
    // per token forward: 2·12·2·64² + 4·2·128·64 + 2·64·1000 = 196,608 + 65,536 + 128,000
    expect(JSON.parse(r.stdout).perToken.forward).toBe(390_144);
  });

  it('prints a human table without --json', () => {
    const r = runCli(['flops', '--model', 'mediswift-xl', '--sparsity', '0.5']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FLOP reduction: 1\.\d\d×/);
  });
});

describe('bad input: exit 2, a message naming the field, no stack trace', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'sparsity as percent',
      ['flops', '--model', 'gpt3-xl', '--sparsity', '75'],
      /--sparsity.*\[0, 1\).*did you mean 0\.75/,
    ],
    ['negative sparsity', ['flops', '--model', 'gpt3-xl', '--sparsity', '-0.1'], /--sparsity.*\[0, 1\)/],
    [
      'sparsity not a number',
      ['flops', '--model', 'gpt3-xl', '--sparsity', 'abc'],
      /--sparsity: 'abc' is not a number/,
    ],
    [
      'unknown model preset',
      ['flops', '--model', 'gpt3-xll'],
      /unknown model preset 'gpt3-xll'\. Did you mean 'gpt3-xl'\?.*Known: gpt2-small/,
    ],
    ['missing model file', ['flops', '--model', 'nope/model.json'], /nope\/model\.json: no such file/],
    [
      'bad token count',
      ['flops', '--model', 'gpt3-xl', '--tokens', '-5'],
      /--tokens: '-5' must be a positive number/,
    ],
    ['unknown command', ['flop'], /unknown command 'flop'[\s\S]*Did you mean flops/],
    ['unknown schema', ['schema', 'workloda'], /unknown schema 'workloda'\. Did you mean 'workload'/],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toBe('');
  });

  it('a malformed model file names file:line:column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wafersim-'));
    writeFileSync(join(dir, 'bad.json'), '{\n  "name": "x",\n  "layers": 2,,\n}\n');
    const r = runCli(['flops', '--model', 'bad.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json:3:15: malformed JSON/);
    expect(readdirSync(dir)).toEqual(['bad.json']); // nothing written
  });

  it('an invalid inline model names the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wafersim-'));
    writeFileSync(
      join(dir, 'm.json'),
      JSON.stringify({
        name: 'x',
        layers: 2,
        dModel: 65,
        heads: 4,
        dFF: 256,
        vocab: 10,
        seqLen: 8,
        activation: 'relu',
        tiedEmbeddings: true,
        extra: 1,
      }),
    );
    const r = runCli(['flops', '--model', 'm.json'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/activation: activation must be 'gelu' or 'swiglu'/);
    expect(r.stderr).toMatch(/unknown key 'extra'/);
  });

  it('--debug adds the stack trace', () => {
    const r = runCli(['flops', '--model', 'gpt3-xll', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('presets and schema', () => {
  it('presets --json lists models, workloads, studies and hardware', () => {
    const r = runCli(['presets', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.models.map((m: { name: string }) => m.name)).toContain('mediswift-xl');
    expect(j.workloads.map((w: { name: string }) => w.name)).toEqual(
      expect.arrayContaining([
        'mediswift-xl-s75',
        'spdf-gpt3-xl-s50',
        'llama2-7b-s70',
        'mediswift-xl-s75-cs3',
      ]),
    );
    expect(j.studies.find((s: { name: string }) => s.name === 'mediswift-xl').workloads).toEqual([
      'mediswift-xl-dense',
      'mediswift-xl-s50',
      'mediswift-xl-s75',
    ]);
    expect(j.hardware.map((h: { name: string }) => h.name)).toEqual(expect.arrayContaining(['cs2', 'cs3']));
  });

  it('schema workload prints a JSON Schema an editor can use', () => {
    const r = runCli(['schema', 'workload']);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['version', 'model', 'sparsity', 'phases', 'hardware', 'seed']),
    );
  });
});

describe('wafersim --version and resolve', () => {
  it('--version prints the package version and the git commit of this checkout', () => {
    const r = runCli(['--version']);
    expect(r.code).toBe(0);
    const version = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
    expect(r.stdout).toMatch(
      new RegExp(
        `^wafersim ${version.replace(/\./g, '\\.')} \\(commit ([0-9a-f]{12}(-dirty)?|unknown)\\)\\n$`,
      ),
    );
  });

  it('resolve prints a study as its workload files and a sweep as its points, --set applied', () => {
    const study = runCli(['resolve', 'mediswift-xl', '--set', 'hardware=cs3']);
    expect([study.code, study.stderr]).toEqual([0, '']);
    const files = JSON.parse(study.stdout) as {
      name: string;
      hardware: { name: string; meshCols: number };
    }[];
    expect(files.map((f) => f.name)).toEqual(['mediswift-xl-dense', 'mediswift-xl-s50', 'mediswift-xl-s75']);
    expect(files.every((f) => f.hardware.name === 'cs3' && f.hardware.meshCols === 1176)).toBe(true);
    const sweep = runCli(['resolve', 'simd-width']);
    expect(sweep.code).toBe(0);
    const s = JSON.parse(sweep.stdout) as { sweep: string; points: { values: Record<string, unknown> }[] };
    expect(s.sweep).toBe('simd-width');
    expect(s.points.length).toBeGreaterThan(1);
    const bad = runCli(['resolve', 'mediswift-xl-s75', '--set', 'sparsity=75']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sparsity/);
  });
});

describe('every citation printed resolves to a file in the repository', () => {
  it('presets and every --help cite docs/… sections, never a bare "cs2-facts §" or anything outside', () => {
    const commands = [
      'run',
      'sweep',
      'merge',
      'flops',
      'compile',
      'resolve',
      'gemm',
      'validate',
      'presets',
      'schema',
    ];
    const outputs = [runCli(['presets']), runCli(['--help']), ...commands.map((c) => runCli([c, '--help']))];
    const text = outputs.map((r) => r.stdout).join('\n');
    expect(text).toContain('docs/cs2-facts.md §');
    expect(text).not.toMatch(/(?<!docs\/)cs2-facts §|DESIGN §|\.\.\/shared/);
    const facts = readFileSync(new URL('../docs/cs2-facts.md', import.meta.url), 'utf8');
    for (const [, section] of text.matchAll(/docs\/cs2-facts\.md §(\d+[a-z]?)/g)) {
      expect(facts, `§${section}`).toMatch(new RegExp(`^#{2,3} ${section}\\. `, 'm'));
    }
  });
});
