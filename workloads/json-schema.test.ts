import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { workloadJsonSchema } from './json-schema.ts';
import { WORKLOAD_PRESET_NAMES, WORKLOAD_PRESETS } from './presets.ts';

type Schema = z.core.JSONSchema.BaseSchema;

describe('workloadJsonSchema', () => {
  const schema = workloadJsonSchema();
  const properties = schema.properties as Record<string, Schema>;

  it('is a titled draft 2020-12 schema whose fields are all described', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('wafersim workload (version 1)');
    expect(schema.additionalProperties).toBe(false);
    for (const [key, field] of Object.entries(properties)) expect(field.description, key).toBeTruthy();
  });

  it('only version is always required; the rest unless the file extends another', () => {
    expect(schema.required).toEqual(['version']);
    expect(schema.if).toEqual({ not: { required: ['extends'] } });
    expect(schema.then).toEqual({ required: ['model', 'sparsity', 'batch', 'phases'] });
  });

  it('offers the model and hardware presets for completion', () => {
    const modelNames = (properties.model!.anyOf as Schema[])[0]!.enum;
    expect(modelNames).toContain('mediswift-xl');
    const [asString, asObject] = properties.hardware!.anyOf as Schema[];
    expect(asString!.type).toBe('string');
    expect(asString!.examples).toContain('cs3');
    const hardware = asObject!.properties as Record<string, Schema>;
    expect(hardware.preset?.enum).toEqual(['cs2', 'cs3', 'cs2-fp16acc', 'cs2-2x-io', 'cs2-8wide']);
    expect(hardware.file?.type).toBe('string');
    expect(properties.extends?.examples).toContain('mediswift-xl-s75');
  });

  it('accepts every complete preset and rejects a percent level and an unknown key', () => {
    // zod can read the schema back, except the if/then that only relaxes `required`.
    const { if: _if, then: _then, ...unconditional } = schema;
    const check = z.fromJSONSchema(unconditional);
    const complete = WORKLOAD_PRESET_NAMES.filter((name) => !('extends' in WORKLOAD_PRESETS[name]!));
    expect(complete.length).toBeGreaterThan(10);
    for (const name of complete) expect(check.safeParse(WORKLOAD_PRESETS[name]).success, name).toBe(true);
    const xl = WORKLOAD_PRESETS['mediswift-xl-s75']!;
    expect(check.safeParse({ ...xl, sparsity: 75 }).success).toBe(false);
    expect(check.safeParse({ ...xl, sparsty: 0.75 }).success).toBe(false);
    expect(check.safeParse({ ...xl, hardware: './machine.json' }).success).toBe(true);
    expect(check.safeParse({ ...xl, hardware: { file: './m.json', clockHz: 1e9 } }).success).toBe(true);
  });
});
