/**
 * `wafersim sweep` and `wafersim merge` through the real bin, on a 6-point sweep of a 2-layer
 * model on a 16 × 16 mesh (sparsity 0, 0.5, 0.75 × 4 or 8 FMACs per cycle). Oracles: the files
 * and fields of DESIGN §7 and §9; closed form at sparsity 0 (realized speedup and FLOP reduction
 * exactly 1); shards 1/2 and 2/2 merged are byte-identical to the unsharded run apart from `meta`
 * (and the shards ran on different worker counts); bad `--shard` exits 2 and writes nothing, as
 * does an unusable `--out` of sweep, merge and compare; a sweep's name never leads its default
 * folder out of out/. Child processes for the sweeps; the other error cases run `main` in-process.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SweepReportSchema } from '../reports/sweep/sweep-report.ts';
import { TINY_MESH, TINY_MODEL } from './fixtures.ts';
import { BIN, type CliResult, runCli, runMain } from './run-cli.ts';

const SMALL_SWEEP = {
  version: 1,
  base: {
    model: TINY_MODEL,
    batch: { sequences: 8 },
    hardware: TINY_MESH,
    phases: [{ name: 'sparse', tokens: 1e6 }],
    seed: 3,
  },
  vary: { sparsity: [0, 0.5, 0.75], 'hardware.fmacsPerCycle': [4, 8] },
};

const SWEEP_FILES = ['sweep.csv', 'sweep.html', 'sweep.json', 'sweep.md'];

let dir: string;
let whole: CliResult;
let shard1: CliResult;
let shard2: CliResult;
let merge: CliResult;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wafersim-sweep-'));
  writeFileSync(join(dir, 'small.json'), JSON.stringify(SMALL_SWEEP));
  whole = runCli(['sweep', 'small.json', '--workers', '0'], { cwd: dir });
  shard1 = runCli(['sweep', 'small.json', '--shard', '1/2', '--workers', '0'], { cwd: dir });
  shard2 = runCli(['sweep', 'small.json', '--shard', '2/2', '--workers', '2', '--json'], { cwd: dir });
  merge = runCli(['merge', 'out/small/shard-1-of-2', 'out/small/shard-2-of-2', '--out', 'merged'], {
    cwd: dir,
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (path: string) => readFileSync(join(dir, path), 'utf8');

/** sweep.json up to its `meta`, the last key: everything that must not depend on how the sweep ran. */
function beforeMeta(text: string): string {
  const at = text.indexOf('\n  "meta": {');
  expect(at).toBeGreaterThan(0);
  return text.slice(0, at);
}

interface PointJson {
  index: number;
  values: Record<string, number>;
  flopReduction: number;
  realizedSpeedup: number;
  efficiency: number;
  run: { name: string; phases: { name: string; realizedSpeedup: number }[] };
}

describe('sweep: unsharded', () => {
  it('writes sweep.md, sweep.json and sweep.csv to out/<name> and prints a table of the points', () => {
    expect(whole.stderr).toBe('');
    expect(whole.code).toBe(0);
    // The shards' folders sit next to the files, in out/small/shard-<i>-of-<n>.
    const files = readdirSync(join(dir, 'out', 'small')).filter((name) => !name.startsWith('shard-'));
    expect(files.sort()).toEqual(['.wafersim', ...SWEEP_FILES]);
    expect(whole.stdout).toMatch(
      /^# +sparsity +hardware\.fmacsPerCycle +FLOP reduction +realized speedup +efficiency +step time +time to train\n/,
    );
    expect(whole.stdout).toMatch(/\n0 +0 +4 +1\.00× +1\.00× +100\.0% /);
    expect(whole.stdout).toContain(
      '6 points. Wrote out/small/sweep.md, out/small/sweep.json, out/small/sweep.csv',
    );
    expect(read('out/small/sweep.csv').split('\r\n')).toHaveLength(8);
  });

  it('sweep.json: the points in cartesian order, each with its values, results and full run', () => {
    const report = SweepReportSchema.parse(JSON.parse(read('out/small/sweep.json')));
    expect(report).toMatchObject({ version: 1, name: 'small', pointCount: 6, vary: SMALL_SWEEP.vary });
    const points = report.points as unknown as PointJson[];
    expect(points.map((p) => [p.index, p.values.sparsity, p.values['hardware.fmacsPerCycle']])).toEqual([
      [0, 0, 4],
      [1, 0, 8],
      [2, 0.5, 4],
      [3, 0.5, 8],
      [4, 0.75, 4],
      [5, 0.75, 8],
    ]);
    for (const p of points) {
      expect(p.run.phases[0]!.realizedSpeedup).toBe(p.realizedSpeedup);
      if (p.values.sparsity === 0) {
        expect(p).toMatchObject({ flopReduction: 1, realizedSpeedup: 1, efficiency: 1 });
      } else {
        expect(p.realizedSpeedup).toBeGreaterThan(1);
        expect(p.flopReduction).toBeGreaterThan(p.realizedSpeedup);
      }
    }
    expect(points[5]!.run.name).toBe('small #5 (sparsity=0.75, hardware.fmacsPerCycle=8)');
    expect(report.meta.shard).toBeUndefined();
  });
});

describe('sweep: shards merged', () => {
  it('each shard writes its own points, with its shard under meta; --json prints sweep.json', () => {
    expect([shard1.code, shard2.code]).toEqual([0, 0]);
    expect(shard1.stderr + shard2.stderr).toBe('');
    expect(shard1.stdout).toContain('shard 1/2: 3 of 6 points. Wrote out/small/shard-1-of-2/sweep.md');
    expect(shard2.stdout).toBe(read('out/small/shard-2-of-2/sweep.json'));
    const second = JSON.parse(shard2.stdout);
    expect(second.points.map((p: PointJson) => p.index)).toEqual([1, 3, 5]);
    expect(second.meta).toMatchObject({ workers: 2, shard: { index: 2, count: 2, points: [1, 3, 5] } });
  });

  it('merge writes exactly what the unsharded run wrote, apart from meta', () => {
    expect(merge.stderr).toBe('');
    expect(merge.code).toBe(0);
    expect(merge.stdout).toContain('Merged 2 folder(s), 6 points. Wrote merged/sweep.md');
    expect(readdirSync(join(dir, 'merged')).sort()).toEqual(['.wafersim', ...SWEEP_FILES]);
    expect(read('merged/sweep.md')).toBe(read('out/small/sweep.md'));
    expect(read('merged/sweep.html')).toBe(read('out/small/sweep.html'));
    expect(read('merged/sweep.csv')).toBe(read('out/small/sweep.csv'));
    expect(beforeMeta(read('merged/sweep.json'))).toBe(beforeMeta(read('out/small/sweep.json')));
    const meta = JSON.parse(read('merged/sweep.json')).meta;
    expect(meta.mergedFrom.map((m: { shard: { index: number } }) => m.shard.index)).toEqual([1, 2]);
  });
});

/** The CLI in this process (for errors found before any simulation); give it absolute paths. */
const runInProcess = runMain;

describe('bad input exits 2 with a message, and writes nothing', () => {
  it.each([
    ['0/2', /--shard: '0\/2': shard 0 of 2 does not exist; expected i\/n with 1 ≤ i ≤ n/],
    ['3/2', /--shard: '3\/2': shard 3 of 2 does not exist/],
    ['x', /--shard: 'x' is not a shard: expected i\/n/],
  ])('--shard %s', (shard, message) => {
    const out = `bad-${shard.replace('/', '-')}`;
    const r = runCli(['sweep', 'small.json', '--shard', shard, '--out', out], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, out))).toBe(false);
  });

  it('merge with a shard missing names the points and the shard to run', async () => {
    const r = await runInProcess(['merge', join(dir, 'out/small/shard-1-of-2'), '--out', join(dir, 'half')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'wafersim: merge: points 1, 3, 5 are in none of the folders; run --shard 2/2 and merge its folder too\n',
    );
    expect(existsSync(join(dir, 'half'))).toBe(false);
  });

  it('an invalid point names the point and the field', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...SMALL_SWEEP, vary: { sparsity: [0.5, 75] } }));
    const r = await runInProcess(['sweep', join(dir, 'bad.json'), '--out', join(dir, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `wafersim: ${join(dir, 'bad.json')}: point 1 (sparsity=75): sparsity.level: sparsity level must be in [0, 1) (a fraction of zero weights, e.g. 0.75, not 75)\n`,
    );
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  });
});

describe('schema sweep', () => {
  it('prints the JSON Schema of the sweep file format', async () => {
    const r = await runInProcess(['schema', 'sweep']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      title: 'wafersim sweep (version 1)',
      required: ['version', 'base', 'vary'],
    });
  });
});

describe('sweep --resume: points are kept as they finish', () => {
  it('resumes from the kept points, ignoring damaged ones and other sweeps', () => {
    const report = JSON.parse(read('out/small/sweep.json')) as {
      sweepId: string;
      points: { index: number }[];
      meta: { points: { index: number }[] };
    };
    // The points an interrupted run would have kept: 0 and 2 as written, 1 damaged, 3 of another sweep.
    const kept = join(dir, 'resumed', '.points', report.sweepId);
    const other = join(dir, 'resumed', '.points', '0000000000000000');
    for (const d of [kept, other]) mkdirSync(d, { recursive: true });
    const entry = (i: number) => ({
      sweepId: report.sweepId,
      point: report.points[i],
      timing: report.meta.points[i],
    });
    writeFileSync(join(kept, 'point-0.json'), JSON.stringify(entry(0)));
    writeFileSync(join(kept, 'point-2.json'), JSON.stringify(entry(2)));
    writeFileSync(join(kept, 'point-1.json'), '{"sweepId": "trunc');
    // Kept files that are not files at all are ignored too, not read forever.
    execFileSync('mkfifo', [join(kept, 'point-4.json')]);
    symlinkSync('/dev/zero', join(kept, 'point-5.json'));
    writeFileSync(join(other, 'point-3.json'), JSON.stringify({ ...entry(3), sweepId: '0000000000000000' }));
    const r = runCli(['sweep', 'small.json', '--workers', '0', '--out', 'resumed', '--resume'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('wafersim: resuming: 2 of 6 points already finished\n');
    expect(beforeMeta(read('resumed/sweep.json'))).toBe(beforeMeta(read('out/small/sweep.json')));
    expect(read('resumed/sweep.md')).toBe(read('out/small/sweep.md'));
    // This sweep's checkpoints are gone once its files are written; another sweep's stay.
    expect(existsSync(kept)).toBe(false);
    expect(existsSync(join(other, 'point-3.json'))).toBe(true);
  });

  it('an interrupted sweep keeps its finished points and says how to resume; --resume completes it', async () => {
    const sweep = {
      version: 1,
      base: { ...SMALL_SWEEP.base, model: { ...TINY_MODEL, layers: 24, dModel: 256, dFF: 1024 } },
      vary: { sparsity: [0.5, 0.6, 0.7, 0.8, 0.9] },
    };
    writeFileSync(join(dir, 'slow.json'), JSON.stringify(sweep));
    const child = spawn(process.execPath, [BIN, 'sweep', 'slow.json', '--workers', '0', '--out', 'slow'], {
      cwd: dir,
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Interrupt once a point has been kept.
    const points = () => {
      const root = join(dir, 'slow', '.points');
      return existsSync(root) ? readdirSync(root).flatMap((id) => readdirSync(join(root, id))) : [];
    };
    // However long that takes on a busy machine (the test's timeout bounds it), but not past the end.
    let ended = false;
    void exited.then(() => {
      ended = true;
    });
    while (points().length === 0) {
      if (ended) throw new Error(`the sweep ended before it kept a point: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(
      /interrupted; the sweep was cancelled and \d finished point\(s\) are kept in .*--resume/,
    );
    expect(existsSync(join(dir, 'slow', 'sweep.json'))).toBe(false);
    const resumed = runCli(['sweep', 'slow.json', '--workers', '0', '--out', 'slow', '--resume'], {
      cwd: dir,
    });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/^wafersim: resuming: [1-5] of 5 points already finished\n$/);
    const fresh = runCli(['sweep', 'slow.json', '--workers', '2', '--out', 'fresh'], { cwd: dir });
    expect(fresh.code).toBe(0);
    expect(beforeMeta(read('slow/sweep.json'))).toBe(beforeMeta(read('fresh/sweep.json')));
  }, 120_000);
});

describe('--out of sweep, merge and compare', () => {
  beforeAll(() => symlinkSync('nowhere', join(dir, 'dangling')));
  it.each<[string, (d: string) => string[], RegExp]>([
    [
      'sweep into a file',
      (d) => ['sweep', join(d, 'small.json'), '--out', join(d, 'small.json')],
      /is a file, not a folder/,
    ],
    [
      'sweep --resume into a dangling link',
      (d) => ['sweep', join(d, 'small.json'), '--resume', '--out', join(d, 'dangling')],
      /dangling is a symbolic link to 'nowhere', which does not exist/,
    ],
    [
      'merge into an empty path',
      (d) => ['merge', join(d, 'out/small/shard-1-of-2'), join(d, 'out/small/shard-2-of-2'), '--out', ''],
      /an empty path/,
    ],
    [
      'compare into the root',
      (d) => ['compare', join(d, 'out/small'), '--out', '/'],
      /'\/' is the root of the file system/,
    ],
  ])('%s exits 2 naming --out; nothing written', async (_label, args, message) => {
    const before = readdirSync(dir).sort();
    const r = await runInProcess(args(dir));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wafersim: --out: /);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('a sweep named with .. and / goes to one safe folder under out/', () => {
    writeFileSync(
      join(dir, 'escape.json'),
      JSON.stringify({ ...SMALL_SWEEP, name: '../../up/and away', vary: { sparsity: [0.5] } }),
    );
    const r = runCli(['sweep', 'escape.json', '--workers', '0'], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('Wrote out/up-and-away/sweep.md');
    expect(readdirSync(join(dir, 'out', 'up-and-away')).sort()).toEqual(['.wafersim', ...SWEEP_FILES]);
  });

  it('points that cannot be kept (.points is a file) are said once; the sweep completes', () => {
    mkdirSync(join(dir, 'unkept'));
    writeFileSync(join(dir, 'unkept', '.points'), 'not a folder');
    writeFileSync(join(dir, 'two.json'), JSON.stringify({ ...SMALL_SWEEP, vary: { sparsity: [0.5, 0.75] } }));
    const r = runCli(['sweep', 'two.json', '--workers', '0', '--out', 'unkept'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^wafersim: point 0 is not kept: --out: cannot write the files into unkept: a part of the path is a file, not a folder \(ENOTDIR at unkept\/\.points\/[0-9a-f]+\)\n$/,
    );
    expect(JSON.parse(read('unkept/sweep.json')).points).toHaveLength(2);
  });

  it.skipIf(process.getuid?.() === 0)(
    'a mount point (its parent read-only): the sweep, its kept points and --resume stay inside it',
    () => {
      mkdirSync(join(dir, 'mount', 'volume'), { recursive: true });
      chmodSync(join(dir, 'mount'), 0o555);
      try {
        const args = ['sweep', 'small.json', '--workers', '0', '--out', 'mount/volume'];
        const r = runCli(args, { cwd: dir });
        expect([r.code, r.stderr]).toEqual([0, '']);
        const resumed = runCli([...args, '--resume'], { cwd: dir });
        expect([resumed.code, resumed.stderr]).toEqual([
          0,
          'wafersim: resuming: 6 of 6 points already finished\n',
        ]);
        expect(readdirSync(join(dir, 'mount'))).toEqual(['volume']);
        expect(read('mount/volume/sweep.md')).toBe(read('out/small/sweep.md'));
      } finally {
        chmodSync(join(dir, 'mount'), 0o755);
      }
    },
  );
});
