/**
 * Expected failures are data (STYLE §4): a `Diagnostic` names what is wrong (`code`), where
 * (`path`: a file, a dotted field path, or both) and what would be accepted. Validation functions
 * return them; `InputError` carries them to the edge (the CLI), which prints them and exits 2.
 */
import type { z } from 'zod';

export type DiagnosticCode =
  | 'invalid-value'
  | 'invalid-type'
  | 'unknown-key'
  | 'unknown-preset'
  | 'missing-file'
  | 'malformed-json'
  | 'shape-mismatch'
  | 'unsupported-format'
  | 'infeasible'
  | 'too-large';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  /** Dotted path into the input (`sparsity.level`), or a file name, or both (`run.json: sparsity.level`). */
  readonly path: string;
  readonly message: string;
}

/** Thrown at the edge when user input cannot be used. Not for bugs. */
export class InputError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'InputError';
    this.diagnostics = diagnostics;
  }
}

export function inputError(code: DiagnosticCode, path: string, message: string): InputError {
  return new InputError([{ code, path, message }]);
}

export function formatDiagnostic(d: Diagnostic): string {
  return d.path ? `${d.path}: ${d.message}` : d.message;
}

/** Levenshtein distance, for did-you-mean suggestions on short identifiers. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a small edit distance, if any. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(input.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export function unknownNameMessage(kind: string, name: string, known: readonly string[]): string {
  const suggestion = didYouMean(name, known);
  const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
  return `unknown ${kind} '${name}'.${hint} Known: ${known.join(', ')}.`;
}

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  const parts = path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)));
  const dotted = parts.reduce((acc, p) => (p.startsWith('[') || acc === '' ? acc + p : `${acc}.${p}`), '');
  if (prefix && dotted) return `${prefix}.${dotted}`;
  return prefix || dotted || '(root)';
}

/**
 * Turns zod issues into diagnostics a person can act on. `knownKeys` lets an unknown key get a
 * did-you-mean from the keys of the object it sits in.
 */
export function diagnosticsFromZod(
  error: z.ZodError,
  options: {
    prefix?: string;
    file?: string;
    knownKeysAt?: (path: readonly PropertyKey[]) => readonly string[];
  } = {},
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of error.issues) {
    const path = joinPath(options.prefix ?? '', issue.path);
    const located = options.file ? `${options.file}: ${path}` : path;
    if (issue.code === 'unrecognized_keys') {
      const known = options.knownKeysAt?.(issue.path) ?? [];
      for (const key of issue.keys) {
        const suggestion = didYouMean(key, known);
        const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
        const list = known.length ? ` Accepted keys: ${known.join(', ')}.` : '';
        out.push({ code: 'unknown-key', path: located, message: `unknown key '${key}'.${hint}${list}` });
      }
      continue;
    }
    const code = issue.code === 'invalid_type' ? 'invalid-type' : 'invalid-value';
    out.push({ code, path: located, message: issue.message });
  }
  return out;
}

/** A bound as a reader writes it: 8192, 1,073,741,824, 1e18. */
export function formatBound(value: unknown): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1e13) return value.toExponential().replace('e+', 'e');
  return value.toLocaleString('en-US', { maximumFractionDigits: 20 });
}
