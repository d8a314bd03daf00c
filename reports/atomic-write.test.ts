/**
 * The atomic writer (reports/atomic-write.ts). Oracle: every file of one write carries the same
 * token (tests/token-set.ts), so the folder shows either no set or one whole set, never a mix. A
 * write frozen before each of its file-system calls in turn (a kill at that point, as the disk
 * sees it) shows the old set or the new one at every step, from a new folder, from plain files of
 * an earlier version and from an earlier generation. Injected failures (ENOSPC, symbolic links
 * refused, cancellation) and concurrent writers; leftovers of dead writers removed, a live
 * writer's kept. Killed child processes: tests/atomic-write-crash.test.ts.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../models/diagnostics.ts';
import { CancelledError } from '../simulator/executor.ts';
import {
  stateEntries,
  TOKEN_FILES,
  TOKEN_NAMES,
  TOKEN_SET,
  tokenSetIn,
  tokensIn,
  tokenText,
} from '../tests/token-set.ts';
import { NODE_FS, type WriteFs, writeFilesAtomically } from './atomic-write.ts';

const root = mkdtempSync(join(tmpdir(), 'wafersim-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
/** A fresh folder name under the test root (not created). */
const fresh = (label: string) => join(root, `${label}-${folders++}`);

const write = (token: string, out: string, options: Parameters<typeof writeFilesAtomically>[3] = {}) =>
  writeFilesAtomically(token, TOKEN_FILES, out, options);

/** The call names of WriteFs. */
const CALLS = Object.keys(NODE_FS) as (keyof WriteFs)[];

/** WriteFs whose every call first awaits `before(n, call, args)`, n counting from 0. */
function instrumented(before: (n: number, call: string, args: unknown[]) => Promise<void> | void): WriteFs {
  let n = 0;
  const fs = {} as Record<string, unknown>;
  for (const call of CALLS) {
    const real = NODE_FS[call] as (...args: unknown[]) => Promise<void>;
    fs[call] = async (...args: unknown[]) => {
      await before(n++, call, args);
      return real(...args);
    };
  }
  return fs as unknown as WriteFs;
}

function errno(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: simulated, '${path}'`), { code, path });
}

const isRoot = process.getuid?.() === 0;

describe('layout', () => {
  it('the names are links into the current generation; the next write swaps it and removes the old one', async () => {
    const out = fresh('layout');
    const written = await write('one', out);
    expect(written).toEqual(TOKEN_NAMES.map((n) => join(out, n)));
    expect(readdirSync(out).sort()).toEqual(['.wafersim', ...[...TOKEN_NAMES].sort()]);
    for (const name of TOKEN_NAMES) {
      expect(lstatSync(join(out, name)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(out, name))).toBe(join('.wafersim', TOKEN_SET, 'current', name));
    }
    const first = stateEntries(out);
    expect(first).toEqual(['current', expect.stringMatching(/^gen-[0-9a-f]{8}-\d+-[0-9a-f]{8}$/)]);
    expect(readlinkSync(join(out, '.wafersim', TOKEN_SET, 'current'))).toBe(first[1]);
    expect(tokenSetIn(out)).toBe('one');
    await write('two', out);
    expect(tokenSetIn(out)).toBe('two');
    const second = stateEntries(out);
    expect(second).toHaveLength(2);
    expect(second[1]).not.toBe(first[1]);
  });

  it('two sets share a folder (a run and a sweep), each with its own generations', async () => {
    const out = fresh('two-sets');
    await write('run', out);
    const sweep = [{ name: 'sweep.json', render: (t: string) => `${t}\n` }];
    await writeFilesAtomically('sweep-1', sweep, out);
    await write('run-2', out);
    expect(tokenSetIn(out)).toBe('run-2');
    expect(readFileSync(join(out, 'sweep.json'), 'utf8')).toBe('sweep-1\n');
    expect(readdirSync(join(out, '.wafersim')).sort()).toEqual(['report', 'sweep']);
  });

  it("plain files of an earlier version become links; a link to a file the set no longer has goes; others' files stay", async () => {
    const out = fresh('plain');
    mkdirSync(out);
    for (const name of TOKEN_NAMES) writeFileSync(join(out, name), tokenText('old', name));
    writeFileSync(join(out, 'notes.txt'), 'mine');
    symlinkSync(join('.wafersim', TOKEN_SET, 'current', 'gone.csv'), join(out, 'gone.csv'));
    await write('new', out);
    expect(tokenSetIn(out)).toBe('new');
    expect(readdirSync(out).sort()).toEqual(['.wafersim', 'notes.txt', ...[...TOKEN_NAMES].sort()]);
    expect(stateEntries(out)).toHaveLength(2);
  });

  it('everything is created inside the output folder (a mount point works), never beside it', async () => {
    const parent = fresh('mount');
    const out = join(parent, 'volume');
    mkdirSync(out, { recursive: true });
    const outside: string[] = [];
    const fs = instrumented((_n, _call, args) => {
      for (const path of args.filter((a) => typeof a === 'string' && a.startsWith(sep)) as string[]) {
        if (!path.startsWith(out + sep)) outside.push(path);
      }
    });
    await write('one', out, { fs });
    await write('two', out, { fs });
    expect(outside).toEqual([]);
    expect(readdirSync(parent)).toEqual(['volume']);
  });

  it.skipIf(isRoot)(
    'a mount-point-like folder: its parent is read-only, the write still succeeds',
    async () => {
      const parent = fresh('ro-parent');
      const out = join(parent, 'volume');
      mkdirSync(out, { recursive: true });
      chmodSync(parent, 0o555);
      try {
        await write('one', out);
        await write('two', out);
        expect(tokenSetIn(out)).toBe('two');
        expect(readdirSync(parent)).toEqual(['volume']);
      } finally {
        chmodSync(parent, 0o755);
      }
    },
  );
});

/** How a folder starts before the write that is frozen: its set's token, or null for none. */
const STARTS: [string, (out: string) => Promise<string | null>][] = [
  ['a folder that does not exist', async () => null],
  [
    'plain files of an earlier version',
    async (out) => {
      mkdirSync(out, { recursive: true });
      for (const name of TOKEN_NAMES) writeFileSync(join(out, name), tokenText('old', name));
      return 'old';
    },
  ],
  [
    'an earlier generation',
    async (out) => {
      await write('old', out);
      return 'old';
    },
  ],
];

describe('a write frozen before any of its file-system calls shows the old set or the new one', () => {
  it.each(STARTS)('starting from %s', async (_label, start) => {
    // How many calls a whole write makes from this start.
    const probe = fresh('probe');
    await start(probe);
    let calls = 0;
    await write('new', probe, {
      fs: instrumented(() => {
        calls++;
      }),
    });
    expect(calls).toBeGreaterThan(TOKEN_NAMES.length);
    for (let k = 0; k < calls; k++) {
      const out = fresh(`frozen-${k}`);
      const old = await start(out);
      let reached!: () => void;
      const frozen = new Promise<void>((resolve) => {
        reached = resolve;
      });
      // Call k never returns: as far as the disk can tell, the writer died just before it.
      void write('new', out, {
        fs: instrumented((n) => {
          if (n !== k) return;
          reached();
          return new Promise<void>(() => {});
        }),
      });
      await frozen;
      const shown = existsSync(out) ? tokenSetIn(out) : null;
      expect([old, 'new'], `frozen before call ${k} of ${calls}`).toContain(shown);
    }
  });
});

describe('failures leave the folder as it was, and name --out', () => {
  it('a full disk (ENOSPC) on the third file: exit-2 error naming --out; the old set and nothing else stays', async () => {
    const out = fresh('enospc');
    await write('old', out);
    const before = stateEntries(out);
    let files = 0;
    const fs: Partial<WriteFs> = {
      writeFile: async (path, text) => {
        if (++files === 3) throw errno('ENOSPC', path);
        await NODE_FS.writeFile(path, text);
      },
    };
    const error = await write('new', out, { fs }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).diagnostics[0]).toMatchObject({ code: 'invalid-value', path: '--out' });
    expect((error as Error).message).toMatch(
      /^--out: cannot write the files into .*enospc.*: no space left on the device \(ENOSPC at /,
    );
    expect(tokenSetIn(out)).toBe('old');
    expect(stateEntries(out)).toEqual(before);
    // Into a folder that did not exist: the folders this write created go too.
    const parent = fresh('enospc-new');
    mkdirSync(parent);
    files = 0;
    await expect(write('new', join(parent, 'a', 'b'), { fs })).rejects.toBeInstanceOf(InputError);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a file system that refuses symbolic links: the files are renamed into place, plain', async () => {
    const out = fresh('no-links');
    const fs: Partial<WriteFs> = {
      symlink: async (_target, path) => {
        throw errno('EPERM', path);
      },
    };
    await write('one', out, { fs });
    await write('two', out, { fs });
    expect(tokenSetIn(out)).toBe('two');
    expect(readdirSync(out).sort()).toEqual([...TOKEN_NAMES].sort());
    for (const name of TOKEN_NAMES) expect(lstatSync(join(out, name)).isFile()).toBe(true);
  });

  it('a cancelled write writes nothing: before it starts, or while it writes', async () => {
    const parent = fresh('cancel');
    mkdirSync(parent);
    const aborted = new AbortController();
    aborted.abort();
    await expect(write('new', join(parent, 'out'), { signal: aborted.signal })).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(readdirSync(parent)).toEqual([]);
    const out = fresh('cancel-late');
    await write('old', out);
    const before = stateEntries(out);
    const controller = new AbortController();
    const fs = instrumented((_n, call) => {
      if (call === 'writeFile') controller.abort(); // Ctrl-C while the files are being written
    });
    await expect(write('new', out, { signal: controller.signal, fs })).rejects.toBeInstanceOf(CancelledError);
    expect(tokenSetIn(out)).toBe('old');
    expect(stateEntries(out)).toEqual(before);
  });

  it('a folder where a file of the set should go: refused before anything is written', async () => {
    const out = fresh('in-the-way');
    mkdirSync(join(out, 'report.json'), { recursive: true });
    await expect(write('new', out)).rejects.toThrow(
      /^--out: .*report\.json is a folder, where the file report\.json should go/,
    );
    expect(readdirSync(out)).toEqual(['report.json']);
  });

  it.each<[string, (base: string) => string, RegExp]>([
    ['an empty path', () => '', /^--out: an empty path/],
    ['the root', () => sep, /^--out: '\/' is the root of the file system/],
    [
      'an existing file',
      (base) => {
        writeFileSync(base, 'x');
        return base;
      },
      /^--out: .* is a file, not a folder/,
    ],
    [
      'a dangling symbolic link',
      (base) => {
        symlinkSync(join(base, 'nowhere'), `${base}.link`);
        return `${base}.link`;
      },
      /^--out: .*\.link is a symbolic link to '.*nowhere', which does not exist/,
    ],
    [
      'a folder below a file',
      (base) => {
        writeFileSync(base, 'x');
        return join(base, 'sub');
      },
      /^--out: .*: .* is a file, not a folder, so the folder cannot be created below it/,
    ],
    [
      'a name longer than 255 bytes',
      (base) => join(base, 'é'.repeat(200)),
      /is 400 bytes long, file systems allow 255 \(ENAMETOOLONG/,
    ],
  ])('%s: refused, nothing written', async (_label, make, message) => {
    const base = fresh('bad');
    const out = make(base);
    const before = readdirSync(root).sort();
    await expect(write('new', out)).rejects.toThrow(message);
    expect(readdirSync(root).sort()).toEqual(before);
  });

  it.skipIf(isRoot)('a read-only folder: refused, naming it', async () => {
    const out = fresh('read-only');
    mkdirSync(out);
    chmodSync(out, 0o555);
    try {
      await expect(write('new', out)).rejects.toThrow(
        /^--out: .*read-only.*: cannot create files in .*: permission denied/,
      );
      expect(readdirSync(out)).toEqual([]);
    } finally {
      chmodSync(out, 0o755);
    }
  });
});

describe('leftovers', () => {
  it("the next write removes dead writers' generations and links, never a live writer's", async () => {
    const out = fresh('leftovers');
    await write('old', out);
    const [, owner] = /^gen-([0-9a-f]{8})-/.exec(stateEntries(out)[1]!)!;
    const dead = spawnSync(process.execPath, ['-e', '']).pid; // exited: its pid is free
    const live = process.ppid;
    const state = join(out, '.wafersim', TOKEN_SET);
    const make = (name: string) => {
      mkdirSync(join(state, name));
      writeFileSync(join(state, name, 'report.md'), 'half');
      return name;
    };
    const deadGen = make(`gen-${owner}-${dead}-0000aaaa`);
    symlinkSync(deadGen, join(state, `link-${owner}-${dead}-0000bbbb`));
    const liveGen = make(`gen-${owner}-${live}-0000cccc`);
    const foreignOld = make('gen-ffffffff-1-0000dddd');
    const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
    utimesSync(join(state, foreignOld), twoDaysAgo, twoDaysAgo);
    const foreignNew = make('gen-ffffffff-2-0000eeee');
    const notOurs = make('my-notes');
    await write('new', out);
    expect(tokenSetIn(out)).toBe('new');
    const left = stateEntries(out);
    expect(left).toEqual(expect.arrayContaining([liveGen, foreignNew, notOurs, 'current']));
    expect(left).toHaveLength(5);
  });
});

describe('concurrent writers and readers', () => {
  it('two writers into one folder end with one complete set', async () => {
    const out = fresh('two-writers');
    const loop = async (who: string) => {
      for (let i = 0; i < 8; i++) await write(`${who}-${i}`, out);
    };
    await Promise.all([loop('a'), loop('b')]);
    expect(['a-7', 'b-7']).toContain(tokenSetIn(out));
    await write('last', out);
    expect(tokenSetIn(out)).toBe('last');
    expect(stateEntries(out)).toHaveLength(2);
  });

  it('a reader that resolves current and reads every file from there never sees a mix', async () => {
    const out = fresh('poller');
    await write('w-0', out);
    const current = join(out, '.wafersim', TOKEN_SET, 'current');
    let done = false;
    let whole = 0;
    const mixes: string[] = [];
    const poll = async () => {
      while (!done) {
        try {
          // Files missing: the generation was removed after a newer one replaced it; read again.
          const tokens = tokensIn(realpathSync(current));
          const found = new Set(tokens.filter((t) => t !== null));
          if (found.size > 1) mixes.push(tokens.join(' '));
          if (tokens.every((t) => t !== null)) whole++;
        } catch (error) {
          if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const polling = poll();
    for (let i = 1; i <= 25; i++) await write(`w-${i}`, out);
    done = true;
    await polling;
    expect(mixes).toEqual([]);
    expect(whole).toBeGreaterThan(0);
    expect(tokenSetIn(out)).toBe('w-25');
  });
});
