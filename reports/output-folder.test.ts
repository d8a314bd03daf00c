/**
 * Output folders (reports/output-folder.ts): a default folder is always one safe folder under
 * out/ (any name, property-based) and ordinary names stay as they are; the file-system errors of
 * a write become bad input naming --out. The checks of a given --out: atomic-write.test.ts and
 * tests/cli-run.test.ts.
 */
import { join, normalize, sep } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../models/diagnostics.ts';
import { STUDY_PRESET_NAMES, WORKLOAD_PRESET_NAMES } from '../workloads/index.ts';
import { SWEEP_PRESET_NAMES } from '../workloads/sweeps/index.ts';
import { defaultOutDir, folderNameOf, outputError } from './output-folder.ts';

describe('folderNameOf', () => {
  it('keeps the names of every preset, study and sweep preset as they are', () => {
    const names = [
      ...WORKLOAD_PRESET_NAMES,
      ...STUDY_PRESET_NAMES,
      ...SWEEP_PRESET_NAMES,
      'my_run.v2',
      'résumé',
    ];
    expect(names).toContain('mediswift-xl-s75');
    for (const name of names) expect(folderNameOf(name)).toBe(name);
  });

  it.each([
    ['..', 'unnamed'],
    ['.', 'unnamed'],
    ['', 'unnamed'],
    ['../../etc/passwd', 'etc-passwd'],
    ['a/b', 'a-b'],
    ['a\\b', 'a-b'],
    ['.hidden', 'hidden'],
    ['-rf', 'rf'],
    ['GPT 3 XL (sparse)', 'GPT-3-XL-sparse'],
    ['x..', 'x'],
    ['a\u0000b', 'a-b'],
  ])('%j → %j', (name, folder) => {
    expect(folderNameOf(name)).toBe(folder);
  });

  it('any name gives one folder name: no separator, not . or .., no leading dot or dash, at most 100 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (name) => {
        const folder = folderNameOf(name);
        expect(folder).not.toMatch(/[/\\]/);
        expect(folder).not.toMatch(/^[.-]/);
        expect(Buffer.byteLength(folder)).toBeGreaterThan(0);
        expect(Buffer.byteLength(folder)).toBeLessThanOrEqual(100);
        const dir = defaultOutDir(name);
        expect(normalize(dir)).toBe(join('out', folder));
        expect(dir.split(sep)).toHaveLength(2);
      }),
      { numRuns: 500, seed: 4242 },
    );
  });

  it('a shard folder goes below the sweep folder', () => {
    expect(defaultOutDir('../x', 'shard-1-of-2')).toBe(join('out', 'x', 'shard-1-of-2'));
  });
});

describe('outputError', () => {
  const errno = (code: string, path: string) => Object.assign(new Error(code), { code, path });

  it.each([
    ['ENOSPC', /no space left on the device \(ENOSPC at out\/x\/.wafersim\/f\)/],
    ['EROFS', /the file system is read-only/],
    ['EACCES', /permission denied/],
    ['EDQUOT', /the disk quota is exceeded/],
    ['EIO', /input\/output error/],
  ])('%s: bad input naming --out and the folder', (code, reason) => {
    const error = outputError(errno(code, join(process.cwd(), 'out', 'x', '.wafersim', 'f')), 'out/x');
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).diagnostics).toEqual([
      {
        code: 'invalid-value',
        path: '--out',
        message: expect.stringMatching(/^cannot write the files into out\/x: /),
      },
    ]);
    expect((error as Error).message).toMatch(reason);
  });

  it('other errors (bugs) pass through unchanged', () => {
    const bug = new TypeError('x is undefined');
    expect(outputError(bug, 'out/x')).toBe(bug);
    const unknown = errno('EWHATEVER', 'out/x');
    expect(outputError(unknown, 'out/x')).toBe(unknown);
  });
});
