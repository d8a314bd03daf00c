/**
 * Dotted-path overrides of a workload file: what a sweep's `vary` sets per point, and what
 * `--set path=value` sets for one command (`run`, `compile`, `sweep`, and `gemm` for
 * `hardware.*`). The paths are the same everywhere: fields of the workload file format, checked
 * with a did-you-mean before anything runs; `sparsity` alone sets the level of the sparse phases.
 * An override is a layer on top of the workload, so it is validated by the same code as a file.
 */
import { resolve } from 'node:path';
import { type Diagnostic, InputError, inputError } from '../../models/diagnostics.ts';
import { looksLikePath } from '../../models/read-json.ts';
import { parseWorkload } from '../load-workload.ts';
import { isPlainObject } from '../merge-layers.ts';
import { WORKLOAD_PRESETS } from '../presets.ts';
import type { Workload } from '../workload-schema.ts';
import { type JsonValue, overlapping, targetPath, varyPathProblem } from './sweep-schema.ts';

export interface Override {
  /** A dotted path of the workload file, as written (`hardware.fmacsPerCycle`, `sparsity`). */
  readonly path: string;
  readonly value: JsonValue;
}

/**
 * `hardware.fmacsPerCycle=8` → { path, value: 8 }. The value is read as JSON when it is JSON
 * (numbers, true/false, null, quoted strings, arrays, objects) and as a plain string otherwise,
 * so `--set model=gpt3-large` and `--set hardware.accumulate=fp16` need no quotes.
 */
export function parseOverride(text: string, option = '--set'): Override {
  const at = text.indexOf('=');
  if (at <= 0) {
    throw inputError(
      'invalid-value',
      option,
      `'${text}' must be path=value, a dotted path of the workload file and its value (e.g. hardware.fmacsPerCycle=8)`,
    );
  }
  const path = text.slice(0, at).trim();
  const raw = text.slice(at + 1);
  const problem = varyPathProblem(path);
  if (problem !== undefined) throw inputError('unknown-key', `${option} ${path}`, problem);
  let value: JsonValue;
  try {
    value = JSON.parse(raw) as JsonValue;
  } catch {
    value = raw;
  }
  return { path, value };
}

/** Two overrides of one path (or of a path and a field inside it) would depend on their order. */
export function checkOverridesApart(overrides: readonly Override[], option = '--set'): void {
  const diagnostics: Diagnostic[] = [];
  overrides.forEach((o, i) => {
    const other = overrides.slice(0, i).find((p) => overlapping(targetPath(p.path), targetPath(o.path)));
    if (other) {
      diagnostics.push({
        code: 'invalid-value',
        path: `${option} ${o.path}`,
        message: `'${o.path}' and '${other.path}' both set ${targetPath(other.path).join('.')}; set it once`,
      });
    }
  });
  if (diagnostics.length > 0) throw new InputError(diagnostics);
}

/**
 * Deep-sets `value` at `segments`, creating objects on the way. A model preset name on the way to
 * `model.<field>` becomes its inline shape first (`inlineModel`), so a layer can change one field;
 * `sparsity: 0.75` becomes `{ level: 0.75 }` before `sparsity.pattern` is set beside it.
 */
export function setPath(
  target: Record<string, unknown>,
  segments: readonly string[],
  value: JsonValue,
  inlineModel: () => unknown,
): void {
  let node = target;
  segments.slice(0, -1).forEach((segment, depth) => {
    let child = node[segment];
    if (depth === 0 && segment === 'model' && !isPlainObject(child)) child = structuredClone(inlineModel());
    else if (depth === 0 && segment === 'sparsity' && typeof child === 'number') child = { level: child };
    else if (depth === 0 && segment === 'hardware' && typeof child === 'string') {
      child = looksLikePath(child) ? { file: child } : { preset: child };
    } else if (!isPlainObject(child)) child = {};
    node[segment] = child;
    node = child as Record<string, unknown>;
  });
  node[segments.at(-1)!] = structuredClone(value);
}

/**
 * `workload` with the overrides applied, validated like a file that extends it. It keeps its
 * name, description and source; diagnostics on an override name `--set` and the path.
 */
export function applyOverrides(
  workload: Workload,
  overrides: readonly Override[],
  options: { readonly cwd?: string; readonly option?: string } = {},
): Workload {
  if (overrides.length === 0) return workload;
  checkOverridesApart(overrides, options.option);
  const cwd = resolve(options.cwd ?? process.cwd());
  const base =
    !looksLikePath(workload.source) && Object.hasOwn(WORKLOAD_PRESETS, workload.source)
      ? workload.source
      : resolve(cwd, workload.source);
  const layer: Record<string, unknown> = {
    version: 1,
    extends: base,
    ...(workload.description === undefined ? {} : { description: workload.description }),
  };
  for (const o of overrides) setPath(layer, targetPath(o.path), o.value, () => workload.model);
  const label = options.option ?? '--set';
  const updated = parseWorkload(layer, { cwd, source: label, name: workload.name });
  return { ...updated, source: workload.source };
}
