/**
 * The atomic writer (reports/atomic-write.ts) against real process deaths, in child processes:
 * a writer SIGKILLed at a seeded file-system call or at a seeded moment leaves the folder showing
 * one complete set (every file with the same token, tests/token-set.ts), and the next write
 * removes what it left; two writer processes at once end with one complete set; SIGTERM during
 * the write phase of a command (cli/simulate.ts) exits 143 with the old set before the commit,
 * the new one after it. Synchronization is by the children's output lines, never by durations.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFilesAtomically } from '../reports/atomic-write.ts';
import { stateEntries, TOKEN_FILES, TOKEN_NAMES, tokenSetIn } from './token-set.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'wafersim-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const fresh = (label: string) => join(root, `${label}-${folders++}`);

interface Child {
  readonly process: ChildProcess;
  readonly lines: string[];
  readonly stderr: () => string;
  /** Resolves once the child has printed `count` lines (or has exited). */
  readonly printed: (count: number) => Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(script: string, args: readonly string[]): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', join('tests', script), ...args], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  const lines: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let stdout = '';
  let stderr = '';
  let ended = false;
  const wake = () => {
    for (const w of waiters.splice(0)) {
      if (ended || lines.length >= w.count) w.resolve();
      else waiters.push(w);
    }
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const parts = stdout.split('\n');
    stdout = parts.pop()!;
    lines.push(...parts);
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      ended = true;
      wake();
      resolve({ code, signal });
    }),
  );
  return {
    process: child,
    lines,
    stderr: () => stderr,
    printed: (count) =>
      new Promise((resolve) => {
        waiters.push({ count, resolve });
        wake();
      }),
    exited,
  };
}

/**
 * After a writer died: the folder shows the set of the last write it reported or of the one it
 * was in; the next write (from this process) removes everything the dead one left.
 */
async function expectOneSetThenClean(out: string, reported: readonly string[], prefix: string) {
  const last = reported.at(-1);
  const next = `${prefix}-${reported.length}`;
  const shown = tokenSetIn(out);
  expect([last ?? null, next]).toContain(shown);
  await writeFilesAtomically('next', TOKEN_FILES, out);
  expect(tokenSetIn(out)).toBe('next');
  expect(stateEntries(out)).toEqual(['current', expect.stringMatching(/^gen-/)]);
  expect(readdirSync(out).sort()).toEqual(['.wafersim', ...[...TOKEN_NAMES].sort()]);
}

describe('a writer killed with SIGKILL', () => {
  it('at a seeded file-system call of its first writes: one complete set, cleaned by the next write', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 60 }), async (killAt) => {
        const out = fresh(`call-${killAt}`);
        const child = start('atomic-writer.ts', [out, 'p', '4', String(killAt)]);
        const { signal } = await child.exited;
        // A call beyond the four writes: the child finished them all.
        if (signal === null) expect(child.lines).toEqual(['p-0', 'p-1', 'p-2', 'p-3']);
        else expect(signal).toBe('SIGKILL');
        await expectOneSetThenClean(out, child.lines, 'p');
      }),
      { numRuns: 10, seed: 20_240_607 },
    );
  }, 120_000);

  it('at seeded moments while it writes in a loop: one complete set, cleaned by the next write', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 25 }), async (after, ms) => {
        const out = fresh(`moment-${after}-${ms}`);
        const child = start('atomic-writer.ts', [out, 'q', '100000']);
        await child.printed(after);
        await new Promise((resolve) => setTimeout(resolve, ms));
        child.process.kill('SIGKILL');
        expect((await child.exited).signal).toBe('SIGKILL');
        await expectOneSetThenClean(out, child.lines, 'q');
      }),
      { numRuns: 4, seed: 7_0_2_4 },
    );
  }, 120_000);
});

describe('two writer processes into one folder', () => {
  it('end with one complete set, the last write of one of them', async () => {
    const out = fresh('two-processes');
    const a = start('atomic-writer.ts', [out, 'a', '12']);
    const b = start('atomic-writer.ts', [out, 'b', '12']);
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.code, eb.code, a.stderr() + b.stderr()]).toEqual([0, 0, '']);
    expect(['a-11', 'b-11']).toContain(tokenSetIn(out));
    await writeFilesAtomically('next', TOKEN_FILES, out);
    expect(tokenSetIn(out)).toBe('next');
    expect(stateEntries(out)).toHaveLength(2);
  }, 120_000);
});

describe('a signal during the write phase of a command (cli/simulate.ts)', () => {
  it.each([
    ['before-commit', 'old', /interrupted; the test run was cancelled and nothing was written/],
    ['after-commit', 'new', /interrupted after the files were written; they are complete/],
  ] as const)(
    'SIGTERM %s: exit 143, the %s set whole, nothing left over',
    async (when, token, message) => {
      const out = fresh(when);
      const child = start('write-phase-signal.ts', [out, when]);
      await child.printed(1);
      expect(child.lines[0]).toBe('paused');
      child.process.kill('SIGTERM');
      expect((await child.exited).code).toBe(143);
      expect(child.stderr()).toMatch(message);
      expect(tokenSetIn(out)).toBe(token);
      expect(stateEntries(out)).toHaveLength(2);
    },
    60_000,
  );
});
