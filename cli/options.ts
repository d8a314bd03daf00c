/**
 * Parsing of command-line option values. A bad value is an InputError naming the option and what
 * would be accepted (exit code 2), never a NaN carried on.
 */
import { formatBound, inputError } from '../models/diagnostics.ts';

const SUFFIX: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9, G: 1e9, T: 1e12 };

/** A finite number; `26e9`, `26B`, `2.5M` and `1T` are accepted where `allowSuffix` is set. */
export function parseNumberOption(option: string, text: string, allowSuffix = false): number {
  const match = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([kKMBGT]?)\s*$/i.exec(text);
  const suffix = match?.[2] ?? '';
  if (!match || (suffix && !allowSuffix)) {
    const accepted = allowSuffix ? 'a number such as 26e9 or 26B (suffixes k, M, B/G, T)' : 'a number';
    throw inputError('invalid-value', option, `'${text}' is not ${accepted}`);
  }
  const value = Number(match[1]) * (suffix ? SUFFIX[suffix]! : 1);
  if (!Number.isFinite(value)) throw inputError('invalid-value', option, `'${text}' is not a finite number`);
  return value;
}

export function parsePositiveNumberOption(option: string, text: string, allowSuffix = false): number {
  const value = parseNumberOption(option, text, allowSuffix);
  if (!(value > 0)) throw inputError('invalid-value', option, `'${text}' must be a positive number`);
  return value;
}

export function parsePositiveIntOption(
  option: string,
  text: string,
  allowSuffix = false,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = parseNumberOption(option, text, allowSuffix);
  if (!Number.isSafeInteger(value) || value <= 0 || value > max) {
    const most = max < Number.MAX_SAFE_INTEGER ? ` of at most ${formatBound(max)}` : '';
    throw inputError('invalid-value', option, `'${text}' must be a positive integer${most}`);
  }
  return value;
}

/** A sparsity level: a fraction of zero weights in [0, 1). */
export function parseSparsityOption(option: string, text: string): number {
  const value = parseNumberOption(option, text);
  if (value < 0 || value >= 1) {
    const hint = value >= 1 && value < 100 ? ` (did you mean ${value / 100}?)` : '';
    throw inputError(
      'invalid-value',
      option,
      `sparsity must be a fraction of zero weights in [0, 1), e.g. 0.75; got ${text}${hint}`,
    );
  }
  return value;
}

/** Collects a repeatable option's values in the order given (commander's argParser). */
export function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

export const SET_OPTION = '--set <path=value>';
export const SET_HELP =
  "override a field of the workload file for this command, repeatable: a dotted path as in a sweep's vary, " +
  'e.g. --set hardware.fmacsPerCycle=8 --set sparsity=0.5 (values are JSON, or plain strings)';

/** The simulation fidelities (DESIGN §6). */
export const FIDELITIES = ['row', 'wavelet'] as const;
export type Fidelity = (typeof FIDELITIES)[number];

/** `--fidelity`: one of FIDELITIES; `note` is added to the refusal of anything else. */
export function parseFidelity(text: string, note = ''): Fidelity {
  if ((FIDELITIES as readonly string[]).includes(text)) return text as Fidelity;
  throw inputError(
    'invalid-value',
    '--fidelity',
    `'${text}' is not a fidelity; accepted: ${FIDELITIES.join(', ')}${note}`,
  );
}
