/**
 * A sweep → its points. The points are the cartesian product of `vary` in a stable order (keys in
 * file order, values in array order, the last key varying fastest); point `index` counts from 0 in
 * that order. Each point is the base with its values deep-set on the workload FILE object, then
 * validated and resolved by the same code as any workload file (parseWorkload): a point is a layer
 * that `extends` the base, so objects merge key by key and the shorthand `sparsity: 0.75` expands
 * to `{ level: 0.75 }` before a point sets `sparsity.pattern` or `sparsity.level`.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { type Diagnostic, InputError, inputError, unknownNameMessage } from '../../models/diagnostics.ts';
import { isFile, looksLikePath, pathExists } from '../../models/read-json.ts';
import { parseWorkload } from '../load-workload.ts';
import { isPlainObject } from '../merge-layers.ts';
import { STUDY_PRESETS, WORKLOAD_PRESET_NAMES, WORKLOAD_PRESETS } from '../presets.ts';
import type { Workload } from '../workload-schema.ts';
import { checkOverridesApart, type Override, setPath } from './overrides.ts';
import { type JsonValue, overlapping, SPARSITY_PATH, type Sweep, targetPath } from './sweep-schema.ts';

/** Far beyond any sweep a person runs; a typo in a value list (a range pasted twice) stops here. */
export const MAX_SWEEP_POINTS = 100_000;
/** Invalid points reported in full; the rest are counted. */
const MAX_REPORTED_POINTS = 5;

export interface SweepPoint {
  /** Position in the cartesian product, from 0. */
  readonly index: number;
  /** The value of every varied path, keys in `vary` order. */
  readonly values: Readonly<Record<string, JsonValue>>;
  /** `sparsity=0.5, hardware.fmacsPerCycle=8`: how messages and reports name the point. */
  readonly label: string;
  readonly workload: Workload;
}

export interface ExpandedSweep {
  /**
   * Hash of the canonical sweep: name, base and vary as written and every point's resolved
   * workload (so an edit of a base file between two shards shows). Shards merge only when equal.
   */
  readonly sweepId: string;
  readonly points: readonly SweepPoint[];
  /**
   * The point results are compared against: the one that simulates the base workload unchanged
   * (every varied field at the base's own value), or point 0 when no point does.
   */
  readonly reference: { readonly index: number; readonly isBase: boolean };
}

function formatValue(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function pointLabel(values: Readonly<Record<string, JsonValue>>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${formatValue(value)}`)
    .join(', ');
}

export function pointCount(vary: Sweep['vary']): number {
  return Object.values(vary).reduce((n, values) => n * values.length, 1);
}

/** The values of point `index`: mixed-radix digits of the index, the last key the lowest digit. */
export function valuesAt(vary: Sweep['vary'], index: number): Record<string, JsonValue> {
  const keys = Object.keys(vary);
  const digits = new Array<number>(keys.length);
  let rest = index;
  for (let k = keys.length - 1; k >= 0; k--) {
    const n = vary[keys[k]!]!.length;
    digits[k] = rest % n;
    rest = Math.floor(rest / n);
  }
  return Object.fromEntries(keys.map((key, k) => [key, vary[key]![digits[k]!]!]));
}

function sweepLabel(sweep: Sweep): string {
  return sweep.label ?? `sweep ${sweep.name}`;
}

/**
 * The file object every point starts from. A preset or file base becomes a layer that extends it
 * (so diagnostics on inherited values still name the base); an inline base is the layer itself.
 */
function baseLayer(sweep: Sweep): Record<string, unknown> {
  const base = sweep.base;
  if (typeof base !== 'string') {
    const {
      name: _name,
      description: _description,
      ...rest
    } = structuredClone(base) as Record<string, unknown>;
    return { version: 1, ...rest };
  }
  if (!looksLikePath(base) && Object.hasOwn(WORKLOAD_PRESETS, base)) return { version: 1, extends: base };
  const absolutePath = resolve(sweep.dir, base);
  // Something that is there but not a regular file (a folder, /dev/zero) is read, and refused by name.
  if (isFile(absolutePath) || (looksLikePath(base) && pathExists(absolutePath))) {
    return { version: 1, extends: absolutePath };
  }
  const where = `${sweepLabel(sweep)}: base`;
  if (looksLikePath(base)) {
    throw inputError(
      'missing-file',
      where,
      `no such workload file: ${absolutePath} (a relative base is resolved from the folder of the sweep file)`,
    );
  }
  const study = Object.hasOwn(STUDY_PRESETS, base)
    ? ` '${base}' is a study of several workloads; a sweep's base is one workload.`
    : '';
  throw inputError(
    'unknown-preset',
    where,
    `${unknownNameMessage('workload preset', base, WORKLOAD_PRESET_NAMES)}${study} A path to a workload file must end in .json or contain a slash.`,
  );
}

const isModelField = (key: string) => key.startsWith('model.');

/** Keys sorted at every level, except `vary`, whose order is the order of the points. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sweepIdOf(sweep: Sweep, points: readonly SweepPoint[]): string {
  const definition = canonicalJson({
    version: 1,
    name: sweep.name,
    base: sweep.base,
    vary: Object.entries(sweep.vary),
    points: points.map((p) => {
      const { source: _source, ...workload } = p.workload;
      return workload;
    }),
  });
  return createHash('sha256').update(definition).digest('hex').slice(0, 16);
}

/** A `sparsity` sweep whose base fixes every phase's sparsity would simulate the same step again and again. */
function checkSparsityMovesAPhase(sweep: Sweep, points: readonly SweepPoint[]): void {
  const levels = sweep.vary[SPARSITY_PATH];
  if (levels === undefined || levels.length < 2) return;
  const schedules = (p: SweepPoint) => JSON.stringify(p.workload.phases.map((phase) => phase.sparsity));
  const first = schedules(points[0]!);
  if (points.every((p) => schedules(p) === first)) {
    throw inputError(
      'invalid-value',
      `${sweepLabel(sweep)}: vary.${SPARSITY_PATH}`,
      "no phase of the base follows the workload's sparsity level (every phase sets its own), so varying it " +
        "changes nothing; remove the phases' own sparsity from the sparse phase, or vary 'phases'",
    );
  }
}

/** What a workload simulates, without how it (or its hardware) is named. */
function simulated(w: Workload): string {
  const { name: _n, description: _d, source: _s, hardware, ...rest } = w;
  const { name: _h, ...machine } = hardware;
  return canonicalJson({ ...rest, machine });
}

/** The point that is the base workload itself (see ExpandedSweep.reference). */
function referenceOf(
  sweep: Sweep,
  base: Record<string, unknown>,
  points: readonly SweepPoint[],
): ExpandedSweep['reference'] {
  let baseWorkload: Workload | undefined;
  try {
    baseWorkload = parseWorkload(base, { cwd: sweep.dir, source: `${sweepLabel(sweep)}: base` });
  } catch (error) {
    // A base that is incomplete on its own (its points supply the rest) has no point of its own.
    if (!(error instanceof InputError)) throw error;
  }
  const target = baseWorkload && simulated(baseWorkload);
  const index = target === undefined ? -1 : points.findIndex((p) => simulated(p.workload) === target);
  return index >= 0
    ? { index: points[index]!.index, isBase: true }
    : { index: points[0]!.index, isBase: false };
}

/** Every point of the sweep, validated and resolved; invalid points are an InputError naming each point and field. */
export function expandSweep(
  sweep: Sweep,
  options: {
    /** `--set` overrides of the base, applied before each point's values. */
    readonly overrides?: readonly Override[];
  } = {},
): ExpandedSweep {
  const count = pointCount(sweep.vary);
  if (count > MAX_SWEEP_POINTS) {
    throw inputError(
      'invalid-value',
      `${sweepLabel(sweep)}: vary`,
      `the sweep has ${count} points (the product of its value lists); at most ${MAX_SWEEP_POINTS} are accepted`,
    );
  }
  const base = baseLayer(sweep);
  const keys = Object.keys(sweep.vary);
  const overrides = options.overrides ?? [];
  checkOverridesApart(overrides);
  for (const o of overrides) {
    const varied = keys.find((key) => overlapping(targetPath(key), targetPath(o.path)));
    if (varied !== undefined) {
      throw inputError(
        'invalid-value',
        `--set ${o.path}`,
        `the sweep varies '${varied}', which every point sets; change the sweep's values instead`,
      );
    }
  }
  const layerAt = (values: Readonly<Record<string, JsonValue>>, only: (key: string) => boolean) => {
    const layer = structuredClone(base);
    for (const o of overrides.filter((o) => only(o.path))) {
      setPath(layer, targetPath(o.path), o.value, inlineModel);
    }
    for (const key of keys.filter(only)) setPath(layer, targetPath(key), values[key]!, inlineModel);
    return layer;
  };
  // The base's model as an inline shape, resolved through its extends chain once, when needed.
  let model: unknown;
  const inlineModel = () => {
    model ??= parseWorkload(
      layerAt(valuesAt(sweep.vary, 0), (key) => !isModelField(key)),
      { cwd: sweep.dir, source: `${sweepLabel(sweep)}: base` },
    ).model;
    return model;
  };

  const points: SweepPoint[] = [];
  const invalid: Diagnostic[][] = [];
  for (let index = 0; index < count; index++) {
    const values = valuesAt(sweep.vary, index);
    const label = pointLabel(values);
    const where = `${sweepLabel(sweep)}: point ${index} (${label})`;
    try {
      const workload = parseWorkload(
        layerAt(values, () => true),
        {
          cwd: sweep.dir,
          source: where,
          name: `${sweep.name} #${index} (${label})`,
        },
      );
      points.push({ index, values, label, workload });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      invalid.push(
        error.diagnostics.map((d) => (d.path.startsWith(where) ? d : { ...d, path: `${where}: ${d.path}` })),
      );
    }
  }
  if (invalid.length > 0) {
    const diagnostics = invalid.slice(0, MAX_REPORTED_POINTS).flat();
    if (invalid.length > MAX_REPORTED_POINTS) {
      diagnostics.push({
        code: 'invalid-value',
        path: sweepLabel(sweep),
        message: `${invalid.length - MAX_REPORTED_POINTS} more of its ${count} points are invalid`,
      });
    }
    throw new InputError(diagnostics);
  }
  checkSparsityMovesAPhase(sweep, points);
  // The base with the overrides, without any point's values.
  const baseOnly = layerAt({}, (key) => !keys.includes(key));
  return { sweepId: sweepIdOf(sweep, points), points, reference: referenceOf(sweep, baseOnly, points) };
}
