/**
 * Writes a set of rendered files into an output folder atomically (DESIGN §8–9: nothing
 * half-written, never a mix of two runs). `reports/README.md` ("Output folders") describes the
 * layout and the guarantee.
 *
 * Every file is rendered first (a renderer that fails touches no disk). The files then go into a
 * fresh generation folder inside the output folder, `<out>/.wafersim/<set>/gen-…/`; one symbolic
 * link, `<out>/.wafersim/<set>/current`, is swapped to it by renaming a temporary link over it
 * (a rename replaces a link whole: the commit); the names users open, `<out>/report.json` and the
 * rest, are stable relative links into `current`, created once. So at every instant the folder
 * shows the previous complete set or the new one, also when the process is killed at any point;
 * two writers at once end with one writer's complete set. Nothing is created outside the output
 * folder, so a mount point works as `--out`.
 *
 * Leftovers: generation folders and temporary links carry their writer's process id (and a
 * digest of its host and pid namespace); a write removes those of dead writers, the generation it
 * replaced and its own once superseded, never a live writer's work in progress.
 *
 * A file system that refuses symbolic links (EPERM, ENOTSUP, EINVAL): the files are renamed into
 * place one by one from the generation folder, the weaker guarantee of earlier versions (each file
 * whole, but a kill between two renames leaves a mix).
 *
 * On an error or a cancellation (the AbortSignal) before the commit, this call's generation, its
 * temporary links and the folders it created are removed: the folder is as it was.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { inputError } from '../models/diagnostics.ts';
import { CancelledError } from '../simulator/executor.ts';
import { checkOutDir, outputError, shownPath } from './output-folder.ts';

export interface RenderedFile<T> {
  readonly name: string;
  readonly render: (input: T) => string | Promise<string>;
}

/** The file-system calls that change the disk; tests replace them to inject failures and kills. */
export interface WriteFs {
  mkdir(path: string): Promise<void>;
  writeFile(path: string, text: string): Promise<void>;
  symlink(target: string, path: string, type: 'file' | 'dir'): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  link(existing: string, path: string): Promise<void>;
  copyFile(from: string, to: string): Promise<void>;
  rm(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
}

/** The real calls (what tests wrap). */
export const NODE_FS: WriteFs = {
  mkdir: async (path) => {
    await fsp.mkdir(path);
  },
  writeFile: (path, text) => fsp.writeFile(path, text),
  symlink: (target, path, type) => fsp.symlink(target, path, type),
  rename: (from, to) => fsp.rename(from, to),
  link: (existing, path) => fsp.link(existing, path),
  copyFile: (from, to) => fsp.copyFile(from, to),
  rm: (path) => fsp.rm(path, { recursive: true, force: true }),
  unlink: (path) => fsp.unlink(path),
  rmdir: (path) => fsp.rmdir(path),
};

export interface WriteFilesOptions {
  /** Checked before anything touches disk and again before the commit: a cancelled run writes nothing. */
  readonly signal?: AbortSignal;
  /**
   * Which set of files this is (`report`, `sweep`, `compare`): each set has its own generations,
   * so a run and a sweep can share a folder. Default: the first file's name up to its first dot.
   */
  readonly set?: string;
  /** How error messages name the output folder; default `--out`. */
  readonly option?: string;
  /** Tests only: replacements for the calls that change the disk. */
  readonly fs?: Partial<WriteFs>;
}

/** The folder inside an output folder that holds the generations. */
export const STATE_FOLDER = '.wafersim';
/** The link, in `<out>/.wafersim/<set>/`, to the set's current generation. */
export const CURRENT = 'current';

/** This writer's host and pid namespace, digested: a process id means something only within them. */
const OWNER = createHash('sha256').update(`${hostname()}\0${pidNamespace()}`).digest('hex').slice(0, 8);

function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/** `gen-<owner>-<pid>-<random>` (a generation) or `link-<owner>-<pid>-<random>` (a temporary link). */
const ENTRY = /^(gen|link)-([0-9a-f]{8})-(\d+)-[0-9a-f]+$/;

/** Leftovers of a writer on another host (whose process id cannot be checked) are removed after this. */
const FOREIGN_LEFTOVER_MS = 24 * 3600 * 1000;

/** What the writes of this process are making now (a concurrent write in it must not remove them). */
const inProgress = new Set<string>();

function entryName(kind: 'gen' | 'link'): string {
  return `${kind}-${OWNER}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM';
  }
}

async function readlinkOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await fsp.readlink(path);
  } catch (error) {
    if (codeOf(error) === 'ENOENT' || codeOf(error) === 'EINVAL') return undefined;
    throw error;
  }
}

/** A file system that refuses symbolic links says so with one of these. */
const NO_SYMLINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EINVAL', 'ENOSYS']);

/** The set's name: the first file's name up to its first dot (`report.md` → `report`). */
function setNameOf(files: readonly { name: string }[], given: string | undefined): string {
  const set = given ?? files[0]?.name.split('.')[0] ?? '';
  if (!/^[a-z][a-z0-9-]*$/.test(set)) throw new Error(`not a file set name: '${set}'`);
  return set;
}

/**
 * Renders `files` from `input` and writes them into `outDir` (created if missing) as one set,
 * atomically; returns the paths users open (`<outDir>/<name>`).
 */
export async function writeFilesAtomically<T>(
  input: T,
  files: readonly RenderedFile<T>[],
  outDir: string,
  options: WriteFilesOptions = {},
): Promise<string[]> {
  const option = options.option ?? '--out';
  const set = setNameOf(files, options.set);
  for (const file of files) {
    if (!/^[^/\\]+$/.test(file.name) || file.name.startsWith('.')) {
      throw new Error(`not a plain file name: '${file.name}'`);
    }
  }
  const rendered: { name: string; text: string }[] = [];
  for (const file of files) rendered.push({ name: file.name, text: await file.render(input) });
  if (options.signal?.aborted) throw new CancelledError();
  checkOutDir(outDir, option);
  const writer = new SetWriter(resolve(outDir), set, option, { ...NODE_FS, ...options.fs }, options.signal);
  try {
    await writer.write(rendered);
  } catch (error) {
    await writer.undo();
    throw outputError(error, outDir, option);
  } finally {
    writer.done();
  }
  return rendered.map((file) => join(resolve(outDir), file.name));
}

/** One write of one set into one folder: what it created, so that a failure can undo it. */
class SetWriter {
  private readonly setDir: string;
  private readonly current: string;
  /** Folders this write created, outermost first. */
  private readonly createdDirs: string[] = [];
  /** Generations and temporary links this write created (removed on failure). */
  private readonly own: string[] = [];
  /** User-facing links this write created where nothing was. */
  private readonly freshLinks: string[] = [];
  /** Everything this write named in the set's folder (in `inProgress` until it is done). */
  private readonly claimed: string[] = [];
  private committed = false;

  constructor(
    private readonly target: string,
    private readonly set: string,
    private readonly option: string,
    private readonly fs: WriteFs,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.setDir = join(target, STATE_FOLDER, set);
    this.current = join(this.setDir, CURRENT);
  }

  /** A fresh name in the set's folder for a generation or a temporary link, claimed by this write. */
  private claim(kind: 'gen' | 'link'): { name: string; path: string } {
    const name = entryName(kind);
    const path = join(this.setDir, name);
    inProgress.add(path);
    this.claimed.push(path);
    return { name, path };
  }

  private checkCancelled(): void {
    if (this.signal?.aborted) throw new CancelledError();
  }

  /** The link target of a user-facing name: relative, into the set's current generation. */
  private linkTarget(name: string): string {
    return join(STATE_FOLDER, this.set, CURRENT, name);
  }

  private async mkdirTracked(path: string): Promise<void> {
    try {
      await this.fs.mkdir(path);
      this.createdDirs.push(path);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
    }
  }

  /** The output folder and the folders above it that are missing, each recorded as created. */
  private async makeTarget(): Promise<void> {
    const missing: string[] = [];
    for (let path = this.target; ; ) {
      try {
        await fsp.stat(path);
        break;
      } catch (error) {
        if (codeOf(error) !== 'ENOENT') throw error;
        missing.unshift(path);
        const up = resolve(path, '..');
        if (up === path) break;
        path = up;
      }
    }
    for (const path of missing) await this.mkdirTracked(path);
  }

  async write(rendered: readonly { name: string; text: string }[]): Promise<void> {
    const names = rendered.map((f) => f.name);
    await this.makeTarget();
    await this.checkNoFolderInTheWay(names);
    await this.mkdirTracked(join(this.target, STATE_FOLDER));
    await this.mkdirTracked(this.setDir);
    await this.removeLeftovers();

    // The new generation, complete before anything points at it.
    const { name: gen, path: genDir } = this.claim('gen');
    await this.fs.mkdir(genDir);
    this.own.push(genDir);
    for (const file of rendered) await this.fs.writeFile(join(genDir, file.name), file.text);
    this.checkCancelled();

    // The temporary link that will replace `current`; a file system without links falls back.
    const swap = this.claim('link').path;
    try {
      await this.fs.symlink(gen, swap, 'dir');
    } catch (error) {
      if (NO_SYMLINKS.has(codeOf(error) ?? '')) return this.renameIntoPlace(genDir, names);
      throw error;
    }
    this.own.push(swap);

    let previous = await readlinkOrUndefined(this.current);
    if (previous === undefined) previous = await this.adoptPlainFiles(names);
    await this.ensureLinks(names);
    this.checkCancelled();
    await this.fs.rename(swap, this.current); // the commit
    this.committed = true;
    this.own.splice(this.own.indexOf(swap), 1);
    try {
      await this.tidy(names, gen, previous);
    } catch {
      // The new set is in place; what is left is removed by the next write.
    }
  }

  /** After the commit: links repaired, stale links and superseded generations removed. */
  private async tidy(names: readonly string[], gen: string, previous: string | undefined): Promise<void> {
    await this.ensureLinks(names); // a link another writer's failed write removed meanwhile
    await this.removeStaleLinks(names);
    const now = await readlinkOrUndefined(this.current);
    if (previous !== undefined && previous !== now && ENTRY.test(previous)) {
      await this.fs.rm(join(this.setDir, previous));
    }
    if (now !== gen) await this.fs.rm(join(this.setDir, gen)); // another writer committed after this one
  }

  /** A folder where a file of the set should go would fail midway: refuse before writing anything. */
  private async checkNoFolderInTheWay(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const path = join(this.target, name);
      try {
        if ((await fsp.lstat(path)).isDirectory()) {
          throw inputError(
            'invalid-value',
            this.option,
            `${shownPath(path)} is a folder, where the file ${name} should go; remove it or give another ${this.option}`,
          );
        }
      } catch (error) {
        if (codeOf(error) !== 'ENOENT') throw error;
      }
    }
  }

  /**
   * The first write into a folder that holds plain files of the set (written by an earlier
   * version): they become a generation of their own (hard links, else copies) and `current`
   * points at it, so that replacing each file with a link changes nothing a reader sees.
   * Returns that generation's name, if any.
   */
  private async adoptPlainFiles(names: readonly string[]): Promise<string | undefined> {
    const plain: string[] = [];
    for (const name of names) {
      try {
        if ((await fsp.lstat(join(this.target, name))).isFile()) plain.push(name);
      } catch (error) {
        if (codeOf(error) !== 'ENOENT') throw error;
      }
    }
    if (plain.length === 0) return undefined;
    const { name: gen, path: genDir } = this.claim('gen');
    await this.fs.mkdir(genDir);
    this.own.push(genDir);
    for (const name of plain) {
      try {
        await this.fs.link(join(this.target, name), join(genDir, name));
      } catch {
        await this.fs.copyFile(join(this.target, name), join(genDir, name));
      }
    }
    const swap = this.claim('link').path;
    await this.fs.symlink(gen, swap, 'dir');
    this.own.push(swap);
    await this.fs.rename(swap, this.current);
    // From here `current` shows the earlier files: they stay if this write fails.
    this.own.splice(this.own.indexOf(swap), 1);
    this.own.splice(this.own.indexOf(genDir), 1);
    return gen;
  }

  /** Every user-facing name a link into `current` (a link, or a plain file, replaced by rename). */
  private async ensureLinks(names: readonly string[]): Promise<void> {
    for (const name of names) {
      const path = join(this.target, name);
      const want = this.linkTarget(name);
      let existing: string | undefined | null;
      try {
        existing = await fsp.readlink(path);
      } catch (error) {
        if (codeOf(error) === 'ENOENT') existing = null;
        else if (codeOf(error) === 'EINVAL')
          existing = undefined; // not a link
        else throw error;
      }
      if (existing === want) continue;
      const temp = this.claim('link').path;
      await this.fs.symlink(want, temp, 'file');
      this.own.push(temp);
      await this.fs.rename(temp, path);
      this.own.splice(this.own.indexOf(temp), 1);
      if (existing === null) this.freshLinks.push(path);
    }
  }

  /** Links of this set to files the new set no longer has (an older version's file list). */
  private async removeStaleLinks(names: readonly string[]): Promise<void> {
    const prefix = join(STATE_FOLDER, this.set, CURRENT, '');
    for (const entry of await fsp.readdir(this.target, { withFileTypes: true })) {
      if (!entry.isSymbolicLink() || names.includes(entry.name)) continue;
      const path = join(this.target, entry.name);
      const target = await readlinkOrUndefined(path);
      if (target?.startsWith(prefix)) await this.fs.unlink(path).catch(() => {});
    }
  }

  /**
   * Removes the generations and temporary links of writers that are gone: a dead process of
   * this host, a process of this one not writing now, or (another host's) older than a day.
   * `current`'s generation is never removed; the pid is checked before `current` is read, so a
   * writer that committed and died in between is seen.
   */
  private async removeLeftovers(): Promise<void> {
    for (const name of await fsp.readdir(this.setDir)) {
      const match = ENTRY.exec(name);
      if (!match) continue;
      const path = join(this.setDir, name);
      const [, , owner, pidText] = match;
      const pid = Number(pidText);
      let gone: boolean;
      if (owner !== OWNER) {
        const stat = await fsp.lstat(path).catch(() => undefined);
        gone = stat !== undefined && Date.now() - stat.mtimeMs > FOREIGN_LEFTOVER_MS;
      } else if (pid === process.pid) {
        gone = !inProgress.has(path);
      } else {
        gone = !pidAlive(pid);
      }
      if (!gone || (await readlinkOrUndefined(this.current)) === name) continue;
      await this.fs.rm(path);
    }
  }

  /** Without symbolic links: each file renamed into place from the generation folder. */
  private async renameIntoPlace(genDir: string, names: readonly string[]): Promise<void> {
    this.checkCancelled();
    for (const name of names) await this.fs.rename(join(genDir, name), join(this.target, name));
    this.committed = true;
    await this.fs.rmdir(genDir);
    await this.fs.rmdir(this.setDir).catch(() => {});
    await this.fs.rmdir(join(this.target, STATE_FOLDER)).catch(() => {});
  }

  /** After a failure before the commit: what this write created goes (a committed set stays). */
  async undo(): Promise<void> {
    if (this.committed) return;
    for (const path of this.own) await this.fs.rm(path).catch(() => {});
    // Links this write made where nothing was, that lead nowhere (no set was there before).
    for (const path of this.freshLinks) {
      const leads = await fsp.stat(path).then(
        () => true,
        () => false,
      );
      if (!leads) await this.fs.unlink(path).catch(() => {});
    }
    // Innermost first; a folder another writer has put something in stays.
    for (const path of [...this.createdDirs].reverse()) {
      try {
        await this.fs.rmdir(path);
      } catch {
        break;
      }
    }
  }

  done(): void {
    for (const path of this.claimed) inProgress.delete(path);
  }
}
