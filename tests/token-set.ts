/**
 * A set of files for the tests of the atomic writer (reports/atomic-write.ts): every file of one
 * write carries the same token, so a folder showing a mix of two writes, a file missing from a
 * set or a file cut short is seen at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RenderedFile } from '../reports/atomic-write.ts';

export const TOKEN_NAMES = ['report.md', 'report.json', 'report.csv', 'ops.csv', 'report.html'] as const;

/** The set's name under `<out>/.wafersim/`. */
export const TOKEN_SET = 'report';

/** Each file is `<token>\n<name>\n` plus some bulk, so writing one takes more than one call. */
export function tokenText(token: string, name: string): string {
  return `${token}\n${name}\n${'x'.repeat(64 * 1024)}\n`;
}

export const TOKEN_FILES: readonly RenderedFile<string>[] = TOKEN_NAMES.map((name) => ({
  name,
  render: (token: string) => tokenText(token, name),
}));

function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

/** The token of each file of the set in `dir`, null for a file not there; a file cut short throws. */
export function tokensIn(dir: string): (string | null)[] {
  return TOKEN_NAMES.map((name) => {
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return null;
      throw error;
    }
    const token = text.slice(0, text.indexOf('\n'));
    if (text !== tokenText(token, name))
      throw new Error(`${name} in ${dir} is not whole: ${text.slice(0, 40)}`);
    return token;
  });
}

/**
 * What folder `dir` shows through the names users open: `null` when none of the files is there,
 * the token when all are there, whole, with one token; anything else (a mix, a file missing, a
 * file cut short) throws, describing it.
 */
export function tokenSetIn(dir: string): string | null {
  const tokens = tokensIn(dir);
  if (tokens.every((t) => t === null)) return null;
  if (tokens.some((t) => t !== tokens[0])) {
    throw new Error(`a mix in ${dir}: ${TOKEN_NAMES.map((n, i) => `${n}=${tokens[i]}`).join(', ')}`);
  }
  return tokens[0]!;
}

/** The entries of `<dir>/.wafersim/<set>/`, sorted (`current` and the generations). */
export function stateEntries(dir: string, set = TOKEN_SET): string[] {
  return readdirSync(join(dir, '.wafersim', set)).sort();
}
