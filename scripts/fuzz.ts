/**
 * The fuzz harness of the error contract (README, "Commands"): generated workloads, sweeps, sweep
 * shards, report folders, mask files and command lines (scripts/fuzz/cases.ts), each run through
 * `wafersim`'s `main` in a worker process. A case passes when it exits 0 or 2 with no stack trace
 * and no internal error; one that runs longer than the timeout counts as a hang. Failing cases are
 * saved (their command line and files) so they can be replayed.
 *
 *   npx tsx scripts/fuzz.ts [--cases N] [--seed S] [--workers W] [--timeout SECONDS] [--save DIR]
 *
 * Defaults: 2,000 cases, seed 1, 2 workers, 120 s per case. Exit 0 when every case passed, 1 if not.
 */
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { type FuzzCase, fuzzCase, TINY_SWEEP, TINY_WORKLOAD } from './fuzz/cases.ts';
import { type CaseOutcome, contractViolation } from './fuzz/run-case.ts';

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const WORKER = fileURLToPath(new URL('./fuzz/worker.ts', import.meta.url));

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} needs a number`);
  return value;
}

const CASES = option('--cases', 2000);
const SEED = option('--seed', 1);
const WORKERS = Math.max(1, option('--workers', 2));
const TIMEOUT_MS = option('--timeout', 120) * 1000;
const saveAt = process.argv.indexOf('--save');
const SAVE_DIR = saveAt >= 0 ? process.argv[saveAt + 1]! : 'fuzz-failures';

/** A report set and the two shards of the tiny sweep, made once by the real bin. */
function prepareFixtures(root: string): string {
  const fixtures = join(root, 'fixtures');
  mkdirSync(fixtures, { recursive: true });
  writeFileSync(join(fixtures, 'w.json'), JSON.stringify(TINY_WORKLOAD));
  writeFileSync(join(fixtures, 's.json'), JSON.stringify(TINY_SWEEP));
  const run = (args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: fixtures, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`fixture ${args.join(' ')} failed: ${r.stderr}`);
  };
  run(['run', 'w.json', '--workers', '0', '--out', 'report']);
  run(['sweep', 's.json', '--workers', '0', '--shard', '1/2', '--out', 'shard-1']);
  run(['sweep', 's.json', '--workers', '0', '--shard', '2/2', '--out', 'shard-2']);
  return fixtures;
}

interface Result {
  readonly index: number;
  readonly case: FuzzCase;
  readonly outcome?: CaseOutcome;
  readonly failure?: string;
  readonly seconds: number;
}

class Worker {
  private child: ChildProcess | undefined;

  constructor(
    private readonly root: string,
    private readonly fixtures: string,
  ) {}

  private spawn(): ChildProcess {
    this.child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    return this.child;
  }

  run(index: number, c: FuzzCase): Promise<Result> {
    const child = this.child ?? this.spawn();
    const started = performance.now();
    let stderr = '';
    const onStderr = (chunk: Buffer) => {
      stderr += chunk.toString();
    };
    child.stderr?.on('data', onStderr);
    return new Promise((resolve) => {
      const done = (r: Omit<Result, 'index' | 'case' | 'seconds'>) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.stderr?.off('data', onStderr);
        resolve({ index, case: c, seconds: (performance.now() - started) / 1000, ...r });
      };
      const onMessage = (m: { id: number; outcome?: CaseOutcome; harnessError?: string }) => {
        if (m.id !== index) return;
        if (m.harnessError) done({ failure: `harness: ${m.harnessError}` });
        else done({ outcome: m.outcome!, ...failureOf(m.outcome!) });
      };
      const onExit = (code: number | null, signal: string | null) => {
        this.child = undefined;
        done({ failure: `the process died (${signal ?? `exit ${code}`}): ${stderr.slice(-2000)}` });
      };
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        this.child = undefined;
        done({ failure: `no answer within ${TIMEOUT_MS / 1000} s (a hang)` });
      }, TIMEOUT_MS);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ id: index, case: c, root: this.root, fixtures: this.fixtures });
    });
  }

  stop(): void {
    this.child?.kill();
  }
}

function failureOf(outcome: CaseOutcome): { failure?: string } {
  const violation = contractViolation(outcome);
  return violation ? { failure: violation } : {};
}

async function runAll(): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'wafersim-fuzz-'));
  try {
    const fixtures = prepareFixtures(root);
    const cases = fc.sample(fuzzCase, { numRuns: CASES, seed: SEED });
    const workers = Array.from({ length: WORKERS }, () => new Worker(root, fixtures));
    const results: Result[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      workers.map(async (worker) => {
        while (next < cases.length) {
          const index = next++;
          const result = await worker.run(index, cases[index]!);
          results.push(result);
          if (results.length % 100 === 0)
            process.stderr.write(`fuzz: ${results.length} of ${cases.length} cases\n`);
        }
        worker.stop();
      }),
    );
    return summarize(results, (performance.now() - started) / 1000);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function summarize(results: Result[], seconds: number): number {
  results.sort((a, b) => a.index - b.index);
  const byFamily = new Map<string, { n: number; ok: number; refused: number; failed: number }>();
  for (const r of results) {
    const row = byFamily.get(r.case.family) ?? { n: 0, ok: 0, refused: 0, failed: 0 };
    row.n++;
    if (r.failure) row.failed++;
    else if (r.outcome?.code === 0) row.ok++;
    else row.refused++;
    byFamily.set(r.case.family, row);
  }
  const lines = [...byFamily]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([family, r]) =>
        `${family.padEnd(18)} ${String(r.n).padStart(5)} ${String(r.ok).padStart(6)} ${String(r.refused).padStart(8)} ${String(r.failed).padStart(7)}`,
    );
  const failures = results.filter((r) => r.failure);
  const slowest = [...results].sort((a, b) => b.seconds - a.seconds)[0];
  process.stdout.write(
    `wafersim fuzz: ${results.length} cases, seed ${SEED}, ${WORKERS} workers, ${seconds.toFixed(0)} s\n\n` +
      `family              cases  exit 0  exit 2  failed\n${lines.join('\n')}\n\n` +
      `slowest case: ${slowest?.seconds.toFixed(1)} s (${slowest?.case.argv.join(' ')})\n`,
  );
  if (failures.length === 0) {
    process.stdout.write('every case exited 0 or 2, with no stack trace and no internal error\n');
    return 0;
  }
  mkdirSync(SAVE_DIR, { recursive: true });
  for (const f of failures) {
    const path = join(SAVE_DIR, `case-${f.index}.json`);
    writeFileSync(
      path,
      `${JSON.stringify({ failure: f.failure, stderr: f.outcome?.stderr, case: f.case }, replacer, 2)}\n`,
    );
    process.stdout.write(
      `FAILED case ${f.index} (${f.case.family}): ${f.failure}\n  ${f.case.argv.join(' ')}\n  ${f.outcome?.stderr.split('\n')[0] ?? ''}\n  saved: ${path}\n`,
    );
  }
  return 1;
}

/** Bytes as a short hex prefix and length in saved cases. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array)
    return { bytes: value.length, head: Buffer.from(value.slice(0, 64)).toString('hex') };
  return value;
}

process.exitCode = await runAll();
