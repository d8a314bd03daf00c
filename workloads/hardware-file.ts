/**
 * Hardware files: a machine description in its own JSON file, for what-ifs that outlive one
 * command line and can be shared, cited and swept.
 *
 *   { "version": 1, "extends": "cs2", "name": "cs2-wide", "fmacsPerCycle": 8,
 *     "fmacsPerCycleFp32Accumulate": 4 }
 *
 * `extends` names a hardware preset or another hardware file (a relative path is resolved from
 * the folder of the file that extends it); every other field overrides what it extends. Without
 * `extends` the file must give every field. The name defaults to the file's name without `.json`.
 * A workload uses one as `"hardware": "./my-machine.json"` (or `{ "file": …, <overrides> }`),
 * `gemm --hardware FILE` too, and a sweep can vary `hardware` over presets and files.
 */
import { basename, dirname, resolve } from 'node:path';
import { z } from 'zod';
import {
  HARDWARE_PRESET_NAMES,
  HARDWARE_PRESETS,
  type HardwareConfig,
  HardwareConfigSchema,
} from '../hardware/hardware-config.ts';
import { InputError, inputError, unknownNameMessage } from '../models/diagnostics.ts';
import { displayPath, isFile, looksLikePath, pathExists, readJsonFile } from '../models/read-json.ts';
import { isPlainObject } from './merge-layers.ts';
import { workloadDiagnostics, workloadErrorMap } from './workload-diagnostics.ts';
import { describeInput } from './workload-schema.ts';

export const HARDWARE_FILE_VERSION = 1;

/** Longest `extends` chain of hardware files followed; far beyond any real use, and a cycle stops sooner. */
const MAX_CHAIN = 64;

export const HardwareFileSchema = HardwareConfigSchema.partial()
  .extend({
    $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors'),
    version: z
      .literal(HARDWARE_FILE_VERSION)
      .describe(`Hardware file format version: ${HARDWARE_FILE_VERSION}`),
    extends: z
      .string()
      .min(1)
      .optional()
      .describe(
        `A hardware preset (${HARDWARE_PRESET_NAMES.join(', ')}) or the path of another hardware file; omitted: every field must be given`,
      ),
    name: z.string().min(1).optional().describe("Name used in reports; default: the file's name"),
    description: z.string().optional().describe('What this machine is, and where its figures come from'),
  })
  .strict();
export type HardwareFile = z.infer<typeof HardwareFileSchema>;

/** Whether `ref` names a hardware preset rather than a file. */
export function isHardwarePreset(ref: string): boolean {
  return !looksLikePath(ref) && Object.hasOwn(HARDWARE_PRESETS, ref);
}

/**
 * A preset by name, or a hardware file (relative to `dir`), resolved to a full `HardwareConfig`.
 * `where` names the field that holds the reference, for diagnostics.
 */
export function loadHardware(ref: string, dir: string, where: string): HardwareConfig {
  if (isHardwarePreset(ref)) return HARDWARE_PRESETS[ref]!;
  const absolutePath = resolve(dir, ref);
  if (!looksLikePath(ref) && !isFile(absolutePath) && !pathExists(absolutePath)) {
    throw inputError(
      'unknown-preset',
      where,
      `${unknownNameMessage('hardware preset', ref, HARDWARE_PRESET_NAMES)} A path to a hardware file must end in .json or contain a slash.`,
    );
  }
  return loadHardwareFile(absolutePath, where);
}

/** Reads a hardware file and everything it extends; the result is validated in full. */
export function loadHardwareFile(absolutePath: string, where = 'hardware'): HardwareConfig {
  const chain: { path: string; label: string; file: HardwareFile }[] = [];
  let path = absolutePath;
  let base: HardwareConfig | undefined;
  for (;;) {
    const label = displayPath(path);
    if (chain.some((layer) => layer.path === path)) {
      const loop = [...chain.map((l) => l.label), label].join(' → ');
      throw inputError('invalid-value', `${chain.at(-1)!.label}: extends`, `extends cycle: ${loop}`);
    }
    if (chain.length >= MAX_CHAIN) {
      throw inputError(
        'invalid-value',
        `${label}: extends`,
        `hardware files extend each other more than ${MAX_CHAIN} deep`,
      );
    }
    // Something that is there but not a regular file (a folder, /dev/zero) is read, and refused by name.
    if (!isFile(path) && !pathExists(path)) {
      const from = chain.length === 0 ? where : `${chain.at(-1)!.label}: extends`;
      throw inputError(
        'missing-file',
        from,
        `no such hardware file: ${path} (a relative path is resolved from the folder of the file that names it)`,
      );
    }
    const file = parseHardwareFile(readJsonFile(path, label), label);
    chain.push({ path, label, file });
    if (file.extends === undefined) break;
    if (isHardwarePreset(file.extends)) {
      base = HARDWARE_PRESETS[file.extends]!;
      break;
    }
    if (!looksLikePath(file.extends)) {
      const candidate = resolve(dirname(path), file.extends);
      if (!isFile(candidate) && !pathExists(candidate)) {
        throw inputError(
          'unknown-preset',
          `${label}: extends`,
          `${unknownNameMessage('hardware preset', file.extends, HARDWARE_PRESET_NAMES)} A path to a hardware file must end in .json or contain a slash.`,
        );
      }
    }
    path = resolve(dirname(path), file.extends);
  }
  // Base first: each file overrides what it extends.
  const merged: Record<string, unknown> = { ...base };
  for (const { file } of chain.reverse()) {
    const { $schema: _s, version: _v, extends: _e, description: _d, ...fields } = file;
    Object.assign(merged, fields);
  }
  const top = chain.at(-1)!;
  merged.name = top.file.name ?? basename(top.path).replace(/\.json$/i, '');
  const parsed = HardwareConfigSchema.safeParse(merged, { error: workloadErrorMap });
  if (parsed.success) return parsed.data;
  const missing = parsed.error.issues.some((i) => i.code === 'invalid_type' && i.input === undefined);
  const diagnostics = workloadDiagnostics(parsed.error, HardwareConfigSchema, () => top.label);
  if (missing && base === undefined) {
    diagnostics.push({
      code: 'invalid-value',
      path: `${top.label}: extends`,
      message: `a hardware file without extends must give every field; extend a preset (${HARDWARE_PRESET_NAMES.join(', ')}) to inherit the rest`,
    });
  }
  throw new InputError(diagnostics);
}

function parseHardwareFile(raw: unknown, label: string): HardwareFile {
  if (!isPlainObject(raw)) {
    throw inputError(
      'invalid-type',
      label,
      `a hardware file must be a JSON object { "version": 1, "extends": "cs2", … }; ${describeInput(raw)}`,
    );
  }
  const parsed = HardwareFileSchema.safeParse(raw, { error: workloadErrorMap });
  if (parsed.success) return parsed.data;
  throw new InputError(workloadDiagnostics(parsed.error, HardwareFileSchema, () => label));
}

/** The JSON Schema of hardware files (`wafersim schema hardware`). */
export function hardwareFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(HardwareFileSchema, { io: 'input' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'wafersim hardware file',
    description:
      'A machine description: a hardware preset or another hardware file (extends) with any field overridden.',
    ...schema,
  };
}
