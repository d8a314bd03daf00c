/**
 * From zod issues to diagnostics a person can act on: every message names its field and what the
 * field accepts, a failed union reports the alternative the input was evidently meant to be, and
 * an unknown key gets a did-you-mean from the keys of the object it sits in.
 */
import { z } from 'zod';
import {
  type Diagnostic,
  type DiagnosticCode,
  diagnosticsFromZod,
  formatBound,
} from '../models/diagnostics.ts';
import { describeInput } from './workload-schema.ts';

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

const EXPECTED: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  record: 'an object',
  map: 'an object',
};

function quoteAll(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
}

interface CheckDef {
  readonly check?: string;
  readonly format?: string;
  readonly value?: unknown;
  readonly inclusive?: boolean;
}

/** "a positive integer", "a number ≥ 0.5", … from the checks of a number schema. */
function acceptedNumber(schema: z.core.$ZodType): string {
  let integer = false;
  let lower: CheckDef | undefined;
  let upper: CheckDef | undefined;
  for (const check of (schema._zod.def.checks ?? []) as readonly z.core.$ZodCheck[]) {
    const def = check._zod.def as CheckDef;
    if (def.check === 'number_format' && /int/.test(def.format ?? '')) integer = true;
    if (def.check === 'greater_than') lower = def;
    if (def.check === 'less_than') upper = def;
  }
  const noun = integer ? 'integer' : 'number';
  if (lower?.value === 0 && upper === undefined)
    return lower.inclusive ? `a non-negative ${noun}` : `a positive ${noun}`;
  const bounds = [
    lower && `${lower.inclusive ? '≥' : '>'} ${formatBound(lower.value)}`,
    upper && `${upper.inclusive ? '≤' : '<'} ${formatBound(upper.value)}`,
  ].filter(Boolean);
  return `${integer ? 'an integer' : 'a number'}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

/** What the schema that raised an issue accepts, with its description when it has one. */
function accepted(issue: z.core.$ZodRawIssue): string | undefined {
  const schema = ((issue as { schema?: z.core.$ZodType }).schema ?? issue.inst) as
    | z.core.$ZodType
    | undefined;
  if (schema === undefined || !('_zod' in schema)) return undefined;
  const description = z.globalRegistry.get(schema)?.description;
  const def = schema._zod.def as z.core.$ZodTypeDef & { entries?: Record<string, unknown> };
  let what: string | undefined;
  if (def.type === 'number') what = acceptedNumber(schema);
  else if (def.type === 'enum' && def.entries) what = `one of ${quoteAll(Object.values(def.entries))}`;
  else if (issue.code === 'invalid_type') what = EXPECTED[issue.expected] ?? issue.expected;
  if (what === undefined) return undefined;
  return description ? `${what} (${description})` : what;
}

/**
 * Per-parse messages for the schemas that bring none of their own (hardware overrides, mask
 * sources). They start with "must" or "is required" and get the field name put in front later.
 */
export const workloadErrorMap: z.core.$ZodErrorMap = (issue) => {
  const got = describeInput(issue.input);
  const wanted = accepted(issue);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined)
        return `is required: ${wanted ?? EXPECTED[issue.expected] ?? issue.expected}`;
      return `must be ${wanted ?? EXPECTED[issue.expected] ?? issue.expected}; ${got}`;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item(s); ${got}`;
      if (issue.origin === 'string') return `must not be empty; ${got}`;
      return `must be ${wanted ?? `${issue.inclusive ? '≥' : '>'} ${issue.minimum}`}; ${got}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} item(s); ${got}`;
      return `must be ${wanted ?? `${issue.inclusive ? '≤' : '<'} ${issue.maximum}`}; ${got}`;
    case 'invalid_value':
      return `must be one of ${quoteAll(issue.values)}; ${got}`;
    case 'invalid_union':
      if (issue.discriminator !== undefined && Array.isArray(issue.options)) {
        return `must be one of ${quoteAll(issue.options)}; ${got}`;
      }
      return `must be one of the accepted forms; ${got}`;
    default:
      return undefined;
  }
};

function isTypeMismatchAtRoot(issue: Issue): boolean {
  if (issue.path.length > 0) return false;
  if (issue.code === 'invalid_type') return true;
  return (
    issue.code === 'invalid_union' &&
    issue.errors.length > 0 &&
    issue.errors.every((b) => b.every(isTypeMismatchAtRoot))
  );
}

/**
 * A failed union lists why every alternative failed. The alternatives whose failure is a plain
 * type mismatch at the union's own position were not what the user meant; report the first
 * other one, with its paths made absolute. When every alternative is a type mismatch, the
 * union's own message (which lists the accepted forms) stands.
 */
export function flattenUnionIssues(issues: readonly Issue[], prefix: Path = []): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union') {
      const meant = issue.errors.find((branch) => !branch.every(isTypeMismatchAtRoot));
      if (meant) {
        out.push(...flattenUnionIssues(meant, path));
        continue;
      }
    }
    out.push({ ...issue, path: path as PropertyKey[] });
  }
  return out;
}

/** The schemas that a value at `schema` may be checked against, looking through wrappers and unions. */
function alternatives(schema: z.core.$ZodType): z.core.$ZodType[] {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return alternatives(def.innerType as z.core.$ZodType);
    case 'pipe':
      return [...alternatives(def.in as z.core.$ZodType), ...alternatives(def.out as z.core.$ZodType)];
    case 'union':
      return (def.options as z.core.$ZodType[]).flatMap(alternatives);
    case 'lazy':
      return alternatives((def.getter as () => z.core.$ZodType)());
    default:
      return [schema];
  }
}

function childAt(schema: z.core.$ZodType, key: PropertyKey): z.core.$ZodType[] {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  if (def.type === 'object' && typeof key === 'string') {
    const shape = def.shape as Record<string, z.core.$ZodType>;
    return Object.hasOwn(shape, key) ? [shape[key]!] : [];
  }
  if (def.type === 'array' && typeof key === 'number') return [def.element as z.core.$ZodType];
  return [];
}

/** The keys accepted by the object(s) that `schema` expects at `path`: for did-you-mean. */
export function objectKeysAt(schema: z.core.$ZodType, path: Path): string[] {
  let current = alternatives(schema);
  for (const key of path) current = current.flatMap((s) => childAt(s, key)).flatMap(alternatives);
  const keys = current.flatMap((s) => {
    const def = s._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
    return def.type === 'object' ? Object.keys(def.shape as object) : [];
  });
  return [...new Set(keys)];
}

/** `phases[1].tokens` → 'tokens'; `phases[1]` → 'phases[1]'. */
function fieldName(path: Path): string {
  const last = path.at(-1);
  if (last === undefined) return 'workload';
  if (typeof last === 'number') return `${String(path.at(-2) ?? '')}[${last}]`;
  return String(last);
}

function diagnosticCodeOf(issue: Issue): DiagnosticCode | undefined {
  if (issue.code !== 'custom') return undefined;
  const code = (issue.params as { diagnostic?: unknown } | undefined)?.diagnostic;
  return typeof code === 'string' ? (code as DiagnosticCode) : undefined;
}

/**
 * Diagnostics for a failed parse of `schema`. `fileOf` names the file a value at a path came
 * from (the layers of an `extends` chain); it may return undefined for inline input.
 */
export function workloadDiagnostics(
  error: z.ZodError,
  schema: z.core.$ZodType,
  fileOf: (path: Path) => string | undefined,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of flattenUnionIssues(error.issues)) {
    if (issue.code === 'unrecognized_keys') {
      // One diagnostic per key, located at the key itself so that the path names it.
      const known = objectKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const single = new z.ZodError([{ ...issue, path, keys: [key] }]);
        out.push(...diagnosticsFromZod(single, { file: fileOf(path), knownKeysAt: () => known }));
      }
      continue;
    }
    // A union that stayed whole failed on type alone (all its alternatives were type mismatches).
    const code = diagnosticCodeOf(issue) ?? (issue.code === 'invalid_union' ? 'invalid-type' : undefined);
    for (const d of diagnosticsFromZod(new z.ZodError([issue]), { file: fileOf(issue.path) })) {
      const named = /^(must|is required)\b/.test(d.message)
        ? `${fieldName(issue.path)} ${d.message}`
        : d.message;
      // One value can fail two checks with one message (1e30 is neither a safe integer nor ≤ max).
      if (out.some((o) => o.path === d.path && o.message === named)) continue;
      out.push({ ...d, code: code ?? d.code, message: named });
    }
  }
  return out;
}
