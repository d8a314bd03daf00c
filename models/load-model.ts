/**
 * Resolves a model reference (a preset name, a JSON file, or an inline object) to a validated
 * `ModelConfig`. Validation happens here, once, at the edge.
 */
import { resolve } from 'node:path';
import { diagnosticsFromZod, InputError, inputError, unknownNameMessage } from './diagnostics.ts';
import {
  MODEL_CONFIG_KEYS,
  MODEL_PRESET_NAMES,
  MODEL_PRESETS,
  type ModelConfig,
  ModelConfigSchema,
} from './model-config.ts';
import { looksLikePath, readJsonFile } from './read-json.ts';

/** Validates an inline model object; `path` prefixes every diagnostic (e.g. `model`). */
export function parseModelConfig(value: unknown, path = 'model', file?: string): ModelConfig {
  const result = ModelConfigSchema.safeParse(value);
  if (result.success) return result.data;
  throw new InputError(
    diagnosticsFromZod(result.error, {
      prefix: path,
      ...(file ? { file } : {}),
      knownKeysAt: () => MODEL_CONFIG_KEYS,
    }),
  );
}

/** A model preset by name; an unknown name lists the known ones. */
export function modelPreset(name: string, path = 'model'): ModelConfig {
  const preset = MODEL_PRESETS[name];
  if (!preset)
    throw inputError('unknown-preset', path, unknownNameMessage('model preset', name, MODEL_PRESET_NAMES));
  return preset;
}

/** A preset name or a path to a JSON file holding a ModelConfig. */
export function loadModel(ref: string, options: { cwd?: string; path?: string } = {}): ModelConfig {
  const path = options.path ?? 'model';
  if (!looksLikePath(ref) || MODEL_PRESETS[ref]) return modelPreset(ref, path);
  const file = resolve(options.cwd ?? process.cwd(), ref);
  return parseModelConfig(readJsonFile(file, ref), '', ref);
}
