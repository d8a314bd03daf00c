/**
 * The `extends` merge: the layers of a chain (base first) become one object. Objects merge key by
 * key, arrays and other values replace, and null in an overriding layer removes the inherited key
 * (JSON Merge Patch, RFC 7396). Each value remembers the layer it came from, so that a diagnostic
 * names the file a user has to edit.
 */
import { checkJsonDepth } from '../models/json-depth.ts';

export interface Layer {
  /** How the layer is named in diagnostics: a file path or `preset NAME`; undefined for inline input. */
  readonly label: string | undefined;
  readonly raw: Readonly<Record<string, unknown>>;
}

export interface MergedLayers {
  readonly value: Record<string, unknown>;
  /** The label of the layer that set the value at `path` or, failing that, at its closest ancestor. */
  readonly originOf: (path: readonly PropertyKey[]) => string | undefined;
}

/** Keys that describe a file itself and are never inherited. */
const OWN_KEYS = new Set(['$schema', 'name', 'description', 'extends']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property even for keys such as `__proto__`, which plain assignment would not. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function pathKey(path: readonly PropertyKey[]): string {
  return JSON.stringify(path.map(String));
}

function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) setOwn(out, key, cloneJson(value[key]));
  return out;
}

/** `sparsity: 0.75` is shorthand for `{ level: 0.75 }`; expanding it first lets a child override the level alone. */
function expandShorthands(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = cloneJson(raw) as Record<string, unknown>;
  if (typeof out.sparsity === 'number') setOwn(out, 'sparsity', { level: out.sparsity });
  return out;
}

export function mergeLayers(layers: readonly Layer[]): MergedLayers {
  for (const layer of layers) checkJsonDepth(layer.raw, layer.label ?? 'workload');
  const origins = new Map<string, string | undefined>();
  const record = (path: readonly PropertyKey[], value: unknown, label: string | undefined) => {
    origins.set(pathKey(path), label);
    if (isPlainObject(value)) for (const key of Object.keys(value)) record([...path, key], value[key], label);
  };
  const apply = (
    target: Record<string, unknown>,
    patch: Record<string, unknown>,
    path: string[],
    label?: string,
  ) => {
    for (const key of Object.keys(patch)) {
      const value = patch[key];
      const here = [...path, key];
      if (value === null) {
        delete target[key];
        continue;
      }
      const existing = Object.hasOwn(target, key) ? target[key] : undefined;
      if (isPlainObject(existing) && isPlainObject(value)) {
        origins.set(pathKey(here), label);
        apply(existing, value, here, label);
      } else {
        setOwn(target, key, value);
        record(here, value, label);
      }
    }
  };

  const top = layers.at(-1);
  const merged: Record<string, unknown> = {};
  layers.forEach((layer, i) => {
    const patch = expandShorthands(layer.raw);
    for (const key of OWN_KEYS) if (layer !== top) delete patch[key];
    if (i === 0) {
      // The base layer is not a patch: a null there is a value, and validation reports it.
      for (const key of Object.keys(patch)) setOwn(merged, key, patch[key]);
      record([], patch, layer.label);
    } else apply(merged, patch, [], layer.label);
  });
  delete merged.extends;
  origins.set(pathKey([]), top?.label);

  const originOf = (path: readonly PropertyKey[]) => {
    for (let n = path.length; n >= 0; n--) {
      const key = pathKey(path.slice(0, n));
      if (origins.has(key)) return origins.get(key);
    }
    return top?.label;
  };
  return { value: merged, originOf };
}
