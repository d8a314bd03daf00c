/**
 * Reading a JSON file a user wrote, with failures as diagnostics: a missing file names its path,
 * malformed JSON names file:line:column. V8 gives "at position N" for most syntax errors but
 * only a snippet for an unexpected token, so the location comes from a small scanner instead.
 */
import { existsSync, lstatSync, statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { inputError } from './diagnostics.ts';
import { MAX_JSON_FILE_BYTES, readInputFile } from './input-file.ts';
import { checkJsonDepth } from './json-depth.ts';

/** Offset of the first JSON syntax error in `text`; undefined when it is valid JSON, or nested too deep to scan. */
export function locateJsonError(text: string): number | undefined {
  let i = 0;
  const fail = (at: number): never => {
    throw new JsonSyntaxAt(at);
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[i] !== char) fail(i);
    i++;
  };
  const scanString = () => {
    if (text[i] !== '"') fail(i);
    i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else fail(i + 1);
      } else if (c < ' ') fail(i);
      else i++;
    }
    fail(i);
  };
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const scanDigits = () => {
    if (!isDigit(text[i])) fail(i);
    while (isDigit(text[i])) i++;
  };
  const scanNumber = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else scanDigits();
    if (text[i] === '.') {
      i++;
      scanDigits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      scanDigits();
    }
  };
  const scanValue = (depth: number): void => {
    // Deeper than any workload: give up (the caller falls back to V8's position) before the call stack does.
    if (depth > 512) throw new TooDeep();
    skipSpace();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skipSpace();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          skipSpace();
          scanString();
          expect(':');
        }
        scanValue(depth + 1);
        skipSpace();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail(i);
      }
    }
    if (c === '"') {
      scanString();
      return;
    }
    const word = ['true', 'false', 'null'].find((w) => w[0] === c);
    if (word !== undefined) {
      // Letter by letter, as V8 does, so that the error sits on the first wrong letter.
      for (const letter of word) {
        if (text[i] !== letter) fail(i);
        i++;
      }
      return;
    }
    scanNumber();
  };
  try {
    scanValue(0);
    skipSpace();
    if (i < text.length) fail(i);
    return undefined;
  } catch (e) {
    if (e instanceof JsonSyntaxAt) return e.offset;
    if (e instanceof TooDeep) return undefined;
    throw e;
  }
}

class JsonSyntaxAt {
  constructor(readonly offset: number) {}
}

class TooDeep {}

/** 1-based line and column (UTF-16 units) of an offset. */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

/** V8's reason without its position or source snippet. */
function reasonOf(message: string): string {
  const token = /^(Unexpected token .*?), ".*" is not valid JSON$/s.exec(message);
  if (token) return token[1]!;
  return message.replace(/ in JSON at position \d+.*$/s, '').replace(/ \(line \d+ column \d+\)/, '');
}

/** Parses JSON text; a syntax error becomes a 'malformed-json' diagnostic at file:line:column. */
export function parseJsonText(text: string, file: string): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const position = /at position (\d+)/.exec(e.message);
    const offset = locateJsonError(body) ?? (position ? Number(position[1]) : 0);
    const { line, column } = lineColumnAt(body, offset);
    throw inputError(
      'malformed-json',
      `${file}:${line}:${column}`,
      `malformed JSON: ${reasonOf(e.message)}. JSON allows no comments and no trailing commas`,
    );
  }
}

/**
 * Reads and parses a JSON file; `display` is how the file is named in diagnostics. The file must
 * be a regular file (a symbolic link to one is fine) of at most MAX_JSON_FILE_BYTES.
 */
export function readJsonFile(absolutePath: string, display: string): unknown {
  const bytes = readInputFile(absolutePath, {
    where: display,
    expected: 'a .json file',
    maxBytes: MAX_JSON_FILE_BYTES,
    capWhat: 'a JSON file may be',
  });
  const value = parseJsonText(new TextDecoder().decode(bytes), display);
  // Before anything walks it recursively (a merge, a schema, JSON.stringify).
  checkJsonDepth(value, display);
  return value;
}

/** Whether a reference names a file rather than a preset. */
export function looksLikePath(ref: string): boolean {
  return ref.endsWith('.json') || /[\\/]/.test(ref);
}

/** Whether `path` is an existing regular file (or a symbolic link to one). */
export function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/**
 * Whether anything is at `path`: a file, a folder, a device, a FIFO, or a symbolic link, even one
 * that leads nowhere. A loader reads such a path (and the reader says what is wrong with it)
 * rather than calling it missing.
 */
export function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** How a file is named in diagnostics: relative to `cwd` when it lies below it, else absolute. */
export function displayPath(absolutePath: string, cwd: string = process.cwd()): string {
  const rel = relative(cwd, absolutePath);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolutePath;
}
