import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from './model-config.ts';
import { formatPattern, parsePattern, SparsitySpecSchema, sparsitySpec } from './sparsity.ts';
import { layerWeights, matrixDensities } from './weights.ts';

describe('sparsity spec', () => {
  it('parses the pattern forms and prints them back', () => {
    for (const text of ['unstructured', '2:4', '1:8', 'block:4x4', 'block:16x1']) {
      expect(formatPattern(parsePattern(text)!)).toBe(text);
    }
    for (const bad of ['4:2', '0:4', 'block:0x4', 'structured', '2/4'])
      expect(parsePattern(bad)).toBeUndefined();
  });

  it('rejects a level outside [0, 1) with a message naming the range', () => {
    for (const level of [1, 75, -0.1]) {
      const r = SparsitySpecSchema.safeParse({ level });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(/\[0, 1\)/);
      expect(r.error!.issues[0]!.path).toEqual(['level']);
    }
  });

  it('an N:M pattern must agree with the level', () => {
    expect(SparsitySpecSchema.safeParse({ level: 0.5, pattern: '2:4' }).success).toBe(true);
    const r = SparsitySpecSchema.safeParse({ level: 0.75, pattern: '2:4' });
    expect(r.error!.issues[0]!.message).toMatch(/fixes the sparsity at 0.5/);
  });
});

describe('weights and densities', () => {
  it('a GELU block has 6 matrices, a SwiGLU block 7, with [in, out] shapes', () => {
    const xl = layerWeights(MODEL_PRESETS['gpt3-xl']!, sparsitySpec(0.5));
    expect(xl).toHaveLength(24 * 6);
    expect(xl.find((w) => w.name === 'layers.0.ffnOut')).toMatchObject({
      rows: 8192,
      cols: 2048,
      sparse: true,
    });
    const llama = layerWeights(MODEL_PRESETS['llama2-7b']!, sparsitySpec(0.5));
    expect(llama).toHaveLength(32 * 7);
    expect(llama.find((w) => w.name === 'layers.31.ffnGate')).toMatchObject({ rows: 4096, cols: 11_008 });
  });

  it('dense spec marks nothing sparse', () => {
    expect(layerWeights(MODEL_PRESETS['gpt2-small']!, sparsitySpec(0)).some((w) => w.sparse)).toBe(false);
  });

  it('ERK: denser small matrices, total non-zeros preserved, every density in (0, 1]', () => {
    const model = MODEL_PRESETS['llama2-7b']!;
    const spec = sparsitySpec(0.9, { distribution: 'erk' });
    const weights = layerWeights(model, spec);
    const d = matrixDensities(weights, spec);
    const q = d.get('layers.0.q')!;
    const up = d.get('layers.0.ffnIn')!;
    // (rows + cols)/(rows·cols): 2/4096 for q vs (4096 + 11008)/(4096·11008) for the FFN.
    expect(q / up).toBeCloseTo(2 / 4096 / ((4096 + 11_008) / (4096 * 11_008)), 10);
    let nz = 0;
    let all = 0;
    for (const w of weights) {
      const density = d.get(w.name)!;
      expect(density).toBeGreaterThan(0);
      expect(density).toBeLessThanOrEqual(1);
      nz += density * w.rows * w.cols;
      all += w.rows * w.cols;
    }
    expect(nz / all).toBeCloseTo(0.1, 12);
  });

  it('ERK caps a matrix at density 1 and rescales the rest', () => {
    const tiny = { ...MODEL_PRESETS['gpt2-small']!, name: 'tiny', layers: 1, dModel: 8, heads: 2, dFF: 512 };
    const spec = sparsitySpec(0.1, { distribution: 'erk' });
    const weights = layerWeights(tiny, spec);
    const d = matrixDensities(weights, spec);
    expect(d.get('layers.0.q')).toBe(1);
    let nz = 0;
    let all = 0;
    for (const w of weights) {
      nz += d.get(w.name)! * w.rows * w.cols;
      all += w.rows * w.cols;
    }
    expect(nz / all).toBeCloseTo(0.9, 12);
  });
});
