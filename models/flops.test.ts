import { describe, expect, it } from 'vitest';
import { summarizeFlops } from './flop-summary.ts';
import { countFlops } from './flops.ts';
import { MODEL_PRESET_NAMES, MODEL_PRESETS } from './model-config.ts';
import { sparsitySpec } from './sparsity.ts';

const preset = (name: string) => MODEL_PRESETS[name]!;

describe('closed forms worked by hand (cs2-facts §12)', () => {
  it('GPT-3 XL at 75%: 2·(1−s)·12·L·d² + 4·L·n·d + 2·d·V per token forward', () => {
    // L=24, d=2048, n=2048, V=50,257.
    // linear dense 2·12·24·2048² = 2,415,919,104; at density 0.25: 603,979,776
    // attention 4·24·2048·2048 = 402,653,184; LM head 2·2048·50,257 = 205,852,672
    const s = summarizeFlops(preset('gpt3-xl'), sparsitySpec(0.75), { tokens: 26e9 });
    expect(s.perToken.forward).toBe(603_979_776 + 402_653_184 + 205_852_672);
    expect(s.perToken.training).toBe(3 * 1_212_485_632);
    expect(s.dense.perToken.forward).toBe(3_024_424_960);
    expect(s.perSequence.training).toBe(3 * 1_212_485_632 * 2048);
    expect(s.breakdown).toEqual({
      sparseLinear: 3 * 603_979_776 * 2048,
      attention: 3 * 402_653_184 * 2048,
      lmHead: 3 * 205_852_672 * 2048,
    });
    expect(s.reduction).toBeCloseTo(3_024_424_960 / 1_212_485_632, 12);
    expect(s.reduction).toBeCloseTo(2.494, 3); // "2–2.5× fewer training FLOPs" (MediSwift abstract)
    expect(s.total).toEqual({
      tokens: 26e9,
      training: 3 * 1_212_485_632 * 26e9,
      denseTraining: 3 * 3_024_424_960 * 26e9,
    });
  });

  it('GPT-3 XL dense: attention and LM head are 13.3% and 6.8% of the FLOPs (SPDF text)', () => {
    const s = summarizeFlops(preset('gpt3-xl'), sparsitySpec(0));
    expect(s.breakdown.attention / s.perSequence.training).toBeCloseTo(0.133, 3);
    expect(s.breakdown.lmHead / s.perSequence.training).toBeCloseTo(0.068, 3);
    expect(s.reduction).toBe(1);
  });

  it('GPT-2 small at 50%', () => {
    // L=12, d=768: linear dense 2·12·12·768² = 169,869,312 → 84,934,656 at density 0.5
    // attention 4·12·2048·768 = 75,497,472; LM head 2·768·50,257 = 77,194,752
    const s = summarizeFlops(preset('gpt2-small'), sparsitySpec(0.5));
    expect(s.perToken.forward).toBe(84_934_656 + 75_497_472 + 77_194_752);
    expect(s.dense.perToken.forward).toBe(169_869_312 + 75_497_472 + 77_194_752);
    // cs2-facts §8: attention ≈ 23%, vocab ≈ 24% of the dense total for GPT-2 small.
    expect(s.dense.breakdown.attention / s.dense.perSequence.training).toBeCloseTo(0.234, 3);
    expect(s.dense.breakdown.lmHead / s.dense.perSequence.training).toBeCloseTo(0.239, 3);
  });

  it('Llama-2 7B (SwiGLU, untied head) at 70%: three FFN matrices of d × dFF', () => {
    // L=32, d=4096, dFF=11,008, n=4096, V=32,000
    // linear dense per layer 2·(4·4096² + 3·4096·11,008) = 2·(67,108,864 + 135,266,304) = 404,750,336
    const linearDense = 32 * 404_750_336;
    const s = summarizeFlops(preset('llama2-7b'), sparsitySpec(0.7));
    expect(s.dense.breakdown.sparseLinear / 3 / 4096).toBe(linearDense);
    expect(s.breakdown.sparseLinear / 3 / 4096).toBeCloseTo(linearDense * 0.3, 0);
    expect(s.breakdown.attention / 3 / 4096).toBe(4 * 32 * 4096 * 4096);
    expect(s.breakdown.lmHead / 3 / 4096).toBe(2 * 4096 * 32_000);
  });
});

describe('conservation and limits', () => {
  it.each(MODEL_PRESET_NAMES)('%s: breakdown sums to the training total; dense ≥ effective', (name) => {
    for (const level of [0, 0.5, 0.75, 0.9]) {
      const s = summarizeFlops(preset(name), sparsitySpec(level));
      const sum = s.breakdown.sparseLinear + s.breakdown.attention + s.breakdown.lmHead;
      expect(sum).toBeCloseTo(s.perSequence.training, -3);
      expect(s.perSequence.training).toBeCloseTo(3 * s.perSequence.forward, -3);
      expect(s.reduction).toBeGreaterThanOrEqual(1);
      // Amdahl form: 1 / ((1 − f) + f·(1 − s)) with f the dense linear share.
      const f = s.dense.breakdown.sparseLinear / s.dense.perSequence.training;
      expect(s.reduction).toBeCloseTo(1 / (1 - f + f * (1 - level)), 10);
    }
  });

  it('ERK keeps the total non-zeros of uniform, so the sparse-linear FLOPs match', () => {
    const model = preset('gpt3-xl');
    const uniform = countFlops(model, sparsitySpec(0.75));
    const erk = countFlops(model, sparsitySpec(0.75, { distribution: 'erk' }));
    expect(erk.sparseDensity).toBeCloseTo(0.25, 12);
    expect(erk.effective.breakdown.sparseLinear).toBeCloseTo(uniform.effective.breakdown.sparseLinear, -2);
  });

  it('only the listed weights are sparse', () => {
    const model = preset('gpt3-xl');
    const ffnOnly = countFlops(model, sparsitySpec(0.5, { weights: ['ffnIn', 'ffnOut'] }));
    // FFN is 8d² of the 12d² per layer; half of it is skipped.
    const dense = ffnOnly.dense.breakdown.sparseLinear;
    expect(ffnOnly.effective.breakdown.sparseLinear).toBeCloseTo(dense * (1 - (8 / 12) * 0.5), -3);
  });
});
