/**
 * What a command reads must be a regular file under a cap, and what it says about one that is not
 * (README, error contract; models/input-file.ts): /dev/zero, a FIFO, a folder, a link loop, a link
 * to /dev/zero and an oversize file exit 2 naming the path and what it is, for every kind of input
 * (workload, its `extends`, hardware file, sweep, mask entry, a shard's sweep.json, a result
 * folder's report.json), without reading them (these tests would hang, not fail, if one were
 * read). Masks: a fully pruned matrix simulates to a report whose every number is finite; every
 * matrix pruned, an infinity, or a mask entry that is not a file exits 2. Merge: arbitrary edits to
 * a real shard's sweep.json exit 0 or 2, nothing else. Two child processes (the headline
 * `compile /dev/zero` and `sweep /dev/zero`); the rest runs `main` in-process.
 */
import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_FILE_BYTES } from '../models/input-file.ts';
import { writeNpy } from '../models/masks/npy.ts';
import { encodeTensor, storedShape } from '../models/masks/stored-tensor.ts';
import { sparsitySpec } from '../models/sparsity.ts';
import { layerWeights } from '../models/weights.ts';
import { TINY_MESH, TINY_MODEL } from './fixtures.ts';
import { type CliResult, runCli, runMain } from './run-cli.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wafersim-inputs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI in this process (for errors found before any simulation); give it absolute paths. */
const run = runMain;

const WORKLOAD = {
  version: 1,
  name: 'tiny',
  model: TINY_MODEL,
  hardware: TINY_MESH,
  sparsity: 0.5,
  batch: { sequences: 8 },
  phases: [{ name: 'sparse', tokens: 1e6 }],
  seed: 3,
};

/** Bad input: exit 2, one line naming the path, no stack trace. */
function expectRefused(r: CliResult, line: string | RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  if (typeof line === 'string') expect(r.stderr).toBe(`wafersim: ${line}\n`);
  else expect(r.stderr).toMatch(line);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('the real bin on /dev/zero', () => {
  it.each([['compile'], ['sweep']])('wafersim %s /dev/zero exits 2 at once', (command) => {
    const r = runCli([command, '/dev/zero']);
    expectRefused(r, '/dev/zero is a character device, not a regular file; expected a .json file');
  });
});

describe('input files that are not regular files', () => {
  it('a workload that is a FIFO, a folder, a link loop, a link to /dev/zero, or too large', async () => {
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    expectRefused(
      await run(['run', fifo, '--out', join(dir, 'o1')]),
      `${fifo} is a FIFO (named pipe), not a regular file; expected a .json file`,
    );
    mkdirSync(join(dir, 'folder.json'));
    expectRefused(
      await run(['compile', join(dir, 'folder.json')]),
      `${join(dir, 'folder.json')} is a folder; expected a .json file`,
    );
    const loop = join(dir, 'loop.json');
    symlinkSync(loop, loop);
    expectRefused(await run(['compile', loop]), /is a loop of symbolic links/);
    const zero = join(dir, 'zero.json');
    symlinkSync('/dev/zero', zero);
    expectRefused(
      await run(['resolve', zero]),
      `${zero} (a symbolic link to /dev/zero) is a character device, not a regular file; expected a .json file`,
    );
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_JSON_FILE_BYTES + 1); // sparse: nothing is there to read
    expectRefused(
      await run(['compile', big]),
      `${big} is 500.0 MiB (524,288,001 bytes); a JSON file may be at most 500 MiB (524,288,000 bytes)`,
    );
  });

  it("an `extends`, a hardware file and a sweep's base that are not regular files", async () => {
    const sub = join(dir, 'chains');
    mkdirSync(sub);
    symlinkSync('/dev/zero', join(sub, 'zero.json'));
    writeFileSync(join(sub, 'child.json'), JSON.stringify({ version: 1, extends: './zero.json' }));
    expectRefused(
      await run(['compile', join(sub, 'child.json')]),
      `${join(sub, 'zero.json')} (a symbolic link to /dev/zero) is a character device, not a regular file; expected a .json file`,
    );
    mkdirSync(join(sub, 'machine.json'));
    writeFileSync(join(sub, 'on-folder.json'), JSON.stringify({ ...WORKLOAD, hardware: './machine.json' }));
    expectRefused(
      await run(['compile', join(sub, 'on-folder.json')]),
      /machine\.json is a folder; expected a \.json file\n$/,
    );
    execFileSync('mkfifo', [join(sub, 'base.json')]);
    writeFileSync(
      join(sub, 'sweep.json'),
      JSON.stringify({ version: 1, base: './base.json', vary: { seed: [1, 2] } }),
    );
    expectRefused(
      await run(['sweep', join(sub, 'sweep.json'), '--out', join(dir, 'o2')]),
      /base\.json is a FIFO \(named pipe\), not a regular file/,
    );
  });

  it("a shard's sweep.json and a result folder's report.json that are not regular files", async () => {
    const shard = join(dir, 'shard');
    mkdirSync(shard);
    symlinkSync('/dev/zero', join(shard, 'sweep.json'));
    expectRefused(
      await run(['merge', shard, '--out', join(dir, 'o3')]),
      `${join(shard, 'sweep.json')} (a symbolic link to /dev/zero) is a character device, not a regular file; expected a .json file`,
    );
    const result = join(dir, 'result');
    mkdirSync(result);
    execFileSync('mkfifo', [join(result, 'report.json')]);
    expectRefused(
      await run(['compare', result, '--out', join(dir, 'o4')]),
      `${join(result, 'report.json')} is a FIFO (named pipe), not a regular file; expected a .json file`,
    );
  });
});

describe('masks', () => {
  const weights = layerWeights(TINY_MODEL, sparsitySpec(0.5));
  /** A workload whose masks come from a folder of float32 .npy files, `values(name, count)` each. */
  function maskWorkload(name: string, values: (matrix: string, count: number) => number[]): string {
    const folder = join(dir, name);
    mkdirSync(join(folder, 'masks'), { recursive: true });
    for (const w of weights.filter((x) => x.sparse)) {
      const shape = storedShape(w.rows, w.cols, 'out-in');
      const npy = writeNpy(encodeTensor('float32', shape, values(w.name, w.rows * w.cols)));
      writeFileSync(join(folder, 'masks', `${w.name}.npy`), npy);
    }
    const workload = { ...WORKLOAD, sparsity: { level: 0.5, source: { kind: 'file', path: './masks' } } };
    writeFileSync(join(folder, 'w.json'), JSON.stringify(workload));
    return folder;
  }
  const half = (count: number) => Array.from({ length: count }, (_, i) => i % 2);

  it('a fully pruned matrix (all 0, and one all NaN) simulates; every number of the report is finite', async () => {
    const folder = maskWorkload('pruned', (matrix, count) =>
      matrix === 'layers.0.q'
        ? new Array(count).fill(0)
        : matrix === 'layers.1.ffnOut'
          ? new Array(count).fill(Number.NaN)
          : half(count),
    );
    const r = await run([
      'run',
      join(folder, 'w.json'),
      '--workers',
      '0',
      '--json',
      '--out',
      join(folder, 'out'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const text = readFileSync(join(folder, 'out', 'report.json'), 'utf8');
    expect(text).not.toMatch(/NaN|Infinity/);
    // JSON has no NaN or infinity: they would show as null. The only nulls are the FLOP
    // reductions of kinds of work that multiply nothing, as report.json documents.
    const nulls: string[] = [];
    const walk = (v: unknown, path: string): void => {
      if (v === null) nulls.push(path);
      else if (typeof v === 'number') expect(Number.isFinite(v), path).toBe(true);
      else if (typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, `${path}.${k}`);
    };
    const report = JSON.parse(text);
    walk(report.runs, 'runs');
    const phase = report.runs[0].phases[0];
    const noMacs = phase.opKinds
      .map((k: { kind: string }, i: number) => [k.kind, i] as const)
      .filter(([kind]: readonly [string, number]) => ['I/O', 'element-wise', 'optimizer'].includes(kind))
      .map(([, i]: readonly [string, number]) => `runs.0.phases.0.opKinds.${i}.flopReduction`);
    expect(nulls.sort()).toEqual(noMacs.sort());
    for (const key of ['flopReduction', 'realizedSpeedup', 'efficiency', 'stepSeconds']) {
      expect(phase[key]).toBeGreaterThan(0);
    }
    // The result folder's report.json is a link into its generation folder: compare reads it.
    const compared = await run(['compare', join(folder, 'out'), '--out', join(folder, 'compared')]);
    expect(compared.code).toBe(0);
  });

  it('every matrix fully pruned exits 2 with the reason', async () => {
    const folder = maskWorkload('all-pruned', (_, count) => new Array(count).fill(0));
    expectRefused(
      await run(['run', join(folder, 'w.json'), '--workers', '0', '--out', join(folder, 'out')]),
      /^wafersim: \.\/masks: every weight matrix of the layers is fully pruned \(no mask holds a non-zero\)/,
    );
  });

  it('an infinity exits 2 naming the tensor and its first index', async () => {
    const folder = maskWorkload('infinite', (matrix, count) => {
      const values = half(count);
      if (matrix === 'layers.1.k') values[70] = Number.POSITIVE_INFINITY;
      return values;
    });
    expectRefused(
      await run(['compile', join(folder, 'w.json')]),
      /^wafersim: layers\.1\.k: masks\/layers\.1\.k\.npy: file layers\.1\.k\.npy, the mask of sparse layers\.1\.k, holds an infinity at \[1, 6\]/,
    );
  });

  it.each<[string, (path: string) => void, RegExp]>([
    ['a folder', (p) => mkdirSync(p), /masks\/layers\.0\.v\.npy is a folder; expected a \.npy file/],
    ['a link loop', (p) => symlinkSync(p, p), /masks\/layers\.0\.v\.npy is a loop of symbolic links/],
    [
      'a link to /dev/zero',
      (p) => symlinkSync('/dev/zero', p),
      /\(a symbolic link to \/dev\/zero\) is a character device/,
    ],
    ['a FIFO', (p) => execFileSync('mkfifo', [p]), /masks\/layers\.0\.v\.npy is a FIFO \(named pipe\)/],
  ])('a mask entry that is %s exits 2 naming the tensor and the path', async (name, make, message) => {
    const folder = maskWorkload(`entry-${name.replaceAll(' ', '-').replace('/', '')}`, (_, count) =>
      half(count),
    );
    const entry = join(folder, 'masks', 'layers.0.v.npy');
    rmSync(entry);
    make(entry);
    const r = await run(['compile', join(folder, 'w.json')]);
    expectRefused(r, message);
    expect(r.stderr).toMatch(/^wafersim: layers\.0\.v: /);
  });
});

describe('merge: arbitrary edits to a real shard', () => {
  let shards: string;
  beforeAll(async () => {
    shards = join(dir, 'shards');
    mkdirSync(shards);
    const sweep = { version: 1, base: WORKLOAD, vary: { sparsity: [0, 0.5, 0.75], seed: [1, 2] } };
    writeFileSync(join(shards, 'small.json'), JSON.stringify(sweep));
    for (const shard of ['1/2', '2/2']) {
      const out = join(shards, `s${shard[0]}`);
      const r = await run([
        'sweep',
        join(shards, 'small.json'),
        '--shard',
        shard,
        '--workers',
        '0',
        '--out',
        out,
      ]);
      expect(r.code).toBe(0);
    }
  });

  /** Merges shard 1 edited by `edit` (on a plain copy of the folder) with shard 2. */
  async function mergeEdited(name: string, edit: (r: Record<string, unknown>) => void): Promise<CliResult> {
    const copy = join(shards, name);
    mkdirSync(copy);
    const json = JSON.parse(readFileSync(join(shards, 's1', 'sweep.json'), 'utf8'));
    edit(json);
    writeFileSync(join(copy, 'sweep.json'), JSON.stringify(json));
    const r = await run(['merge', copy, join(shards, 's2'), '--out', join(shards, `${name}-out`)]);
    return r;
  }

  it('pointCount 1e9 and 1e15, edited values and another name exit 2 naming the file and the field', async () => {
    for (const [name, edit, message] of [
      [
        'pc9',
        (r: Record<string, unknown>) => (r.pointCount = 1e9),
        /pc9\/sweep\.json: pointCount: 1000000000 is not a point count/,
      ],
      [
        'pc15',
        (r: Record<string, unknown>) => (r.pointCount = 1e15),
        /pc15\/sweep\.json: pointCount: 1000000000000000 is not a point count/,
      ],
      [
        'values',
        (r: Record<string, unknown>) => ((r.points as { values: unknown }[])[0]!.values = { sparsity: [1] }),
        /values\/sweep\.json: points\[0\]\.values: \{"sparsity":\[1\]\} is not point 0 of vary/,
      ],
      [
        'named',
        (r: Record<string, unknown>) => (r.name = 'other'),
        /s2\/sweep\.json: name: "small" here, "other" in .*named\/sweep\.json/,
      ],
    ] as const) {
      const r = await mergeEdited(name, edit);
      expectRefused(r, message);
    }
  });

  it('any single edit of any field exits 0 or 2, never 1', async () => {
    const original = JSON.parse(readFileSync(join(shards, 's1', 'sweep.json'), 'utf8'));
    const paths: (string | number)[][] = [];
    const collect = (v: unknown, path: (string | number)[]) => {
      if (path.length > 0) paths.push(path);
      if (typeof v === 'object' && v !== null)
        for (const [k, c] of Object.entries(v)) collect(c, [...path, Array.isArray(v) ? Number(k) : k]);
    };
    collect(original, []);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.double({ noNaN: true, noDefaultInfinity: true })),
        async (path, value) => {
          const r = await mergeEdited(`edit-${n++}`, (json) => {
            let at = json as Record<string | number, unknown>;
            for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
            at[path.at(-1)!] = value;
          });
          expect([0, 2], r.stderr).toContain(r.code);
        },
      ),
      { numRuns: 20 },
    );
  });
});
