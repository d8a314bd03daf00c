/**
 * `wafersim run` through the real bin, on a 2-layer model on a 16 × 16 mesh. Oracles: the files
 * and DESIGN §9 fields, closed-form values of a dense phase (speedup and FLOP reduction exactly 1),
 * a golden report.json (without `meta`), serial ≡ parallel (`--workers 0` and `--workers 2` give
 * byte-identical reports apart from `meta`), and the bad-input and Ctrl-C contracts: exit 2 or
 * 130, and nothing written; every kind of unusable --out exits 2 naming it, and a default folder
 * is always one safe folder under out/.
 */
import { spawn } from 'node:child_process';
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
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSchema } from '../reports/report-json.ts';
import { TINY_MESH, TINY_MODEL, TINY_WORKLOAD } from './fixtures.ts';
import { type CliResult, runCli } from './run-cli.ts';

const RUN_SIGNAL = fileURLToPath(new URL('./run-signal.ts', import.meta.url));

const SMALL_WORKLOAD = TINY_WORKLOAD;

const REPORT_FILES = ['ops.csv', 'report.csv', 'report.html', 'report.json', 'report.md'];

let dir: string;
let serial: CliResult;
let parallel: CliResult;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wafersim-run-'));
  writeFileSync(join(dir, 'small.json'), JSON.stringify(SMALL_WORKLOAD));
  writeFileSync(
    join(dir, 'cluster.json'),
    JSON.stringify({ ...SMALL_WORKLOAD, name: 'cluster', batch: { sequences: 16 }, cluster: { systems: 2 } }),
  );
  writeFileSync(join(dir, 'uneven.json'), JSON.stringify({ ...SMALL_WORKLOAD, cluster: { systems: 3 } }));
  serial = runCli(['run', 'small.json', '--workers', '0'], { cwd: dir });
  parallel = runCli(['run', 'small.json', '--workers', '2', '--out', 'parallel', '--json'], { cwd: dir });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function readReport(outDir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, outDir, 'report.json'), 'utf8'));
}

function withoutMeta(report: Record<string, unknown>): Record<string, unknown> {
  const { meta: _meta, ...rest } = report;
  return rest;
}

const BIOME_LINE_WIDTH = 110;

/**
 * JSON as Biome formats it, so the committed golden passes `biome check`: an array of numbers on
 * one line if it fits, else filled (as many items per line as fit, one indent deeper).
 */
function biomeStableJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    /^( *)(.*)\[\n\s*([^[\]{}]*?)\n\s*\](,?)$/gm,
    (_, indent: string, head: string, body: string, comma: string) => {
      const items = body.split(/,\n\s*/);
      const oneLine = `${indent}${head}[${items.join(', ')}]${comma}`;
      if (oneLine.length <= BIOME_LINE_WIDTH) return oneLine;
      const inner = `${indent}  `;
      const lines: string[] = [];
      let line = '';
      items.forEach((item, i) => {
        const piece = i < items.length - 1 ? `${item},` : item;
        const candidate = line === '' ? piece : `${line} ${piece}`;
        if (line !== '' && inner.length + candidate.length > BIOME_LINE_WIDTH) {
          lines.push(line);
          line = piece;
        } else {
          line = candidate;
        }
      });
      lines.push(line);
      return [`${indent}${head}[`, ...lines.map((l) => `${inner}${l}`), `${indent}]${comma}`].join('\n');
    },
  );
  return `${text}\n`;
}

interface PhaseJson {
  name: string;
  sparsity: number;
  flopReduction: number;
  realizedSpeedup: number;
  efficiency: number;
  stalls: Record<string, number>;
  utilization: { mac: number; peBusy: number };
}

describe('run: a workload file', () => {
  it('writes report.md, report.json, report.csv, ops.csv and report.html to out/<name> and prints a summary', () => {
    expect(serial.stderr).toBe('');
    expect(serial.code).toBe(0);
    expect(readdirSync(join(dir, 'out', 'small')).sort()).toEqual(['.wafersim', ...REPORT_FILES]);
    expect(serial.stdout).toMatch(
      /^run +phase +sparsity +FLOP reduction +realized speedup +efficiency +step time +time to train\n/,
    );
    expect(serial.stdout).toMatch(
      /\nsmall +sparse +75\.0% +\d\.\d\d× +\d\.\d\d× +\d+\.\d% +[\d.]+ [µm]s +[\d.]+ m?s\n/,
    );
    expect(serial.stdout).toMatch(/\nsmall +dense +0\.0% +1\.00× +1\.00× +100\.0% /);
    expect(serial.stdout).toContain(
      'Wrote out/small/report.md, out/small/report.json, out/small/report.csv, out/small/ops.csv, out/small/report.html',
    );
    const csv = readFileSync(join(dir, 'out', 'small', 'report.csv'), 'utf8');
    expect(csv.split('\r\n')).toHaveLength(4);
    expect(readFileSync(join(dir, 'out', 'small', 'report.md'), 'utf8')).toContain('## Definitions');
  });

  it('report.json has the DESIGN §9 fields; the dense phase has speedup and FLOP reduction exactly 1', () => {
    const report = readReport('out/small');
    expect(() => ReportSchema.parse(report)).not.toThrow();
    expect(report.version).toBe(1);
    const runs = report.runs as { name: string; sparsity: number; phases: PhaseJson[]; totals: unknown }[];
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ name: 'small', sparsity: 0.75 });
    expect(run.totals).toBeDefined();
    for (const phase of run.phases) {
      for (const key of [
        'name',
        'sparsity',
        'tokens',
        'stepCycles',
        'stepSeconds',
        'denseStepSeconds',
        'flopReduction',
        'realizedSpeedup',
        'efficiency',
        'stalls',
      ]) {
        expect(phase, key).toHaveProperty(key);
      }
      const stallSum = Object.values(phase.stalls).reduce((a, b) => a + b, 0);
      expect(stallSum).toBeCloseTo(1, 12);
      expect(phase.utilization.mac).toBeLessThanOrEqual(1);
      expect(phase.utilization.peBusy).toBeLessThanOrEqual(1);
    }
    const [sparse, dense] = run.phases;
    expect(sparse).toMatchObject({ name: 'sparse', sparsity: 0.75 });
    expect(sparse!.flopReduction).toBeGreaterThan(sparse!.realizedSpeedup);
    expect(sparse!.realizedSpeedup).toBeGreaterThan(1);
    expect(dense).toMatchObject({
      name: 'dense',
      sparsity: 0,
      realizedSpeedup: 1,
      flopReduction: 1,
      efficiency: 1,
    });
    // Everything that varies between runs sits under meta.
    expect(Object.keys(report.meta as object)).toEqual(
      expect.arrayContaining(['generatedAt', 'workers', 'wallSeconds']),
    );
    expect(JSON.stringify(withoutMeta(report))).not.toMatch(/drawMs|simulateMs|generatedAt|wallSeconds/);
  });

  it('matches the golden report.json (without meta)', async () => {
    await expect(biomeStableJson(withoutMeta(readReport('out/small')))).toMatchFileSnapshot(
      './__snapshots__/run-small.json',
    );
  });

  it('ops.csv: every op of each phase, summing to the step (cycles, MACs, bytes), with its dense cycles', () => {
    const [header, ...rows] = readFileSync(join(dir, 'out', 'small', 'ops.csv'), 'utf8')
      .trim()
      .split('\r\n');
    const columns = header!.split(',');
    const at = (name: string) => columns.indexOf(name);
    const report = readReport('out/small') as {
      runs: {
        phases: { name: string; stepCycles: number; counters: { macsIssued: number; bytesIn: number } }[];
      }[];
    };
    for (const phase of report.runs[0]!.phases) {
      const mine = rows.map((r) => r.split(',')).filter((cells) => cells[at('phase')] === phase.name);
      expect(mine.length).toBeGreaterThan(50); // 2 layers × every op of every pass, the head, the optimizer
      const sum = (name: string) => mine.reduce((acc, cells) => acc + Number(cells[at(name)]), 0);
      expect(sum('cycles') / phase.stepCycles).toBeCloseTo(1, 9);
      expect(sum('macsIssued') / phase.counters.macsIssued).toBeCloseTo(1, 9);
      expect(sum('bytesIn') / phase.counters.bytesIn).toBeCloseTo(1, 9);
      expect(
        mine.some((cells) => cells[at('id')] === 'L0.fwd.q' && Number(cells[at('denseCycles')]) > 0),
      ).toBe(true);
    }
    // Left out of report.json, where it would be most of the file.
    expect(readFileSync(join(dir, 'out', 'small', 'report.json'), 'utf8')).not.toContain('"ops"');
  });

  it('embeds the resolved workload; resolve prints the same, and running it reproduces the report', () => {
    const report = readReport('out/small');
    const resolved = runCli(['resolve', 'small.json'], { cwd: dir });
    expect([resolved.code, resolved.stderr]).toEqual([0, '']);
    const file = JSON.parse(resolved.stdout);
    expect((report.runs as { resolved: unknown }[])[0]!.resolved).toEqual(file);
    expect(file.hardware.meshRows).toBe(TINY_MESH.meshRows); // every field inline
    writeFileSync(join(dir, 'resolved.json'), resolved.stdout);
    const again = runCli(['run', 'resolved.json', '--workers', '0', '--out', 'again'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(JSON.stringify(withoutMeta(readReport('again')))).toBe(JSON.stringify(withoutMeta(report)));
  });

  it('--set changes one field for this run and names the hardware after it', () => {
    const r = runCli(
      [
        'run',
        'small.json',
        '--workers',
        '0',
        '--out',
        'wide',
        '--json',
        '--set',
        'hardware.fmacsPerCycleFp32Accumulate=4',
      ],
      { cwd: dir },
    );
    expect([r.code, r.stderr]).toEqual([0, '']);
    const run = (
      JSON.parse(r.stdout).runs as { hardware: { name: string }; phases: { stepSeconds: number }[] }[]
    )[0]!;
    expect(run.hardware.name).toContain('fmacsPerCycleFp32Accumulate=4');
    const before = (readReport('out/small').runs as { phases: { stepSeconds: number }[] }[])[0]!;
    expect(run.phases[0]!.stepSeconds).toBeLessThan(before.phases[0]!.stepSeconds);
    const typo = runCli(['run', 'small.json', '--set', 'hardware.fmacsPerCycel=4'], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("Did you mean 'hardware.fmacsPerCycle'?");
  });

  it('compare puts two result folders side by side and names the field that differs', () => {
    const r = runCli(['compare', 'out/small', 'wide', '--out', 'cmp'], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(
      /What differs:\n {2}hardware\.fmacsPerCycleFp32Accumulate: #0 2, #1 2, #2 4, #3 4\n/,
    );
    expect(readdirSync(join(dir, 'cmp')).sort()).toEqual([
      '.wafersim',
      'compare.csv',
      'compare.html',
      'compare.json',
      'compare.md',
    ]);
    const c = JSON.parse(readFileSync(join(dir, 'cmp', 'compare.json'), 'utf8'));
    expect(c.rows[2].speedupOverFirst).toBeGreaterThan(1); // the wider datapath trains faster
    const bad = runCli(['compare', 'out/small', 'nowhere'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/nowhere: no such folder/);
  });

  it('--workers 2 --json: stdout is report.json, byte-identical to --workers 0 apart from meta', () => {
    expect(parallel.stderr).toBe('');
    expect(parallel.code).toBe(0);
    expect(parallel.stdout).toBe(readFileSync(join(dir, 'parallel', 'report.json'), 'utf8'));
    const a = readReport('out/small');
    const b = readReport('parallel');
    expect((a.meta as { workers: number }).workers).toBe(0);
    expect((b.meta as { workers: number }).workers).toBe(2);
    expect(JSON.stringify(withoutMeta(b))).toBe(JSON.stringify(withoutMeta(a)));
  });
});

describe('run: a cluster of systems', () => {
  it('two systems train 16 sequences as two steps of 8: scaling against one system in every format', () => {
    const r = runCli(['run', 'cluster.json', '--workers', '0'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = ReportSchema.parse(readReport('out/cluster'));
    const run = report.runs[0]!;
    expect(run.cluster).toEqual({ systems: 2 });
    const [sparse] = run.phases;
    expect(sparse!.cluster.systems).toBe(2);
    expect(sparse!.cluster.sequencesPerSystem).toBe(8);
    expect(sparse!.tokensPerStep).toBe(16 * TINY_MODEL.seqLen);
    // Each system runs the small workload's step (8 sequences), plus the SwarmX tree at the boundary.
    const small = ReportSchema.parse(readReport('out/small')).runs[0]!.phases[0]!;
    const tree = sparse!.stepBoundary.clusterSeconds;
    expect(tree).toBeGreaterThan(0);
    expect(sparse!.stepSeconds).toBeCloseTo(small.stepSeconds + tree, 12);
    expect(sparse!.cluster.scalingEfficiency).toBeCloseTo(
      sparse!.cluster.singleSystemStepSeconds / (2 * sparse!.stepSeconds),
      12,
    );
    const md = readFileSync(join(dir, 'out/cluster/report.md'), 'utf8');
    expect(md).toMatch(/Cluster: 2 systems in data parallel, 8 sequences each per step/);
    expect(readFileSync(join(dir, 'out/cluster/report.csv'), 'utf8')).toMatch(/,cluster\.scalingEfficiency,/);
  });
});

describe('run --fidelity wavelet', () => {
  it('scales each matmul by its sampled region on the fabric: the same report, close to row, serial ≡ parallel', () => {
    const a = runCli(['run', 'small.json', '--fidelity', 'wavelet', '--workers', '0', '--out', 'wavelet0'], {
      cwd: dir,
    });
    const b = runCli(
      ['run', 'small.json', '--fidelity', 'wavelet', '--workers', '2', '--out', 'wavelet2', '--json'],
      { cwd: dir },
    );
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const wavelet = readReport('wavelet0');
    expect(() => ReportSchema.parse(wavelet)).not.toThrow();
    // Byte-identical apart from meta, whatever the worker count.
    expect(JSON.stringify(withoutMeta(JSON.parse(b.stdout)))).toBe(JSON.stringify(withoutMeta(wavelet)));
    // Every phase's step sampled: the matmuls it scaled, and by what (the fidelities agree within
    // a few percent, as the cross-check finds).
    const meta = wavelet.meta as {
      runs: {
        phases: { samples: { wavelet?: { nodes: number; ratioMin: number; ratioMax: number } }[] }[];
      }[];
    };
    for (const phase of meta.runs[0]!.phases) {
      const w = phase.samples[0]!.wavelet!;
      expect(w.nodes).toBeGreaterThan(10);
      expect(w.ratioMin).toBeGreaterThan(0.9);
      expect(w.ratioMax).toBeLessThan(1.1);
    }
    const row = readReport('out/small') as { runs: { phases: { stepSeconds: number }[] }[] };
    const scaled = wavelet as unknown as typeof row;
    row.runs[0]!.phases.forEach((p, i) => {
      expect(Math.abs(scaled.runs[0]!.phases[i]!.stepSeconds / p.stepSeconds - 1)).toBeLessThan(0.05);
    });
    // A row run says nothing of samples.
    expect(JSON.stringify((readReport('out/small') as { meta: unknown }).meta)).not.toContain('ratioMean');
  }, 120_000);
});

describe('run: bad input exits 2 with a message, and writes nothing', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'a batch the cluster does not split evenly',
      ['run', 'uneven.json'],
      /batch\.sequences: sequences must be a multiple of cluster\.systems \(3\)/,
    ],
    ['an unknown preset', ['run', 'mediswift-q-s75'], /unknown workload or study 'mediswift-q-s75'/],
    [
      '--fidelity cycle',
      ['run', 'small.json', '--fidelity', 'cycle'],
      /--fidelity: 'cycle' is not a fidelity; accepted: row, wavelet/,
    ],
    ['--workers -1', ['run', 'small.json', '--workers', '-1'], /--workers: '-1' must be a whole number/],
  ];
  it.each(cases)('%s', (_name, args, message) => {
    const out = `bad-${args.join('-')}`;
    const r = runCli([...args, '--out', out], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, out))).toBe(false);
  });
});

describe('run: Ctrl-C', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s during the simulation cancels it: exit %i, nothing written', async (signal, code) => {
    // The child says when the simulation is under way (its progress bar started): the signal is
    // sent then, not after a delay that a busy machine can make too short or too long.
    // From the repository, where tsx resolves; the output goes to the test's folder.
    const child = spawn(process.execPath, ['--import', 'tsx', RUN_SIGNAL, join(dir, `cancelled-${signal}`)], {
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('simulating\n')) resolve();
      });
      child.on('exit', () => reject(new Error(`the run ended before it simulated: ${stderr}`)));
    });
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(stderr).toMatch(/interrupted; .*nothing was written/);
    expect(existsSync(join(dir, `cancelled-${signal}`))).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });
});

describe('run --out: an unusable folder exits 2 naming --out, the path and what is wrong; nothing written', () => {
  const cases: [string, string, RegExp][] = [
    ['an empty path', '', /^wafersim: --out: an empty path; give the folder for the files/],
    ['the root', '/', /^wafersim: --out: '\/' is the root of the file system/],
    ['an existing file', 'a-file', /^wafersim: --out: a-file is a file, not a folder/],
    [
      'a dangling symbolic link',
      'dangling',
      /^wafersim: --out: dangling is a symbolic link to 'nowhere', which does not exist/,
    ],
    [
      'a folder below a file',
      'a-file/sub',
      /^wafersim: --out: a-file\/sub: a-file is a file, not a folder, so the folder cannot be created below it/,
    ],
    [
      'a name longer than 255 bytes',
      `long/${'n'.repeat(300)}`,
      /^wafersim: --out: cannot write the files into long\/n+…n+: a name in the path is too long: 'n+…' is 300 bytes long, file systems allow 255 \(ENAMETOOLONG\)/,
    ],
  ];
  beforeAll(() => {
    writeFileSync(join(dir, 'a-file'), 'not a folder');
    symlinkSync('nowhere', join(dir, 'dangling'));
  });
  it.each(cases)('%s', (_label, out, message) => {
    const before = readdirSync(dir).sort();
    const r = runCli(['run', 'small.json', '--workers', '0', '--out', out], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  const isRoot = process.getuid?.() === 0;
  it.skipIf(isRoot)('a read-only folder', () => {
    mkdirSync(join(dir, 'read-only'));
    chmodSync(join(dir, 'read-only'), 0o555);
    try {
      const r = runCli(['run', 'small.json', '--out', 'read-only'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^wafersim: --out: read-only: cannot create files in read-only: permission denied/,
      );
      expect(readdirSync(join(dir, 'read-only'))).toEqual([]);
    } finally {
      chmodSync(join(dir, 'read-only'), 0o755);
    }
  });

  it.skipIf(isRoot)('a mount point (the folder exists, its parent is read-only) works', () => {
    mkdirSync(join(dir, 'mount', 'volume'), { recursive: true });
    chmodSync(join(dir, 'mount'), 0o555);
    try {
      const r = runCli(['run', 'small.json', '--workers', '0', '--out', 'mount/volume'], { cwd: dir });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(readdirSync(join(dir, 'mount'))).toEqual(['volume']);
      expect(readdirSync(join(dir, 'mount', 'volume')).sort()).toEqual(['.wafersim', ...REPORT_FILES]);
    } finally {
      chmodSync(join(dir, 'mount'), 0o755);
    }
  });
});

describe('run: the default folder is one safe folder under out/, whatever the name', () => {
  it.each([
    ['../../escape', 'escape'],
    ['a/b\\c', 'a-b-c'],
    ['.hidden', 'hidden'],
    ['..', 'unnamed'],
  ])('a workload named %j goes to out/%s', (name, folder) => {
    const file = `named-${folder}.json`;
    writeFileSync(
      join(dir, file),
      JSON.stringify({ ...SMALL_WORKLOAD, name, phases: [SMALL_WORKLOAD.phases[1]] }),
    );
    const before = readdirSync(dir).filter((n) => n !== 'out');
    const r = runCli(['run', file, '--workers', '0'], { cwd: dir });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain(`Wrote out/${folder}/report.md`);
    expect(readdirSync(join(dir, 'out', folder)).sort()).toEqual(['.wafersim', ...REPORT_FILES]);
    expect(readdirSync(dir).filter((n) => n !== 'out')).toEqual(before);
  });
});
