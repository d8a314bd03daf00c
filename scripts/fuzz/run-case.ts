/**
 * Runs one fuzz case in this process, as `wafersim` would run it: its files laid out in a folder of
 * its own, the working directory there (so default output folders land inside it), `main` called
 * with a captured stdout and stderr. Used by the fuzz worker (a child process, so a case that hangs
 * or crashes takes only the worker down) and directly by the test suite's short run.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { main } from '../../cli/main.ts';
import { type FuzzCase, mutate } from './cases.ts';

export interface CaseOutcome {
  readonly code: number;
  readonly stderr: string;
  readonly stdoutBytes: number;
}

/** A line of a Node stack trace: `    at fn (file:line:col)`. */
export const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

/** What makes an outcome a failure of the error contract, or undefined if it holds. */
export function contractViolation(outcome: CaseOutcome): string | undefined {
  if (outcome.code !== 0 && outcome.code !== 2) return `exit code ${outcome.code}`;
  if (STACK_LINE.test(outcome.stderr)) return 'a stack trace on stderr';
  if (/internal error/.test(outcome.stderr)) return 'an internal error';
  return undefined;
}

const expand = (text: string, dirs: { caseDir: string; fixtures: string }) =>
  text.replaceAll('$CASE', dirs.caseDir).replaceAll('$FIX', dirs.fixtures);

function mutatedJson(path: string, spec: string): string {
  const ops = JSON.parse(spec.slice(spec.indexOf(' ') + 1));
  return JSON.stringify(mutate(JSON.parse(readFileSync(path, 'utf8')), ops));
}

/** Lays out the case's files in `caseDir` (which must not exist yet). */
export function layOut(c: FuzzCase, caseDir: string, fixtures: string): void {
  mkdirSync(caseDir, { recursive: true });
  for (const copy of c.copies ?? []) {
    cpSync(join(fixtures, copy.from), join(caseDir, copy.to), { recursive: true, dereference: true });
  }
  for (const file of c.files) {
    const path = join(caseDir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    const text =
      'text' in file && file.text.startsWith('$MUTATE_') ? mutatedJson(path, file.text) : undefined;
    // A case's file replaces what a copied fixture put there (a link is replaced, not followed).
    rmSync(path, { recursive: true, force: true });
    if ('text' in file) writeFileSync(path, expand(text ?? file.text, { caseDir, fixtures }));
    else if ('bytes' in file) writeFileSync(path, file.bytes);
    else if ('symlink' in file) symlinkSync(expand(file.symlink, { caseDir, fixtures }), path);
    else if (file.special === 'dir') mkdirSync(path, { recursive: true });
    else if (file.special === 'fifo') execFileSync('mkfifo', [path]);
    else {
      // A sparse file of 2 GiB: no disk used, but far above any input's cap.
      writeFileSync(path, '');
      truncateSync(path, 2 * 1024 ** 3);
    }
  }
}

/** Runs the case's command line in `caseDir` (laid out already). */
export async function runCase(c: FuzzCase, caseDir: string, fixtures: string): Promise<CaseOutcome> {
  const argv = c.argv.map((a) => expand(a, { caseDir, fixtures }));
  let stderr = '';
  let stdoutBytes = 0;
  const io = {
    stdout: (text: string) => {
      stdoutBytes += text.length;
    },
    stderr: (text: string) => {
      stderr += text;
    },
    stderrIsTty: false,
  };
  const cwd = process.cwd();
  process.chdir(caseDir);
  try {
    const code = await main(argv, io);
    return { code, stderr, stdoutBytes };
  } finally {
    process.chdir(cwd);
  }
}
