/**
 * Property-based tests for the edge: random valid workloads load; random invalid ones (a valid
 * one with one to three mutations: a wrong type, an out-of-range number, an unknown key, a
 * deleted required field) are always rejected with an InputError whose every diagnostic has a
 * path and a message of our own, and never with anything else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HARDWARE_CONFIG_KEYS, HARDWARE_PRESET_NAMES } from '../hardware/hardware-config.ts';
import { InputError } from '../models/diagnostics.ts';
import {
  MODEL_CONFIG_KEYS,
  MODEL_PRESET_NAMES,
  MODEL_PRESETS,
  type ModelConfig,
} from '../models/model-config.ts';
import { SparsitySpecSchema } from '../models/sparsity.ts';
import { parseWorkload } from './load-workload.ts';
import { averageDensity, levelAt } from './workload-schema.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonType = 'number' | 'string' | 'boolean' | 'object' | 'array' | 'null';

// ---- valid workloads ------------------------------------------------------------------------

const level = fc.double({ min: 0, max: 0.99, noNaN: true });
const fraction = fc.double({ min: 0, max: 1, noNaN: true });

const inlineModel = fc
  .record({
    layers: fc.integer({ min: 1, max: 48 }),
    heads: fc.integer({ min: 1, max: 16 }),
    headDim: fc.integer({ min: 1, max: 128 }),
    dFF: fc.integer({ min: 1, max: 16384 }),
    vocab: fc.integer({ min: 1, max: 60000 }),
    seqLen: fc.integer({ min: 1, max: 8192 }),
    activation: fc.constantFrom('gelu', 'swiglu'),
    tiedEmbeddings: fc.boolean(),
  })
  .map(({ headDim, ...m }) => ({ name: 'inline', ...m, dModel: m.heads * headDim }));

const gradual = fc.record({ from: level, to: level, a: fraction, b: fraction }).map(({ from, to, a, b }) => ({
  schedule: 'gradual',
  from,
  to,
  startFraction: Math.min(a, b),
  endFraction: Math.max(a, b),
}));

const phases = fc
  .uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 })
  .chain((names) =>
    fc.tuple(
      ...names.map((name) =>
        fc.record(
          {
            name: fc.constant(name),
            tokens: fc.double({ min: 1, max: 1e13, noNaN: true }),
            sparsity: fc.oneof(level, gradual),
          },
          { requiredKeys: ['name', 'tokens'] },
        ),
      ),
    ),
  );

/** The batch and, sometimes, a cluster that splits it evenly (the micro-batch fits one system). */
const batchAndCluster = fc
  .record({ systems: fc.integer({ min: 1, max: 16 }), perSystem: fc.integer({ min: 1, max: 512 }) })
  .chain(({ systems, perSystem }) =>
    fc.record(
      {
        batch: fc.record(
          {
            sequences: fc.constant(systems * perSystem),
            microBatchSequences: fc.integer({ min: 1, max: perSystem }),
          },
          { requiredKeys: ['sequences'] },
        ),
        cluster: fc.constant({ systems }),
      },
      { requiredKeys: systems > 1 ? ['batch', 'cluster'] : ['batch'] },
    ),
  );

const workloadWithoutBatch = fc.record(
  {
    version: fc.constant(1),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    description: fc.string({ maxLength: 40 }),
    model: fc.oneof(fc.constantFrom(...MODEL_PRESET_NAMES), inlineModel),
    sparsity: fc.oneof(
      level,
      fc.record(
        {
          level,
          pattern: fc.constantFrom('unstructured', 'block:4x4', 'block:1x8'),
          distribution: fc.constantFrom('uniform', 'erk'),
        },
        { requiredKeys: ['level'] },
      ),
    ),
    seqLen: fc.integer({ min: 1, max: 8192 }),
    hardware: fc.record(
      {
        preset: fc.constantFrom(...HARDWARE_PRESET_NAMES),
        fmacsPerCycle: fc.integer({ min: 1, max: 16 }),
        clockHz: fc.double({ min: 1e8, max: 3e9, noNaN: true }),
      },
      { requiredKeys: [] },
    ),
    activationPolicy: fc.constantFrom('auto', 'keep', 'recompute', 'spill'),
    phases,
    seed: fc.nat(),
  },
  { requiredKeys: ['version', 'model', 'sparsity', 'phases'] },
);

const validWorkload = fc
  .tuple(workloadWithoutBatch, batchAndCluster)
  .map(([w, bc]) => ({ ...w, ...bc })) as fc.Arbitrary<Record<string, Json>>;

/** The shape `validWorkload` generates, for reading it back in the oracle. */
interface ValidFile {
  name?: string;
  model: string | ModelConfig;
  sparsity: number | { level: number };
  seqLen?: number;
  hardware?: { preset?: string };
  batch: { sequences: number };
  cluster?: { systems: number };
  phases: { name: string; sparsity?: number | { from: number } }[];
  seed?: number;
}

describe('random valid workloads', () => {
  it('load, and the resolved workload says what the file says', () => {
    fc.assert(
      fc.property(validWorkload, (file) => {
        const w = parseWorkload(file, { name: 'default-name' });
        const f = file as unknown as ValidFile;
        expect(w.name).toBe(f.name ?? 'default-name');
        const model = typeof f.model === 'string' ? MODEL_PRESETS[f.model]! : f.model;
        expect(w.model.seqLen).toBe(f.seqLen ?? model.seqLen);
        const specLevel = typeof f.sparsity === 'number' ? f.sparsity : f.sparsity.level;
        expect(w.sparsity.level).toBe(specLevel);
        expect(w.phases.map((p) => p.name)).toEqual(f.phases.map((p) => p.name));
        expect(w.hardware.name.startsWith(f.hardware?.preset ?? 'cs2')).toBe(true);
        expect(w.seed).toBe(f.seed ?? 0);
        expect(w.cluster.systems).toBe(f.cluster?.systems ?? 1);
        expect(w.batch.sequences % w.cluster.systems).toBe(0);
        w.phases.forEach((p, i) => {
          const written = f.phases[i]!.sparsity;
          const start = typeof written === 'object' ? written.from : (written ?? specLevel);
          expect(levelAt(p, w.sparsity, 0)).toBe(start);
          const density = averageDensity(p, w.sparsity);
          expect(density).toBeGreaterThanOrEqual(0.01 - 1e-12);
          expect(density).toBeLessThanOrEqual(1 + 1e-12);
        });
      }),
      { numRuns: 300 },
    );
  });
});

// ---- mutations ------------------------------------------------------------------------------

/** JSON types each field accepts, by path pattern (`*` for an array index). */
const ACCEPTED: Readonly<Record<string, readonly JsonType[]>> = {
  version: ['number'],
  name: ['string'],
  description: ['string'],
  model: ['string', 'object'],
  'model.name': ['string'],
  'model.activation': ['string'],
  'model.tiedEmbeddings': ['boolean'],
  ...Object.fromEntries(
    ['layers', 'dModel', 'heads', 'dFF', 'vocab', 'seqLen'].map((k) => [`model.${k}`, ['number']]),
  ),
  sparsity: ['number', 'object'],
  'sparsity.level': ['number'],
  'sparsity.pattern': ['string'],
  'sparsity.distribution': ['string'],
  seqLen: ['number'],
  batch: ['object'],
  'batch.sequences': ['number'],
  'batch.microBatchSequences': ['number'],
  cluster: ['object'],
  'cluster.systems': ['number'],
  hardware: ['object'],
  'hardware.preset': ['string'],
  'hardware.fmacsPerCycle': ['number'],
  'hardware.clockHz': ['number'],
  activationPolicy: ['string'],
  phases: ['array'],
  'phases.*': ['object'],
  'phases.*.name': ['string'],
  'phases.*.tokens': ['number'],
  'phases.*.sparsity': ['number', 'object'],
  'phases.*.sparsity.schedule': ['string'],
  'phases.*.sparsity.from': ['number'],
  'phases.*.sparsity.to': ['number'],
  'phases.*.sparsity.startFraction': ['number'],
  'phases.*.sparsity.endFraction': ['number'],
  seed: ['number'],
};

const REQUIRED = new Set([
  'version',
  'model',
  'sparsity',
  'batch',
  'phases',
  ...['name', 'layers', 'dModel', 'heads', 'dFF', 'vocab', 'seqLen', 'activation', 'tiedEmbeddings'].map(
    (k) => `model.${k}`,
  ),
  'sparsity.level',
  'batch.sequences',
  'phases.*.name',
  'phases.*.tokens',
  ...['schedule', 'from', 'to', 'startFraction', 'endFraction'].map((k) => `phases.*.sparsity.${k}`),
]);

const LEVEL_OUT = fc.oneof(
  fc.double({ min: 1, max: 1e6, noNaN: true }),
  fc.double({ min: -1e6, max: -1e-9, noNaN: true }),
);
const FRACTION_OUT = fc.oneof(
  fc.double({ min: 1.000001, max: 1e6, noNaN: true }),
  fc.double({ min: -1e6, max: -1e-9, noNaN: true }),
);
const NOT_POSITIVE_INT = fc.oneof(
  fc.integer({ min: -1e6, max: 0 }),
  fc.double({ min: 0.01, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x)),
);
const NOT_POSITIVE = fc.oneof(
  fc.double({ min: -1e6, max: 0, noNaN: true }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
);

/** Numbers outside each numeric field's range, by path pattern. */
const OUT_OF_RANGE: Readonly<Record<string, fc.Arbitrary<number>>> = {
  version: fc.oneof(
    fc.integer().filter((v) => v !== 1),
    fc.constant(1.5),
  ),
  sparsity: LEVEL_OUT,
  'sparsity.level': LEVEL_OUT,
  seqLen: NOT_POSITIVE_INT,
  'batch.sequences': NOT_POSITIVE_INT,
  'batch.microBatchSequences': NOT_POSITIVE_INT,
  'cluster.systems': fc.oneof(NOT_POSITIVE_INT, fc.integer({ min: 2049, max: 1e6 })),
  'hardware.fmacsPerCycle': NOT_POSITIVE_INT,
  'hardware.clockHz': NOT_POSITIVE,
  'phases.*.tokens': NOT_POSITIVE,
  'phases.*.sparsity': LEVEL_OUT,
  'phases.*.sparsity.from': LEVEL_OUT,
  'phases.*.sparsity.to': LEVEL_OUT,
  'phases.*.sparsity.startFraction': FRACTION_OUT,
  'phases.*.sparsity.endFraction': FRACTION_OUT,
  seed: fc.oneof(fc.integer({ min: -1e6, max: -1 }), fc.constant(0.5)),
  ...Object.fromEntries(
    ['layers', 'dModel', 'heads', 'dFF', 'vocab', 'seqLen'].map((k) => [`model.${k}`, NOT_POSITIVE_INT]),
  ),
};

/** Keys each object accepts, by path pattern: an unknown key is anything else. */
const KEYS: Readonly<Record<string, readonly string[]>> = {
  '': [
    '$schema',
    'version',
    'name',
    'description',
    'extends',
    'model',
    'sparsity',
    'seqLen',
    'batch',
    'cluster',
    'hardware',
    'activationPolicy',
    'phases',
    'seed',
  ],
  model: MODEL_CONFIG_KEYS,
  sparsity: Object.keys(SparsitySpecSchema.shape),
  batch: ['sequences', 'microBatchSequences'],
  cluster: ['systems'],
  hardware: ['preset', ...HARDWARE_CONFIG_KEYS],
  'phases.*': ['name', 'tokens', 'sparsity'],
  'phases.*.sparsity': ['schedule', 'from', 'to', 'startFraction', 'endFraction'],
};

const VALUE_OF_TYPE: Readonly<Record<JsonType, fc.Arbitrary<Json>>> = {
  number: fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
  string: fc.string({ maxLength: 8 }),
  boolean: fc.boolean(),
  object: fc.constantFrom<Json>({}, { x: 1 }),
  array: fc.constantFrom<Json>([], [1], ['a']),
  null: fc.constant(null),
};

function typeOf(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

type Path = (string | number)[];

/** Every path in a JSON value, with its pattern. */
function paths(value: Json, path: Path = []): { path: Path; pattern: string }[] {
  const here = { path, pattern: path.map((p) => (typeof p === 'number' ? '*' : p)).join('.') };
  if (Array.isArray(value)) return [here, ...value.flatMap((v, i) => paths(v, [...path, i]))];
  if (value !== null && typeof value === 'object') {
    return [here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...path, k]))];
  }
  return [here];
}

function getAt(root: Json, path: Path): Json {
  return path.reduce<Json>((v, k) => (v as Record<string, Json>)[k as string] as Json, root);
}

/** A copy of `root` with the value at `path` replaced (undefined: deleted), as an own property. */
function setAt(root: Json, path: Path, value: Json | undefined): Json {
  const copy = structuredClone(root) as Record<string, Json>;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string, Json>;
  const key = path.at(-1)!;
  if (value === undefined) delete parent[key as string];
  else Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

type Mutation = { kind: string; path: Path; value?: Json };

/** One mutation that makes `root` invalid, chosen among those its shape allows. */
function mutation(root: Json): fc.Arbitrary<Mutation> {
  const all = paths(root);
  const options: fc.Arbitrary<Mutation>[] = [];
  for (const { path, pattern } of all) {
    const accepted = Object.hasOwn(ACCEPTED, pattern) ? ACCEPTED[pattern] : undefined;
    if (accepted) {
      const wrong = (Object.keys(VALUE_OF_TYPE) as JsonType[]).filter((t) => !accepted.includes(t));
      options.push(
        fc
          .constantFrom(...wrong)
          .chain((t) => VALUE_OF_TYPE[t].map((value) => ({ kind: `wrong type ${t}`, path, value }))),
      );
    }
    const out = OUT_OF_RANGE[pattern];
    if (out && typeOf(getAt(root, path)) === 'number')
      options.push(out.map((value) => ({ kind: 'out of range', path, value })));
    if (REQUIRED.has(pattern)) options.push(fc.constant({ kind: 'deleted', path }));
    const keys = KEYS[pattern];
    if (keys && typeOf(getAt(root, path)) === 'object') {
      const key = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !keys.includes(k));
      options.push(
        fc
          .tuple(key, fc.jsonValue())
          .map(([k, value]) => ({ kind: 'unknown key', path: [...path, k], value: value as Json })),
      );
    }
  }
  return fc.oneof(...options);
}

function applyMutations(root: Json, count: number): fc.Arbitrary<{ mutated: Json; applied: Mutation[] }> {
  if (count === 0) return fc.constant({ mutated: root, applied: [] });
  return mutation(root).chain((m) =>
    applyMutations(setAt(root, m.path, m.value), count - 1).map(({ mutated, applied }) => ({
      mutated,
      applied: [m, ...applied],
    })),
  );
}

const invalidWorkload = fc
  .tuple(validWorkload, fc.integer({ min: 1, max: 3 }))
  .chain(([valid, count]) => applyMutations(valid, count));

/** zod's own English: a message that reaches the user without saying what is accepted. */
const ZOD_DEFAULT =
  /^(Invalid input|Invalid option|Too small|Too big|Unrecognized key|Invalid discriminator)/;

describe('random invalid workloads', () => {
  it('are rejected with an InputError whose every diagnostic has a path and a message of ours', () => {
    fc.assert(
      fc.property(invalidWorkload, ({ mutated }) => {
        let thrown: unknown;
        try {
          parseWorkload(mutated);
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(InputError);
        const { diagnostics } = thrown as InputError;
        expect(diagnostics.length).toBeGreaterThan(0);
        for (const d of diagnostics) {
          expect(d.path.length).toBeGreaterThan(0);
          expect(d.message.length).toBeGreaterThan(0);
          expect(d.message).not.toMatch(ZOD_DEFAULT);
        }
      }),
      { numRuns: 600 },
    );
  });
});
