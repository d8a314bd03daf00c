/**
 * A short run of the fuzz harness (scripts/fuzz.ts runs 2,000 cases in worker processes): generated
 * workloads, sweeps, shards, report folders, masks and command lines, each through `main` in this
 * process. Every one must exit 0 or 2, with no stack trace and no internal error.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzCase, TINY_SWEEP, TINY_WORKLOAD } from '../scripts/fuzz/cases.ts';
import { contractViolation, layOut, runCase } from '../scripts/fuzz/run-case.ts';
import { BIN } from './run-cli.ts';

let root: string;
let fixtures: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wafersim-fuzz-test-'));
  fixtures = join(root, 'fixtures');
  mkdirSync(fixtures);
  writeFileSync(join(fixtures, 'w.json'), JSON.stringify(TINY_WORKLOAD));
  writeFileSync(join(fixtures, 's.json'), JSON.stringify(TINY_SWEEP));
  for (const args of [
    ['run', 'w.json', '--workers', '0', '--out', 'report'],
    ['sweep', 's.json', '--workers', '0', '--shard', '1/2', '--out', 'shard-1'],
    ['sweep', 's.json', '--workers', '0', '--shard', '2/2', '--out', 'shard-2'],
  ]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd: fixtures, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('fuzz: the error contract holds for generated inputs', () => {
  it('150 generated cases exit 0 or 2 with no stack trace and no internal error', async () => {
    // A seed of its own, so this run and the script's default 2,000 cover different cases.
    const cases = fc.sample(fuzzCase, { numRuns: 150, seed: 20_261_203 });
    const families = new Set<string>();
    const failures: string[] = [];
    for (const [i, c] of cases.entries()) {
      const caseDir = join(root, `case-${i}`);
      layOut(c, caseDir, fixtures);
      const outcome = await runCase(c, caseDir, fixtures);
      rmSync(caseDir, { recursive: true, force: true });
      families.add(c.family.split(':')[0]!);
      const violation = contractViolation(outcome);
      if (violation) failures.push(`${c.argv.join(' ')}: ${violation}\n${outcome.stderr}`);
    }
    expect(failures).toEqual([]);
    // Every kind of input was tried.
    expect([...families].sort()).toEqual([
      'argv',
      'compare',
      'masks',
      'merge',
      'odd-file',
      'sweep',
      'workload',
    ]);
  }, 300_000);

  it('the contract check itself catches an exit 1, a stack trace and an internal error', () => {
    expect(contractViolation({ code: 0, stderr: '', stdoutBytes: 10 })).toBeUndefined();
    expect(contractViolation({ code: 2, stderr: 'wafersim: x: bad\n', stdoutBytes: 0 })).toBeUndefined();
    expect(contractViolation({ code: 1, stderr: '', stdoutBytes: 0 })).toMatch(/exit code 1/);
    expect(
      contractViolation({ code: 2, stderr: 'Error: x\n    at main (file:///a/b.js:1:2)\n', stdoutBytes: 0 }),
    ).toMatch(/stack trace/);
    expect(contractViolation({ code: 2, stderr: 'wafersim: internal error: x\n', stdoutBytes: 0 })).toMatch(
      /internal error/,
    );
  });
});
