/**
 * Reading input files. Oracles: a regular file (or a link to one) reads back byte for byte; what
 * is not a regular file (a device, a FIFO, a folder, a link loop, a link to /dev/zero) is refused
 * by name, before anything is read (a FIFO with no writer would block the open or the read, and
 * /dev/zero never ends, so these tests would hang rather than fail if it were read); a file over
 * its cap is refused naming both sizes, even when its reported size understates it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from './diagnostics.ts';
import {
  formatBytes,
  MAX_JSON_FILE_BYTES,
  readInputFile,
  readInputRange,
  withInputFile,
} from './input-file.ts';
import { readJsonFile } from './read-json.ts';
import { errorOf } from './test-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'wafersim-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTIONS = { where: 'in.json', expected: 'a .json file', maxBytes: 1024, capWhat: 'a test file may be' };

function messageOf(path: string, options = OPTIONS): string {
  const error = errorOf(() => readInputFile(path, options));
  expect(error.diagnostics).toHaveLength(1);
  expect(error.diagnostics[0]!.path).toBe(options.where);
  return error.diagnostics[0]!.message;
}

describe('readInputFile', () => {
  it('reads a regular file, and one through a symbolic link (result folders link their files)', () => {
    const file = join(dir, 'plain.json');
    writeFileSync(file, '{"a": 1}');
    symlinkSync(file, join(dir, 'link.json'));
    symlinkSync(join(dir, 'link.json'), join(dir, 'link-to-link.json'));
    for (const path of [file, join(dir, 'link.json'), join(dir, 'link-to-link.json')]) {
      expect(new TextDecoder().decode(readInputFile(path, OPTIONS))).toBe('{"a": 1}');
    }
    writeFileSync(join(dir, 'empty.json'), '');
    expect(readInputFile(join(dir, 'empty.json'), OPTIONS)).toHaveLength(0);
  });

  it('refuses /dev/zero and a symbolic link to it, naming what it is', () => {
    expect(messageOf('/dev/zero')).toBe(
      '/dev/zero is a character device, not a regular file; expected a .json file',
    );
    const link = join(dir, 'zero.json');
    symlinkSync('/dev/zero', link);
    expect(messageOf(link)).toBe(
      `${link} (a symbolic link to /dev/zero) is a character device, not a regular file; expected a .json file`,
    );
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    expect(messageOf(fifo)).toBe(`${fifo} is a FIFO (named pipe), not a regular file; expected a .json file`);
  });

  it('refuses a folder, a symbolic link loop and a link that leads nowhere, in words', () => {
    const folder = join(dir, 'folder.json');
    mkdirSync(folder);
    expect(messageOf(folder)).toBe(`${folder} is a folder; expected a .json file`);
    const loop = join(dir, 'loop.json');
    symlinkSync(loop, loop);
    expect(messageOf(loop)).toBe(
      `${loop} is a loop of symbolic links (or a chain of more than 40), so it leads to no file; expected a .json file`,
    );
    const dangling = join(dir, 'dangling.json');
    symlinkSync(join(dir, 'gone.json'), dangling);
    expect(messageOf(dangling)).toBe(
      `${dangling} (a symbolic link to ${join(dir, 'gone.json')}) leads to no file`,
    );
  });

  it('names a missing file, a path through a file and a name too long', () => {
    expect(messageOf(join(dir, 'nope.json'))).toBe(`no such file: ${join(dir, 'nope.json')}`);
    writeFileSync(join(dir, 'not-a-folder'), '');
    const through = join(dir, 'not-a-folder', 'x.json');
    expect(messageOf(through)).toBe(`no such file: ${through} (a part of its path is a file, not a folder)`);
    expect(messageOf(join(dir, `${'n'.repeat(300)}.json`))).toMatch(
      /^the path is too long for the file system/,
    );
    const codes = [join(dir, 'nope.json'), through].map(
      (p) => errorOf(() => readInputFile(p, OPTIONS)).diagnostics[0]!.code,
    );
    expect(codes).toEqual(['missing-file', 'missing-file']);
  });

  it.skipIf(process.getuid?.() === 0)('says when a file cannot be read for want of permission', () => {
    const locked = join(dir, 'locked.json');
    writeFileSync(locked, '{}', { mode: 0o000 });
    expect(messageOf(locked)).toBe(`${locked} cannot be read: permission denied`);
  });

  it('refuses a file over the cap from its size, naming the size and the cap', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, 1025); // sparse: nothing to read even if it were
    expect(messageOf(big)).toBe(
      `${big} is 1.0 KiB (1,025 bytes); a test file may be at most 1 KiB (1,024 bytes)`,
    );
    truncateSync(big, 1024);
    expect(readInputFile(big, OPTIONS)).toHaveLength(1024);
  });

  it('reads at most the cap plus one byte of a file whose size understates it (/proc)', () => {
    // /proc files are regular files of size 0 that hold text: only reading tells their length.
    expect(messageOf('/proc/self/status', { ...OPTIONS, maxBytes: 16 })).toBe(
      '/proc/self/status holds more than 16 bytes, though its size said 0 bytes when it was opened; a test file may be at most 16 bytes',
    );
    const whole = readInputFile('/proc/self/status', { ...OPTIONS, maxBytes: 2 ** 20 });
    expect(new TextDecoder().decode(whole)).toMatch(/^Name:/);
  });
});

describe('readInputRange', () => {
  it('reads what it is asked from where it is asked, and less at the end of the file', () => {
    const file = join(dir, 'range.bin');
    writeFileSync(file, Uint8Array.from([0, 1, 2, 3, 4, 5]));
    withInputFile(file, OPTIONS, (f) => {
      expect(f.size).toBe(6);
      expect([...readInputRange(f, 2, 3)]).toEqual([2, 3, 4]);
      expect([...readInputRange(f, 4, 10)]).toEqual([4, 5]);
      expect(readInputRange(f, 6, 0)).toHaveLength(0);
    });
  });
});

describe('readJsonFile', () => {
  it('refuses a JSON file over MAX_JSON_FILE_BYTES (a sparse file) before reading it', () => {
    const big = join(dir, 'huge.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_JSON_FILE_BYTES + 1);
    const error = errorOf(() => readJsonFile(big, 'huge.json'));
    expect(error.diagnostics).toEqual([
      {
        code: 'invalid-value',
        path: 'huge.json',
        message: `${big} is 500.0 MiB (524,288,001 bytes); a JSON file may be at most 500 MiB (524,288,000 bytes)`,
      },
    ]);
  });

  it('any bytes as a JSON file give a value or an InputError, nothing else', () => {
    const file = join(dir, 'arbitrary.json');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        writeFileSync(file, bytes);
        try {
          readJsonFile(file, 'arbitrary.json');
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('formatBytes', () => {
  it('gives the unit a reader would use and the exact count', () => {
    expect(formatBytes(17)).toBe('17 bytes');
    expect(formatBytes(1536)).toBe('1.5 KiB (1,536 bytes)');
    expect(formatBytes(2 ** 30)).toBe('1 GiB (1,073,741,824 bytes)');
  });
});
