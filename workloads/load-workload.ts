/**
 * The edge where workloads come in: a preset name or a JSON file (or an already-parsed object)
 * becomes a validated, resolved `Workload`, or an `InputError` whose diagnostics name the file,
 * the field and what would be accepted. Nothing past this module validates again.
 */
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import {
  HARDWARE_CONFIG_KEYS,
  HARDWARE_PRESET_NAMES,
  HARDWARE_PRESETS,
  type HardwareConfig,
  HardwareConfigSchema,
} from '../hardware/hardware-config.ts';
import {
  type Diagnostic,
  didYouMean,
  InputError,
  inputError,
  unknownNameMessage,
} from '../models/diagnostics.ts';
import { MODEL_PRESET_NAMES, MODEL_PRESETS } from '../models/model-config.ts';
import { displayPath, isFile, looksLikePath, pathExists, readJsonFile } from '../models/read-json.ts';
import { sparsitySpec } from '../models/sparsity.ts';
import { loadHardwareFile } from './hardware-file.ts';
import { isPlainObject, type Layer, mergeLayers } from './merge-layers.ts';
import { STUDY_PRESET_NAMES, STUDY_PRESETS, WORKLOAD_PRESET_NAMES, WORKLOAD_PRESETS } from './presets.ts';
import { workloadDiagnostics, workloadErrorMap } from './workload-diagnostics.ts';
import {
  describeInput,
  HardwareFieldSchema,
  phaseSchedule,
  WORKLOAD_FILE_VERSION,
  type Workload,
  type WorkloadFile,
  WorkloadSchema,
} from './workload-schema.ts';

export interface LoadWorkloadOptions {
  /** Folder that a relative file ref is resolved against; defaults to the process's working directory. */
  readonly cwd?: string;
}

export interface ParseWorkloadOptions extends LoadWorkloadOptions {
  /** Names the input in diagnostics and becomes `Workload.source`; defaults to '(inline)'. */
  readonly source?: string;
  /** The workload name when the object has none; defaults to 'workload'. */
  readonly name?: string;
}

interface ChainLayer extends Layer {
  /** Identity for cycle detection: `preset:NAME`, an absolute path, or `inline:`. */
  readonly id: string;
  /** Folder that a relative `extends` of this layer is resolved against. */
  readonly dir: string;
}

function at(label: string | undefined, field: string): string {
  return label === undefined ? field : `${label}: ${field}`;
}

function asObject(raw: unknown, label: string | undefined): Record<string, unknown> {
  if (isPlainObject(raw)) return raw;
  throw inputError(
    'invalid-type',
    label ?? '(root)',
    `a workload must be a JSON object { "version": 1, "model", "sparsity", "batch", "phases", … }; ${describeInput(raw)}`,
  );
}

function presetLayer(name: string, cwd: string): ChainLayer {
  const raw = WORKLOAD_PRESETS[name] as unknown as Record<string, unknown>;
  return { label: `preset ${name}`, raw, id: `preset:${name}`, dir: cwd };
}

function fileLayer(absolutePath: string, cwd: string): ChainLayer {
  const label = displayPath(absolutePath, cwd);
  const raw = asObject(readJsonFile(absolutePath, label), label);
  return { label, raw, id: absolutePath, dir: dirname(absolutePath) };
}

/** The layer that `layer.raw.extends` names: a workload preset, or a file relative to the layer's folder. */
function baseOf(layer: ChainLayer, cwd: string): ChainLayer | undefined {
  const ref = layer.raw.extends;
  if (ref === undefined) return undefined;
  const where = at(layer.label, 'extends');
  if (typeof ref !== 'string' || ref === '') {
    throw inputError(
      'invalid-type',
      where,
      `extends must be a workload preset name or a path to a workload file; ${describeInput(ref)}`,
    );
  }
  if (!looksLikePath(ref) && Object.hasOwn(WORKLOAD_PRESETS, ref)) return presetLayer(ref, cwd);
  const absolutePath = resolve(layer.dir, ref);
  // Something that is there but not a regular file (a folder, /dev/zero) is read, and refused by name.
  if (isFile(absolutePath) || (looksLikePath(ref) && pathExists(absolutePath))) {
    return fileLayer(absolutePath, cwd);
  }
  if (looksLikePath(ref)) {
    throw inputError(
      'missing-file',
      where,
      `no such workload file: ${absolutePath} (a relative path is resolved from the folder of the extending file)`,
    );
  }
  throw inputError(
    'unknown-preset',
    where,
    `${unknownNameMessage('workload preset', ref, WORKLOAD_PRESET_NAMES)} A path to a workload file must end in .json or contain a slash.`,
  );
}

/** The layers of an `extends` chain, base first; a chain that comes back to one of its layers is an error. */
function collectChain(top: ChainLayer, cwd: string): ChainLayer[] {
  const chain = [top];
  for (let base = baseOf(top, cwd); base !== undefined; base = baseOf(base, cwd)) {
    const repeat = chain.findIndex((l) => l.id === base!.id);
    if (repeat >= 0) {
      const loop = [...chain.slice(repeat), base].map((l) => l.label ?? '(inline)').join(' → ');
      throw inputError(
        'invalid-value',
        at(chain.at(-1)!.label, 'extends'),
        `extends cycle: ${loop}; remove one of these extends`,
      );
    }
    chain.push(base);
  }
  return chain.reverse();
}

function versionDiagnostics(layer: ChainLayer): Diagnostic[] {
  const version = layer.raw.version;
  if (version === WORKLOAD_FILE_VERSION) return [];
  const accepted = `${WORKLOAD_FILE_VERSION} (the workload file format version)`;
  const message =
    version === undefined
      ? `version is required: ${accepted}`
      : `version must be ${accepted}; ${describeInput(version)}`;
  return [
    {
      code: typeof version === 'number' ? 'invalid-value' : 'invalid-type',
      path: at(layer.label, 'version'),
      message,
    },
  ];
}

/** Which machine the layers merged so far start from. */
interface HardwareBase {
  readonly preset: boolean;
  readonly file: boolean;
}

/**
 * A layer's hardware reference made independent of the layer's folder: `"hardware": "cs3"` and
 * `"hardware": "./m.json"` become `{ preset }` and `{ file }` objects, a file's path absolute, and a
 * layer that names a preset (or a file) drops the file (or preset) the layers below it named.
 */
function normalizeHardware(layer: ChainLayer, below: HardwareBase): [ChainLayer, HardwareBase] {
  const hw = layer.raw.hardware;
  let ref: Record<string, unknown> | undefined;
  if (typeof hw === 'string' && hw !== '') {
    ref = looksLikePath(hw) ? { file: hw } : { preset: hw };
  } else if (isPlainObject(hw)) {
    ref = { ...hw };
  }
  if (ref === undefined) return [layer, hw === undefined ? below : { preset: false, file: false }];
  const names = (key: 'preset' | 'file') => typeof ref[key] === 'string' && ref[key] !== '';
  if (names('file')) {
    ref.file = resolve(layer.dir, ref.file as string);
    if (below.preset && !Object.hasOwn(ref, 'preset')) ref.preset = null;
  } else if (names('preset') && below.file && !Object.hasOwn(ref, 'file')) {
    ref.file = null;
  }
  const after = (key: 'preset' | 'file') => names(key) || (below[key] && !Object.hasOwn(ref, key));
  return [
    { ...layer, raw: { ...layer.raw, hardware: ref } },
    { preset: after('preset'), file: after('file') },
  ];
}

function parseChain(top: ChainLayer, cwd: string, defaults: { name: string; source: string }): Workload {
  let below: HardwareBase = { preset: false, file: false };
  const chain = collectChain(top, cwd).map((layer) => {
    const [normalized, after] = normalizeHardware(layer, below);
    below = after;
    return normalized;
  });
  const diagnostics = chain.flatMap(versionDiagnostics);
  const merged = mergeLayers(chain);
  // Every layer's version was checked above; a child may not drop it by a null.
  merged.value.version = WORKLOAD_FILE_VERSION;
  const parsed = WorkloadSchema.safeParse(merged.value, { error: workloadErrorMap });
  if (!parsed.success)
    diagnostics.push(...workloadDiagnostics(parsed.error, WorkloadSchema, merged.originOf));
  if (diagnostics.length > 0 || !parsed.success) throw new InputError(diagnostics);
  return resolveWorkload(parsed.data, { name: parsed.data.name ?? defaults.name, source: defaults.source });
}

/** Validates and resolves an already-parsed workload object (library use); `extends` is followed from `cwd`. */
export function parseWorkload(json: unknown, options: ParseWorkloadOptions = {}): Workload {
  const cwd = resolve(options.cwd ?? process.cwd());
  const top: ChainLayer = {
    label: options.source,
    raw: asObject(json, options.source),
    id: 'inline:',
    dir: cwd,
  };
  return parseChain(top, cwd, { name: options.name ?? 'workload', source: options.source ?? '(inline)' });
}

function unknownWorkloadMessage(ref: string): string {
  const study = Object.hasOwn(STUDY_PRESETS, ref)
    ? ` '${ref}' is a study of several workloads (${STUDY_PRESETS[ref]!.workloads.join(', ')}), not one workload.`
    : '';
  return `${unknownNameMessage('workload preset', ref, WORKLOAD_PRESET_NAMES)}${study} A path to a workload file must end in .json or contain a slash.`;
}

/** Loads a workload preset by name, or a workload .json file (relative to `cwd`). */
export function loadWorkload(ref: string, options: LoadWorkloadOptions = {}): Workload {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (!looksLikePath(ref) && Object.hasOwn(WORKLOAD_PRESETS, ref)) {
    return parseChain(presetLayer(ref, cwd), cwd, { name: ref, source: ref });
  }
  const absolutePath = resolve(cwd, ref);
  if (looksLikePath(ref) || isFile(absolutePath)) {
    const top = fileLayer(absolutePath, cwd);
    return parseChain(top, cwd, {
      name: basename(absolutePath).replace(/\.json$/i, ''),
      source: absolutePath,
    });
  }
  throw inputError('unknown-preset', ref, unknownWorkloadMessage(ref));
}

/**
 * Turns a validated, merged workload file into plain data: presets looked up, `seqLen` applied to
 * the model, hardware overrides applied, every phase given its schedule.
 */
export function resolveWorkload(file: WorkloadFile, options: { name: string; source: string }): Workload {
  if (file.extends !== undefined)
    throw new Error('resolveWorkload takes a merged workload; parseWorkload follows extends');
  const model = typeof file.model === 'string' ? MODEL_PRESETS[file.model] : file.model;
  if (model === undefined)
    throw inputError(
      'unknown-preset',
      'model',
      unknownNameMessage('model preset', String(file.model), MODEL_PRESET_NAMES),
    );
  const sparsity = typeof file.sparsity === 'number' ? sparsitySpec(file.sparsity) : file.sparsity;
  return {
    name: options.name,
    ...(file.description === undefined ? {} : { description: file.description }),
    model: file.seqLen === undefined ? { ...model } : { ...model, seqLen: file.seqLen },
    sparsity,
    batch: { ...file.batch },
    hardware: resolveHardware(file.hardware),
    cluster: { systems: file.cluster.systems },
    activationPolicy: file.activationPolicy,
    phases: file.phases.map((p) => ({
      name: p.name,
      tokens: p.tokens,
      sparsity: phaseSchedule(p, sparsity),
    })),
    seed: file.seed,
    source: options.source,
  };
}

/**
 * The preset or file with the overrides applied, named after both (`cs2 (fmacsPerCycle=8)`) so
 * reports show what ran, unless the workload names it.
 */
function resolveHardware(ref: WorkloadFile['hardware']): HardwareConfig {
  const { preset = 'cs2', file, name: ownName, ...fields } = ref;
  const base = file !== undefined ? loadHardwareFile(file, 'hardware.file') : HARDWARE_PRESETS[preset];
  if (base === undefined) {
    throw inputError(
      'unknown-preset',
      'hardware.preset',
      unknownNameMessage('hardware preset', preset, HARDWARE_PRESET_NAMES),
    );
  }
  const overrides = Object.entries(fields).filter(
    ([key, value]) => value !== undefined && HARDWARE_CONFIG_KEYS.includes(key),
  );
  const name =
    ownName ??
    (overrides.length === 0
      ? base.name
      : `${base.name} (${overrides.map(([k, v]) => `${k}=${String(v)}`).join(', ')})`);
  const parsed = HardwareConfigSchema.safeParse(
    { ...base, ...Object.fromEntries(overrides), name },
    { error: workloadErrorMap },
  );
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ ...issue, path: ['hardware', ...issue.path] }));
  throw new InputError(workloadDiagnostics(new z.ZodError(issues), WorkloadSchema, () => undefined));
}

/**
 * A hardware reference on its own (what `gemm --hardware` takes): a preset name, a hardware file
 * (relative to `cwd`) or the object form of a workload's `hardware` field, resolved in full.
 */
export function resolveHardwareField(raw: unknown, options: LoadWorkloadOptions = {}): HardwareConfig {
  const cwd = resolve(options.cwd ?? process.cwd());
  const [layer] = normalizeHardware(
    { label: undefined, raw: { hardware: raw }, id: 'inline:', dir: cwd },
    { preset: false, file: false },
  );
  const ref = layer.raw.hardware;
  const parsed = HardwareFieldSchema.safeParse(ref, { error: workloadErrorMap });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ ...issue, path: ['hardware', ...issue.path] }));
    throw new InputError(workloadDiagnostics(new z.ZodError(issues), WorkloadSchema, () => undefined));
  }
  return resolveHardware(parsed.data);
}

export interface ResolvedRef {
  readonly kind: 'study' | 'workload';
  readonly name: string;
  /** One workload, or a study's workloads in their side-by-side order. */
  readonly workloads: readonly Workload[];
}

/** What `wafersim run` accepts: a study preset, a workload preset or a workload file. */
export function resolveStudyOrWorkload(ref: string, options: LoadWorkloadOptions = {}): ResolvedRef {
  if (!looksLikePath(ref) && Object.hasOwn(STUDY_PRESETS, ref)) {
    const workloads = STUDY_PRESETS[ref]!.workloads.map((name) => loadWorkload(name, options));
    return { kind: 'study', name: ref, workloads };
  }
  const isWorkload =
    looksLikePath(ref) ||
    Object.hasOwn(WORKLOAD_PRESETS, ref) ||
    isFile(resolve(options.cwd ?? process.cwd(), ref));
  if (isWorkload) {
    const workload = loadWorkload(ref, options);
    return { kind: 'workload', name: workload.name, workloads: [workload] };
  }
  const suggestion = didYouMean(ref, [...WORKLOAD_PRESET_NAMES, ...STUDY_PRESET_NAMES]);
  const hint = suggestion ? ` Did you mean '${suggestion}'?` : '';
  throw inputError(
    'unknown-preset',
    ref,
    `unknown workload or study '${ref}'.${hint} Workloads: ${WORKLOAD_PRESET_NAMES.join(', ')}. ` +
      `Studies: ${STUDY_PRESET_NAMES.join(', ')}. A path to a workload file must end in .json or contain a slash.`,
  );
}
