/**
 * Every file wafersim reads from a user (workload, sweep, hardware and model files, mask tensors,
 * a shard's sweep.json, a result folder's report.json) comes through here, so that no input can
 * make it read forever or run out of memory. A file must be a regular file after following
 * symbolic links (a link to a regular file is fine: result folders may link their files into a
 * generation folder); a folder, a device such as /dev/zero, a FIFO or a socket is refused with
 * what it is. The file is opened without blocking (a FIFO with no writer would block the open),
 * checked on its descriptor (so it cannot be swapped between the check and the read), refused if
 * its size is over the reader's cap, and then read from that descriptor: never more than the cap
 * plus one byte, so a file that grows while it is read is caught too. Failures are InputErrors
 * (exit 2) that name the file and say in words what is wrong.
 */
import { constants as bufferConstants } from 'node:buffer';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  type Stats,
  statSync,
} from 'node:fs';
import { type DiagnosticCode, InputError } from './diagnostics.ts';

const MiB = 2 ** 20;

/** The most one read returns: the largest buffer Node.js allocates (4 GiB on 64-bit systems). */
const MAX_READ_BYTES = bufferConstants.MAX_LENGTH;

/**
 * The cap of a JSON file: 500 MiB. A 1000-point sweep.json of a two-phase workload weighs
 * 26.5 MiB (about 27 KB a point, most of it each point's `run`), so this reads back a sweep of
 * some 19,000 such points: any sweep.json wafersim can write, since a JavaScript string (what the
 * file is written from and parsed as) holds at most 512 MiB. Workload, sweep and hardware files
 * are a few KB.
 */
export const MAX_JSON_FILE_BYTES = 500 * MiB;

export interface InputFileOptions {
  /** The diagnostic's `path`: how the input is named (a display path, a tensor name). */
  readonly where: string;
  /** How messages name the file; default the path as given to the reader. */
  readonly shown?: string;
  /** What would be accepted, for messages: 'a .json file'. */
  readonly expected: string;
}

/** An input file opened for reading: its descriptor and its size when opened. */
export interface InputFile {
  readonly fd: number;
  readonly size: number;
  readonly path: string;
  readonly options: InputFileOptions;
}

function fail(code: DiagnosticCode, options: InputFileOptions, message: string): InputError {
  // A message that begins with the path names it already: `/dev/zero is a character device…`,
  // not `/dev/zero: /dev/zero is a character device…`.
  const named = message.startsWith(`${options.where} `);
  return new InputError([{ code, path: named ? '' : options.where, message }]);
}

/** `1.5 GiB (1,610,612,736 bytes)`: a size as a reader would say it, exact in bytes. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const exact = `${bytes.toLocaleString('en-US')} bytes`;
  if (unit === 0) return exact;
  const rounded = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${rounded} ${units[unit]} (${exact})`;
}

/** What a file system object is, in words, for one that is not a regular file. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** ` (a symbolic link to /dev/zero)` when `path` is a link, else ''. */
function linkNote(path: string): string {
  try {
    if (!lstatSync(path).isSymbolicLink()) return '';
    return ` (a symbolic link to ${readlinkSync(path)})`;
  } catch {
    return '';
  }
}

/** An error from opening, inspecting or reading `path`, in words. */
export function fileSystemError(error: unknown, path: string, options: InputFileOptions): InputError {
  const shown = options.shown ?? path;
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': {
      const link = linkNote(path);
      return fail(
        'missing-file',
        options,
        link ? `${shown}${link} leads to no file` : `no such file: ${shown}`,
      );
    }
    case 'ENOTDIR':
      return fail(
        'missing-file',
        options,
        `no such file: ${shown} (a part of its path is a file, not a folder)`,
      );
    case 'ELOOP':
      return fail(
        'missing-file',
        options,
        `${shown} is a loop of symbolic links (or a chain of more than 40), so it leads to no file; expected ${options.expected}`,
      );
    case 'EACCES':
    case 'EPERM':
      return fail('missing-file', options, `${shown} cannot be read: permission denied`);
    case 'ENAMETOOLONG':
      return fail(
        'missing-file',
        options,
        `the path is too long for the file system (a name may have at most 255 bytes, a path 4096): ${shown.slice(0, 120)}…`,
      );
    case 'EISDIR':
      return fail('unsupported-format', options, `${shown} is a folder; expected ${options.expected}`);
    case 'ENXIO':
      return fail(
        'unsupported-format',
        options,
        `${shown}${linkNote(path)} is a socket or a device with nothing behind it, not a regular file; expected ${options.expected}`,
      );
    default:
      return fail('missing-file', options, `cannot read ${shown}: ${(error as Error).message}`);
  }
}

function notRegular(stats: Stats, path: string, options: InputFileOptions): InputError {
  const shown = options.shown ?? path;
  if (stats.isDirectory()) {
    return fail(
      'unsupported-format',
      options,
      `${shown}${linkNote(path)} is a folder; expected ${options.expected}`,
    );
  }
  return fail(
    'unsupported-format',
    options,
    `${shown}${linkNote(path)} is ${kindOf(stats)}, not a regular file; expected ${options.expected}`,
  );
}

/** The refusal of a file over its cap, naming both sizes. */
export function tooLarge(
  file: Pick<InputFile, 'path' | 'options'>,
  size: number,
  cap: number,
  what: string,
): InputError {
  const shown = file.options.shown ?? file.path;
  return fail(
    'invalid-value',
    file.options,
    `${shown} is ${formatBytes(size)}; ${what} at most ${formatBytes(cap)}`,
  );
}

// O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
// O_NOCTTY: opening a terminal device does not make it the process's controlling terminal.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/**
 * Opens a regular file for reading, or throws an InputError naming what is there instead. The
 * path is looked at first (stat opens nothing, so a device is refused before it is opened), then
 * the descriptor, which is what the read will use.
 */
export function openInputFile(path: string, options: InputFileOptions): InputFile {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw fileSystemError(error, path, options);
  }
  if (!stats.isFile()) throw notRegular(stats, path, options);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw fileSystemError(error, path, options);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw notRegular(opened, path, options);
    return { fd, size: opened.size, path, options };
  } catch (error) {
    closeSync(fd);
    if (error instanceof InputError) throw error;
    throw fileSystemError(error, path, options);
  }
}

export function closeInputFile(file: InputFile): void {
  closeSync(file.fd);
}

/** Opens `path`, hands it to `use`, and closes it whatever happens. */
export function withInputFile<T>(path: string, options: InputFileOptions, use: (file: InputFile) => T): T {
  const file = openInputFile(path, options);
  try {
    return use(file);
  } finally {
    closeInputFile(file);
  }
}

/** Reads into `buffer` from `position` until it is full or the file ends; returns the bytes read. */
function readInto(file: InputFile, buffer: Uint8Array, position: number): number {
  let total = 0;
  while (total < buffer.length) {
    let n: number;
    try {
      n = readSync(file.fd, buffer, total, buffer.length - total, position + total);
    } catch (error) {
      throw fileSystemError(error, file.path, file.options);
    }
    if (n === 0) break;
    total += n;
  }
  return total;
}

/**
 * `length` bytes from `position`, or fewer if the file ends first (the caller says what that
 * means for its format). The caller bounds `length` by what the file's header declares.
 */
export function readInputRange(file: InputFile, position: number, length: number): Uint8Array {
  if (length > MAX_READ_BYTES) {
    const shown = file.options.shown ?? file.path;
    throw fail(
      'invalid-value',
      file.options,
      `${shown}: cannot read ${formatBytes(length)} at once; Node.js holds at most ${formatBytes(MAX_READ_BYTES)} in one buffer`,
    );
  }
  const buffer = new Uint8Array(length);
  const read = readInto(file, buffer, position);
  return read === length ? buffer : buffer.subarray(0, read);
}

/**
 * The whole of a regular file of at most `maxBytes` bytes. A file over the cap is refused from its
 * size, before anything is read; at most `maxBytes` + 1 bytes are read, so one that grows past the
 * cap while it is read is refused too. `capWhat` says whose cap it is ('a JSON file may be', followed
 * by 'at most 500 MiB' in the message).
 */
export function readInputFile(
  path: string,
  options: InputFileOptions & { readonly maxBytes: number; readonly capWhat: string },
): Uint8Array {
  return withInputFile(path, options, (file) => {
    if (file.size > options.maxBytes) throw tooLarge(file, file.size, options.maxBytes, options.capWhat);
    // One byte more than the size it had when opened shows whether it grew.
    let buffer = new Uint8Array(Math.min(options.maxBytes + 1, file.size + 1));
    let total = readInto(file, buffer, 0);
    while (total === buffer.length && total <= options.maxBytes) {
      const grown = new Uint8Array(Math.min(options.maxBytes + 1, buffer.length * 2));
      grown.set(buffer);
      buffer = grown;
      total += readInto(file, buffer.subarray(total), total);
      if (total < buffer.length) break;
    }
    if (total > options.maxBytes) {
      throw fail(
        'invalid-value',
        options,
        `${options.shown ?? path} holds more than ${formatBytes(options.maxBytes)}, though its size said ` +
          `${formatBytes(file.size)} when it was opened; ${options.capWhat} at most ${formatBytes(options.maxBytes)}`,
      );
    }
    return buffer.subarray(0, total);
  });
}
