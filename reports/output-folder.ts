/**
 * Output folders (`--out`, DESIGN §9): the default one is a single safe folder name under `out/`;
 * a given one is checked before any work (an empty path, the root, a file, a dangling symbolic
 * link, a folder this user cannot write, a name too long: bad input, exit 2, naming `--out`); and
 * a write that fails on the file system (a full disk, a read-only mount) becomes the same kind of
 * message instead of an internal error.
 */
import { accessSync, constants, lstatSync, readlinkSync, statSync } from 'node:fs';
import { dirname, join, parse, relative, resolve, sep } from 'node:path';
import { InputError, inputError } from '../models/diagnostics.ts';

/** Where the default output folders go, relative to the current folder. */
export const OUT_ROOT = 'out';

/** Longest folder name `folderNameOf` gives, in UTF-8 bytes (file systems allow 255). */
const MAX_FOLDER_NAME_BYTES = 100;

/** What `folderNameOf` gives for a name with nothing usable in it (`..`, `///`). */
const UNNAMED = 'unnamed';

/**
 * A workload's or sweep's name as one safe folder name: letters, digits, `.`, `_` and `-` kept
 * (so `mediswift-xl-s75` stays as it is), every other run of characters (`/`, `\`, spaces,
 * control characters) one `-`; no leading `.` or `-` (never `..`, a hidden folder or an
 * option-like name), no trailing `.` or `-`; at most 100 bytes.
 */
export function folderNameOf(name: string): string {
  const clean = (text: string) =>
    text
      .replace(/[^\p{L}\p{N}._-]+/gu, '-')
      .replace(/^[.-]+/, '')
      .replace(/[.-]+$/, '');
  let slug = clean(name.normalize('NFC'));
  if (Buffer.byteLength(slug) > MAX_FOLDER_NAME_BYTES) {
    let cut = '';
    for (const char of slug) {
      if (Buffer.byteLength(cut + char) > MAX_FOLDER_NAME_BYTES) break;
      cut += char;
    }
    slug = clean(cut);
  }
  return slug === '' ? UNNAMED : slug;
}

/** The default output folder of something named `name`: `out/<folderNameOf(name)>[/below…]`. */
export function defaultOutDir(name: string, ...below: string[]): string {
  return join(OUT_ROOT, folderNameOf(name), ...below);
}

/** `path` as messages show it: relative to the current folder when it is below it, a long one elided. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  const text = rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) ? rel : path;
  return text.length > 120 ? `${text.slice(0, 60)}…${text.slice(-40)}` : text;
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied (this user may not create files there)',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  ENAMETOOLONG: 'a name in the path is too long',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ELOOP: 'too many levels of symbolic links (a loop?)',
  EISDIR: 'a folder is where a file should be',
  EEXIST: 'something is already there',
  ENOENT: 'a folder on the path does not exist (removed while writing?)',
  EXDEV: 'the path crosses file systems',
  EIO: 'an input/output error of the device',
  EFBIG: 'a file is too large for the file system',
  EBUSY: 'the path is busy',
  EMLINK: 'too many links',
  ENOTEMPTY: 'a folder that should be empty is not',
};

function errnoOf(error: unknown): { code: string; path?: string } | undefined {
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') return undefined;
  const path = 'path' in error && typeof error.path === 'string' ? error.path : undefined;
  return path === undefined ? { code: error.code } : { code: error.code, path };
}

/** For ENAMETOOLONG: the first name of `path` longer than 255 bytes, shortened for the message. */
function tooLongName(path: string): string {
  const long = resolve(path)
    .split(sep)
    .find((part) => Buffer.byteLength(part) > 255);
  return long === undefined
    ? ''
    : `: '${long.slice(0, 24)}…' is ${Buffer.byteLength(long)} bytes long, file systems allow 255`;
}

/**
 * A file-system error met while writing into the output folder `dir`, as bad input naming
 * `option` (`--out`), the folder and what is wrong; any other error is returned as it is.
 */
export function outputError(error: unknown, dir: string, option = '--out'): unknown {
  if (error instanceof InputError) return error;
  const errno = errnoOf(error);
  const reason = errno && REASONS[errno.code];
  if (errno === undefined || reason === undefined) return error;
  const at =
    errno.path !== undefined && resolve(errno.path) !== resolve(dir) ? ` at ${shownPath(errno.path)}` : '';
  const long = errno.code === 'ENAMETOOLONG' ? tooLongName(errno.path ?? dir) : '';
  return inputError(
    'invalid-value',
    option,
    `cannot write the files into ${shownPath(resolve(dir))}: ${reason}${long} (${errno.code}${at})`,
  );
}

function writable(path: string, dir: string, option: string, what: string): void {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno?.code === 'EACCES' || errno?.code === 'EPERM') {
      throw inputError(
        'invalid-value',
        option,
        `${shownPath(resolve(dir))}: ${what} ${shownPath(path)}: permission denied (this user may not create files in it)`,
      );
    }
    if (errno?.code === 'EROFS') {
      throw inputError(
        'invalid-value',
        option,
        `${shownPath(resolve(dir))}: ${what} ${shownPath(path)}, which is on a read-only file system`,
      );
    }
    throw outputError(error, dir, option);
  }
}

/**
 * Checks, before any work, that the files can go into folder `dir` (created if missing); throws
 * bad input naming `option` otherwise. Reads only: nothing is created.
 */
export function checkOutDir(dir: string, option = '--out'): void {
  if (dir.trim() === '') {
    throw inputError(
      'invalid-value',
      option,
      `an empty path; give the folder for the files (it is created if missing), e.g. ${option} out/run1`,
    );
  }
  const target = resolve(dir);
  if (target === parse(target).root) {
    throw inputError(
      'invalid-value',
      option,
      `'${dir}' is the root of the file system; give a folder for the files, e.g. ${option} out/run1`,
    );
  }
  // The folder, or the nearest folder above it that exists (where it will be created).
  let path = target;
  for (;;) {
    let isLink: boolean;
    try {
      isLink = lstatSync(path).isSymbolicLink();
    } catch (error) {
      const code = errnoOf(error)?.code;
      // Missing, or below a file (ENOTDIR): look further up for what is there.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw outputError(error, dir, option);
      const up = dirname(path);
      if (up === path) throw outputError(error, dir, option);
      path = up;
      continue;
    }
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      if (isLink && errnoOf(error)?.code === 'ENOENT') {
        throw inputError(
          'invalid-value',
          option,
          `${shownPath(path)} is a symbolic link to '${readlinkSync(path)}', which does not exist; create that folder or give another ${option}`,
        );
      }
      throw outputError(error, dir, option);
    }
    if (path === target) {
      if (!isDirectory) {
        throw inputError(
          'invalid-value',
          option,
          `${shownPath(target)} is a file, not a folder; give a folder for the files (it is created if missing)`,
        );
      }
      writable(path, dir, option, 'cannot create files in');
      return;
    }
    if (!isDirectory) {
      throw inputError(
        'invalid-value',
        option,
        `${shownPath(target)}: ${shownPath(path)} is a file, not a folder, so the folder cannot be created below it`,
      );
    }
    writable(path, dir, option, 'cannot create the folder in');
    return;
  }
}
