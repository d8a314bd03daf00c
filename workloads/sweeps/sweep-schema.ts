/**
 * The sweep file format, version 1 (DESIGN §7): a base workload and the fields to vary. The
 * points are the cartesian product of `vary` (keys in file order, values in array order, the last
 * key varying fastest). A `vary` key is a dotted path into the workload FILE format
 * (`hardware.fmacsPerCycle`, `batch.sequences`, `sparsity.pattern`, `model`, `seed`); the path
 * `sparsity` alone sets the level of the sparse phases (those that inherit the workload's level).
 */
import { z } from 'zod';
import { didYouMean } from '../../models/diagnostics.ts';
import { WORKLOAD_PRESET_NAMES } from '../presets.ts';
import { objectKeysAt } from '../workload-diagnostics.ts';
import { describeInput, WorkloadSchema } from '../workload-schema.ts';

export const SWEEP_FILE_VERSION = 1;

/** `vary.sparsity` sets `sparsity.level`: the level every phase without its own sparsity trains at. */
export const SPARSITY_PATH = 'sparsity';

/** Workload fields a sweep may not vary: they describe a file, or are set per point. */
const FIXED_FIELDS: Readonly<Record<string, string>> = {
  $schema: 'it only points editors at a JSON Schema',
  version: 'it is the file format version',
  name: 'each point is named after the sweep and its values',
  description: 'the sweep has its own description',
  extends: "put the workload to extend in the sweep's `base`",
};

function fieldError(field: string, accepted: string) {
  return (issue: { readonly input?: unknown }) =>
    issue.input === undefined
      ? `${field} is required: ${accepted}`
      : `${field} must be ${accepted}; ${describeInput(issue.input)}`;
}

/** The file path a vary key writes to: `sparsity` → `sparsity.level`, anything else as written. */
/** Two paths that write the same field, or one inside the other, would overwrite each other. */
export function overlapping(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function targetPath(key: string): string[] {
  return key === SPARSITY_PATH ? ['sparsity', 'level'] : key.split('.');
}

/**
 * Why a vary key is not a field of the workload file format, or undefined when it is one. Each
 * segment is checked against the keys the schema accepts at that point, with a did-you-mean.
 */
export function varyPathProblem(key: string): string | undefined {
  const segments = key.split('.');
  if (segments.some((s) => s === '')) {
    return `'${key}' is not a dotted path: write fields separated by single dots, e.g. hardware.fmacsPerCycle`;
  }
  const top = segments[0]!;
  if (Object.hasOwn(FIXED_FIELDS, top)) return `'${top}' cannot be varied: ${FIXED_FIELDS[top]}`;
  for (let i = 0; i < segments.length; i++) {
    const parent = segments.slice(0, i);
    const known = objectKeysAt(WorkloadSchema, parent).filter(
      (k) => i > 0 || !Object.hasOwn(FIXED_FIELDS, k),
    );
    const segment = segments[i]!;
    if (known.length === 0) {
      const where = parent.join('.');
      return `'${where}' has no fields to vary one by one (it is a value or a list): vary '${where}' whole, each value complete`;
    }
    if (!known.includes(segment)) {
      const suggestion = didYouMean(segment, known);
      const where = i === 0 ? 'a workload' : `'${parent.join('.')}'`;
      const hint = suggestion ? ` Did you mean '${[...parent, suggestion].join('.')}'?` : '';
      return `unknown field '${segment}' in ${where}.${hint} Accepted: ${known.join(', ')}`;
    }
  }
  return undefined;
}

const VALUES_ACCEPTED = 'a non-empty array of values, one per point along this field';

const VarySchema = z
  .record(
    z.string(),
    z
      .array(z.json(), { error: fieldError('vary values', VALUES_ACCEPTED) })
      .min(1, { error: fieldError('vary values', VALUES_ACCEPTED) }),
    { error: fieldError('vary', 'an object { "<dotted.path>": [values…], … }') },
  )
  .superRefine((vary, ctx) => {
    const keys = Object.keys(vary);
    if (keys.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'vary must name at least one field, e.g. { "sparsity": [0, 0.5, 0.75] }',
      });
    }
    keys.forEach((key, i) => {
      const problem = varyPathProblem(key);
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
      const other = keys.slice(0, i).find((k) => overlapping(targetPath(k), targetPath(key)));
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `'${key}' and '${other}' both set ${targetPath(other).join('.')}; vary only one of them`,
        });
      }
      const seen = new Set<string>();
      vary[key]!.forEach((value, j) => {
        const text = JSON.stringify(value);
        if (seen.has(text)) {
          ctx.addIssue({
            code: 'custom',
            path: [key, j],
            message: `the value ${text} appears twice; every point would be simulated twice`,
          });
        }
        seen.add(text);
      });
    });
  })
  .describe(
    'Fields to vary: dotted paths into the workload file format, each with its values. The points are ' +
      'the cartesian product, keys in file order, the last key varying fastest. `sparsity` sets the level ' +
      'of the sparse phases (those without their own sparsity); a null value removes the field, as in extends',
  );

const BaseSchema = z
  .union([z.string().min(1), z.record(z.string(), z.unknown())], {
    error: fieldError(
      'base',
      'a workload preset name, a path to a workload .json file (relative to the sweep file), or an inline workload object',
    ),
  })
  .describe(
    'The workload every point starts from: a workload preset, a path to a workload file (relative to ' +
      'the sweep file), or an inline workload object (version optional; fields the sweep varies may be omitted)',
  );

export const SweepSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of the sweep JSON Schema, for editors; ignored'),
    version: z
      .literal(SWEEP_FILE_VERSION, { error: fieldError('version', '1 (the sweep file format version)') })
      .describe('Sweep file format version; must be 1'),
    name: z
      .string({ error: fieldError('name', 'a non-empty string') })
      .min(1, { error: fieldError('name', 'a non-empty string') })
      .optional()
      .describe('Sweep name used in reports; defaults to the file or preset name'),
    description: z
      .string({ error: fieldError('description', 'a string') })
      .optional()
      .describe('What the sweep measures'),
    base: BaseSchema,
    vary: VarySchema,
  })
  .describe('A wafersim sweep: a base workload and the fields to vary over (docs/design.md §7)');

/** A sweep file as written. */
export type SweepFileInput = z.input<typeof SweepSchema>;
export type SweepFile = z.output<typeof SweepSchema>;
/** A value of a `vary` list: any JSON value. */
export type JsonValue = z.core.util.JSONType;

/** A loaded sweep: plain data, its `base` as written and resolvable from `dir`. */
export interface Sweep {
  readonly name: string;
  readonly description?: string;
  readonly base: string | Readonly<Record<string, unknown>>;
  /** Ordered: keys in file order, values in array order. */
  readonly vary: Readonly<Record<string, readonly JsonValue[]>>;
  /** A preset name, or the absolute path of the sweep file. */
  readonly source: string;
  /** The folder a relative `base` (and an inline base's `extends`) resolves from. */
  readonly dir: string;
  /** How diagnostics name the sweep: a file path or `sweep preset NAME`; undefined for inline input. */
  readonly label?: string;
}

/** JSON Schema (draft 2020-12) of the sweep file format, for editors (`wafersim schema sweep`). */
export function sweepJsonSchema(): z.core.JSONSchema.BaseSchema {
  const schema = z.toJSONSchema(SweepSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  });
  const properties = schema.properties as Record<string, z.core.JSONSchema.BaseSchema>;
  properties.base = { ...properties.base, examples: [...WORKLOAD_PRESET_NAMES, './base.json'] };
  properties.vary = {
    ...properties.vary,
    examples: [{ sparsity: [0, 0.5, 0.75], 'hardware.fmacsPerCycle': [4, 8] }],
  };
  const { $schema: _draft, ...rest } = schema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'wafersim sweep (version 1)',
    ...rest,
  };
}
