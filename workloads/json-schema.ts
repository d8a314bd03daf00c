/**
 * The workload file format as JSON Schema (draft 2020-12), for editors: point a file's `$schema`
 * at the output of `wafersim schema workload` to get completion and inline checks. Refinements
 * (unique phase names, startFraction ≤ endFraction, N:M levels) are checked by wafersim only.
 */
import { z } from 'zod';
import { HARDWARE_PRESET_NAMES } from '../hardware/hardware-config.ts';
import { MODEL_PRESET_NAMES } from '../models/model-config.ts';
import { WORKLOAD_PRESET_NAMES } from './presets.ts';
import { HardwarePresetNameSchema, ModelPresetNameSchema, WorkloadSchema } from './workload-schema.ts';

/** Fields a file must give unless it `extends` another, which may supply them. */
const REQUIRED_WITHOUT_EXTENDS = ['model', 'sparsity', 'batch', 'phases'];

export function workloadJsonSchema(): z.core.JSONSchema.BaseSchema {
  const schema = z.toJSONSchema(WorkloadSchema, {
    target: 'draft-2020-12',
    io: 'input',
    override: (ctx) => {
      if (ctx.zodSchema === ModelPresetNameSchema) ctx.jsonSchema.enum = [...MODEL_PRESET_NAMES];
      if (ctx.zodSchema === HardwarePresetNameSchema) ctx.jsonSchema.enum = [...HARDWARE_PRESET_NAMES];
    },
  });
  const properties = schema.properties as Record<string, z.core.JSONSchema.BaseSchema>;
  properties.extends = { ...properties.extends, examples: [...WORKLOAD_PRESET_NAMES, './base.json'] };
  // The loader also takes a preset name or a hardware file's path for `hardware` (load-workload.ts).
  const { description: hardwareDescription, default: _default, ...hardwareObject } = properties.hardware!;
  properties.hardware = {
    description: hardwareDescription,
    anyOf: [
      {
        type: 'string',
        description:
          'A hardware preset name, or the path of a hardware file (ends in .json or contains a slash)',
        examples: [...HARDWARE_PRESET_NAMES, './my-machine.json'],
      },
      hardwareObject,
    ],
  };
  const { $schema: _draft, ...rest } = schema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'wafersim workload (version 1)',
    description:
      'A training workload for wafersim: model × sparsity × batch × phases (tokens) × hardware × seed. ' +
      'Sparsity levels are fractions of zero weights in [0, 1).',
    ...rest,
    required: (rest.required ?? []).filter((key) => !REQUIRED_WITHOUT_EXTENDS.includes(key)),
    if: { not: { required: ['extends'] } },
    // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword paired with `if`.
    then: { required: REQUIRED_WITHOUT_EXTENDS },
  };
}
