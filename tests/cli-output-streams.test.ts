/**
 * A closed or full standard output: `… | head -1` ends quietly with the command's own exit code; a
 * full disk (`/dev/full`) is a clear error (exit 2) and never a Node stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GuardedStream, readerWentAway } from '../cli/io.ts';
import { BIN } from './run-cli.ts';

/** Runs the bin with stdout into a pipe closed after its first chunk; resolves with code and stderr. */
function runIntoClosedPipe(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // Like `head -1`: read one chunk, then close the read end while the command is still writing.
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const hasDevFull = existsSync('/dev/full');

describe('standard output that stops taking data', () => {
  it('a reader that goes away (compile --emit json | head -1) ends quietly with exit 0', async () => {
    const r = await runIntoClosedPipe(['compile', 'spdf-gpt3-xl-s75', '--emit', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a closed stderr pipe is not an error either: bad input keeps its exit 2', async () => {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'presets', '--no-such-option'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.destroy();
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code).toBe(2);
  });

  it.skipIf(!hasDevFull)('a full disk on stdout exits 2 with one line naming stdout, no stack trace', () => {
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [BIN, 'presets', '--json'], {
      stdio: ['ignore', full, 'pipe'],
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^wafersim: could not write to stdout: .*ENOSPC.*\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.skipIf(!hasDevFull)('a full stderr keeps the exit code and prints nothing anywhere', () => {
    const full = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, [BIN, 'presets', '--no-such-option'], {
      stdio: ['ignore', 'pipe', full],
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('GuardedStream', () => {
  it('records the first error, drops later writes, and tells a closed pipe from a failure', async () => {
    const { Writable } = await import('node:stream');
    const seen: string[] = [];
    let calls = 0;
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        calls++;
        if (calls === 2) {
          const error = Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' });
          callback(error);
          return;
        }
        seen.push(String(chunk));
        callback();
      },
    });
    const guarded = new GuardedStream('stdout', sink);
    guarded.write('one');
    guarded.write('two');
    const failure = await guarded.flush();
    guarded.write('three');
    expect(seen).toEqual(['one']);
    expect(failure?.code).toBe('ENOSPC');
    expect(readerWentAway(failure!)).toBe(false);
    expect(readerWentAway({ stream: 'stdout', code: 'EPIPE', message: '' })).toBe(true);
  });
});
