/**
 * Every size and every physical quantity a workload can set is bounded (docs/limits.md), and the
 * bounds are what keeps results finite: any workload inside them either simulates to a report whose
 * every number is finite, or is refused as bad input; any value outside them is refused naming its
 * field. Small models on small meshes keep each simulation to milliseconds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HARDWARE_CONFIG_KEYS, HARDWARE_PRESETS, HardwareConfigSchema } from '../hardware/hardware-config.ts';
import { InputError } from '../models/diagnostics.ts';
import { MODEL_LIMITS } from '../models/model-config.ts';
import { assertFiniteNumbers } from '../reports/finite.ts';
import { buildReport, renderReportJson } from '../reports/report-json.ts';
import { FIXTURE_META } from '../reports/test-support.ts';
import { simulateRun } from '../simulator/simulate-run.ts';
import { parseWorkload, WORKLOAD_LIMITS } from '../workloads/index.ts';

const TINY = {
  version: 1,
  name: 'tiny',
  model: {
    name: 'tiny',
    layers: 1,
    dModel: 64,
    heads: 2,
    dFF: 256,
    vocab: 512,
    seqLen: 64,
    activation: 'gelu',
    tiedEmbeddings: true,
  },
  sparsity: 0.5,
  batch: { sequences: 4 },
  phases: [
    { name: 'sparse', tokens: 1e6 },
    { name: 'dense', tokens: 1e4, sparsity: 0 },
  ],
  hardware: { preset: 'cs2', meshRows: 16, meshCols: 16 },
};

/** The numeric hardware fields with their bounds, read from the schema itself. */
const NUMERIC_FIELDS = HARDWARE_CONFIG_KEYS.flatMap((key) => {
  const json = HardwareConfigSchema.shape[key as keyof typeof HardwareConfigSchema.shape].toJSONSchema() as {
    type?: string;
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
  };
  if (json.type !== 'number' && json.type !== 'integer') return [];
  const min = json.minimum ?? json.exclusiveMinimum;
  if (json.maximum === undefined || min === undefined) throw new Error(`${key} has no bounds`);
  return [
    {
      key,
      min,
      max: json.maximum,
      integer: json.type === 'integer',
      exclusive: json.minimum === undefined,
    },
  ];
});

function inputErrorOf(run: () => unknown): InputError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
}

describe('bounds', () => {
  it('every numeric hardware field has a lower and an upper bound, and every preset is inside them', () => {
    expect(NUMERIC_FIELDS.length).toBeGreaterThan(25);
    for (const preset of Object.values(HARDWARE_PRESETS)) {
      for (const { key, min, max } of NUMERIC_FIELDS) {
        const value = preset[key as keyof typeof preset] as number | undefined;
        if (value === undefined) continue;
        expect(value, `${preset.name}.${key}`).toBeGreaterThanOrEqual(min);
        expect(value, `${preset.name}.${key}`).toBeLessThanOrEqual(max);
      }
    }
  });

  it('a hardware value outside its bounds is refused naming hardware.<field>', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NUMERIC_FIELDS),
        fc.oneof(
          fc.constantFrom(
            Number.NaN,
            Number.POSITIVE_INFINITY,
            Number.NEGATIVE_INFINITY,
            5e-324,
            -5e-324,
            1e308,
          ),
          fc.double(),
        ),
        (field, value) => {
          const accepted =
            HardwareConfigSchema.shape[field.key as keyof typeof HardwareConfigSchema.shape].safeParse(
              value,
            ).success;
          const inside = value >= field.min && value <= field.max;
          // Whatever the schema accepts lies inside the published bounds.
          if (accepted) expect(inside, `${field.key} = ${value}`).toBe(true);
          if (inside) return;
          const error = inputErrorOf(() =>
            parseWorkload({ ...TINY, hardware: { ...TINY.hardware, [field.key]: value } }),
          );
          expect(error, `${field.key} = ${value}`).toBeDefined();
          expect(error!.diagnostics.map((d) => d.path).join(' ')).toContain(`hardware.${field.key}`);
        },
      ),
      // A fixed seed: the suite gives the same verdict on every run (scripts/fuzz.ts explores).
      { numRuns: 500, seed: 11 },
    );
  });

  it('model and workload sizes beyond their bounds are refused naming the field', () => {
    const cases: [string, object][] = [
      ['model.layers', { model: { ...TINY.model, layers: MODEL_LIMITS.layers + 1 } }],
      ['model.dModel', { model: { ...TINY.model, dModel: 1e7, heads: 1 } }],
      ['model.dFF', { model: { ...TINY.model, dFF: MODEL_LIMITS.dFF * 2 } }],
      ['model.vocab', { model: { ...TINY.model, vocab: 1e12 } }],
      ['batch.sequences', { batch: { sequences: WORKLOAD_LIMITS.sequences + 1 } }],
      ['phases[0].tokens', { phases: [{ name: 'p', tokens: 1e308 }] }],
      ['phases[0].tokens', { phases: [{ name: 'p', tokens: 5e-324 }] }],
    ];
    for (const [path, patch] of cases) {
      const error = inputErrorOf(() => parseWorkload({ ...TINY, ...patch }));
      expect(error, path).toBeDefined();
      expect(error!.diagnostics.map((d) => d.path).join(' '), path).toContain(path);
    }
  });
});

/** Any value in [min, max], the bounds themselves likely. */
function valueIn(field: (typeof NUMERIC_FIELDS)[number]) {
  const { min, max, integer, exclusive } = field;
  const low = exclusive ? Math.max(min, 1e-6) : min;
  if (integer) return fc.oneof(fc.constantFrom(Math.max(low, 1), max), fc.integer({ min: low, max }));
  return fc.oneof(
    fc.constantFrom(max, low),
    // Log-uniform over the range, which spans many orders of magnitude.
    fc
      .double({ min: Math.log(Math.max(low, 1e-9)), max: Math.log(max), noNaN: true })
      .map((x) => Math.min(max, Math.max(low, Math.exp(x)))),
  );
}

const SMALL_MESH = new Set(['meshRows', 'meshCols', 'sramBytesPerPe']);

describe('a step too large for memory', () => {
  it('is refused before anything is allocated, naming the matrix and the memory it would need', async () => {
    // The widest matrix the bounds allow, drawn as an N:M bit mask (a bit per weight: 2 GiB).
    const workload = parseWorkload({
      ...TINY,
      model: { ...TINY.model, dModel: MODEL_LIMITS.dModel, heads: 64, dFF: MODEL_LIMITS.dFF, vocab: 1024 },
      sparsity: { level: 0.5, pattern: '2:4' },
      hardware: { preset: 'cs2', meshRows: 8192, meshCols: 8192, sramBytesPerPe: 2 ** 30 },
      batch: { sequences: 8 },
      seqLen: 1024,
    });
    const error = await simulateRun([workload]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    const d = (error as InputError).diagnostics[0]!;
    expect(d.code).toBe('too-large');
    expect(d.message).toMatch(/too large to simulate: matrix layers\.0\.ffn\w* \(65536 × 262144\).* GiB/);
  });
});

describe('inside the bounds, results are finite', () => {
  it('any hardware inside its bounds simulates to finite numbers, or is refused as bad input', async () => {
    const fieldValue = fc
      .constantFrom(...NUMERIC_FIELDS.filter((f) => !SMALL_MESH.has(f.key)))
      .chain((f) => valueIn(f).map((value) => [f.key, value] as const));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fieldValue, { maxLength: 8 }),
        fc.constantFrom(0, 0.5, 0.95, 0.999999),
        async (fields, level) => {
          const hardware: Record<string, unknown> = { ...TINY.hardware, ...Object.fromEntries(fields) };
          let report: ReturnType<typeof buildReport>;
          try {
            const workload = parseWorkload({ ...TINY, sparsity: level, hardware });
            report = buildReport(await simulateRun([workload]), FIXTURE_META);
          } catch (error) {
            // Refused (a value the others make impossible, or the step does not fit): exit 2.
            if (error instanceof InputError) return;
            throw error;
          }
          expect(() => assertFiniteNumbers(report, 'report')).not.toThrow();
          expect(renderReportJson(report)).not.toMatch(/NaN|Infinity/);
        },
      ),
      { numRuns: 60, seed: 12 },
    );
  });
});

describe('assertFiniteNumbers', () => {
  it('names the path of the first non-finite number, and passes finite data', () => {
    expect(() => assertFiniteNumbers({ a: [1, { b: Number.NaN }] }, 'report')).toThrow(
      'report: a[1].b is NaN, not a finite number',
    );
    expect(() => assertFiniteNumbers({ x: Number.POSITIVE_INFINITY }, 'r')).toThrow('x is Infinity');
    expect(() => assertFiniteNumbers({ a: [1, 2, { b: null, c: 'NaN' }] }, 'r')).not.toThrow();
  });
});

describe('nesting depth', () => {
  const deep = (levels: number) => JSON.parse(`${'['.repeat(levels)}${']'.repeat(levels)}`);

  it('a workload, a sweep or a hardware file nested thousands of levels deep is refused, not a stack overflow', async () => {
    const { parseSweep } = await import('../workloads/sweeps/index.ts');
    const { MAX_JSON_DEPTH } = await import('../models/json-depth.ts');
    for (const run of [
      () => parseWorkload({ ...TINY, description: deep(5000) }),
      () => parseSweep({ version: 1, base: 'mediswift-xl-s75', vary: { sparsity: [deep(5000)] } }),
      () => parseWorkload({ ...TINY, hardware: { preset: 'cs2', name: deep(MAX_JSON_DEPTH + 1) } }),
    ]) {
      const error = inputErrorOf(run);
      expect(error).toBeDefined();
      expect(error!.message).toMatch(/nested more than \d+ levels deep/);
    }
    // Any JSON file, whatever reads it (a hardware file, a shard's sweep.json, a report.json).
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { readJsonFile } = await import('../models/read-json.ts');
    const file = join(mkdtempSync(join(tmpdir(), 'wafersim-deep-')), 'sweep.json');
    writeFileSync(file, `{"points": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(inputErrorOf(() => readJsonFile(file, 'shard/sweep.json'))?.message).toMatch(
      /^shard\/sweep.json: nested more than 64 levels deep/,
    );
    // Shallow nesting is judged by the schema as before.
    expect(inputErrorOf(() => parseWorkload({ ...TINY, description: deep(10) }))?.message).toMatch(
      /description/,
    );
  });
});

describe('a GEMM with no weight left', () => {
  it('is refused as bad input naming the sparsity (its FLOP reduction would be unbounded)', async () => {
    const { simulateGemm } = await import('../simulator/gemm.ts');
    const error = inputErrorOf(() =>
      simulateGemm({ k: 7, n: 100, sparsity: 0.999999, hardware: HARDWARE_PRESETS.cs3! }),
    );
    expect(error?.diagnostics[0]).toMatchObject({ path: 'sparsity' });
    expect(error?.message).toMatch(
      /keeps no weight of a 7 × 100 matrix \(700 weights at density 0\.000001\)/,
    );
    // One weight left is a legal GEMM with finite metrics.
    const { deriveGemmMetrics } = await import('../reports/gemm-metrics.ts');
    const kept = simulateGemm({ k: 7, n: 100, sparsity: 0.998, hardware: HARDWARE_PRESETS.cs3! });
    expect(kept.nonZeros).toBeGreaterThan(0);
    expect(() => assertFiniteNumbers(deriveGemmMetrics(kept), 'gemm')).not.toThrow();
  });
});
