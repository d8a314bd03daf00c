import { describe, expect, it } from 'vitest';
import { HARDWARE_PRESETS, type HardwareConfig } from '../../hardware/hardware-config.ts';
import type { ModelConfig } from '../../models/model-config.ts';
import { MODEL_PRESETS } from '../../models/model-config.ts';
import { sparsitySpec } from '../../models/sparsity.ts';
import { layerWeights, matrixDensities } from '../../models/weights.ts';
import { TINY_MODEL } from '../../tests/fixtures.ts';
import { type ActivationPolicyChoice, estimateStepCycles, placeStepWithPolicy } from './choose-policy.ts';
import { placeStep } from './place-step.ts';
import type { MatmulTiling } from './placed-program.ts';
import { estimateMatmul } from './tile-matmul.ts';

const tiny: ModelConfig = TINY_MODEL;
const mesh16: HardwareConfig = { ...HARDWARE_PRESETS.cs2!, meshRows: 16, meshCols: 16 };

function input(model: ModelConfig, level: number, hw: HardwareConfig, sequences: number, micro?: number) {
  const spec = sparsitySpec(level);
  const weights = layerWeights(model, spec);
  return {
    workload: 'test',
    phase: 'p',
    model,
    weights,
    densities: matrixDensities(weights, spec),
    hardware: hw,
    sequences,
    ...(micro === undefined ? {} : { microBatchSequences: micro }),
  };
}

describe('SRAM use of a placement, computed by hand', () => {
  it('tiny model, 16 × 16 mesh, 8 sequences of 128 tokens, keep', () => {
    const r = placeStep({ ...input(tiny, 0.5, mesh16, 8, 8), activationPolicy: 'keep' });
    if (!r.ok) throw new Error(r.diagnostics[0]!.message);
    const mb = r.program.microBatches[0]!;
    const q = mb.placements.find((p) => p.node === 'L0.fwd.q')!;
    const t = q.tiling as MatmulTiling;
    // 1024 tokens over 16 columns: 64 tokens per PE.
    expect(t.tokensPerPe).toBe(64);
    // Kept for backward, per token: 2 blocks × (8·64 + 4 heads + 2·256) + final LN 64 + 1 = 2121
    // elements, spread over 16 rows: ceil(2121 / 16) = 133 per PE-token, FP16.
    expect(q.sram.residentBytes).toBe(64 * 133 * 2);
    // Working set: the X slice (64 tokens × kSlice, FP16), the preset's FP32 accumulators of 64
    // (the cs2 preset accumulates in FP32), the output rows kept after the reduction, and the
    // 64-wavelet weight queue.
    const kSlice = Math.ceil(64 / Math.floor(16 / t.rowGroups));
    expect(t.kSlice).toBe(kSlice);
    const outputRows = Math.ceil(Math.ceil(64 / t.rowGroups) / t.rowsPerGroup);
    expect(q.sram.workingBytes).toBe(
      64 * kSlice * 2 + mesh16.gemmAccumulators * 64 * 4 + 64 * outputRows * 2 + 64 * 4,
    );
    for (const p of mb.placements) {
      expect(p.sram.totalBytes).toBeLessThanOrEqual(mesh16.sramBytesPerPe - mesh16.reservedSramBytesPerPe);
    }
  });

  it('recompute keeps only block inputs plus one block: less resident memory than keep', () => {
    const keep = placeStep({ ...input(tiny, 0.5, mesh16, 8, 8), activationPolicy: 'keep' });
    const recompute = placeStep({ ...input(tiny, 0.5, mesh16, 8, 8), activationPolicy: 'recompute' });
    if (!keep.ok || !recompute.ok) throw new Error('expected both to fit');
    // recompute: 2 blocks × 64 + one block's 1028 + 65 = 1221 → ceil(1221 / 16) = 77 per PE-token.
    expect(recompute.program.microBatches[0]!.placements[0]!.sram.residentBytes).toBe(64 * 77 * 2);
    expect(recompute.program.recomputedNodes).toBe(28);
    expect(keep.program.recomputedNodes).toBe(0);
  });
});

describe('choices', () => {
  it('the chosen tiling is the fastest feasible one (brute force over G)', () => {
    const hw = HARDWARE_PRESETS.cs2!;
    const r = placeStep({
      ...input(MODEL_PRESETS['gpt3-xl']!, 0.9, hw, 16, 16),
      activationPolicy: 'recompute',
    });
    if (!r.ok) throw new Error(r.diagnostics[0]!.message);
    const mb = r.program.microBatches[0]!;
    const p = mb.placements.find((x) => x.node === 'L3.fwd.ffnOut')!;
    const t = p.tiling as MatmulTiling;
    const budget = hw.sramBytesPerPe - hw.reservedSramBytesPerPe - p.sram.residentBytes;
    let best = Number.POSITIVE_INFINITY;
    for (let g = 1; g <= hw.meshRows; g++) {
      const e = estimateMatmul(hw, { ...t, kernel: t.kernel }, g);
      if (e.workingBytes <= budget) best = Math.min(best, e.cycles);
    }
    expect(p.estimatedCycles).toBe(best);
    // At 90% sparsity a single row group would spend most of each column adding the partial sums
    // that arrive (one wavelet per token) rather than on its AXPYs; the search spreads K wider.
    expect(t.rowGroups).toBeGreaterThan(1);
    const one = estimateMatmul(hw, t, 1).perColumn;
    expect(one.compute - one.reduction).toBeLessThan(one.reduction);
  });

  it('the micro-batch is the largest that fits', () => {
    const hw = HARDWARE_PRESETS.cs2!;
    const base = input(MODEL_PRESETS['gpt3-xl']!, 0.75, hw, 512);
    const r = placeStep({ ...base, activationPolicy: 'recompute' });
    if (!r.ok) throw new Error(r.diagnostics[0]!.message);
    const micro = r.program.microBatchSequences;
    expect(micro).toBeGreaterThan(1);
    expect(micro).toBeLessThan(512);
    expect(placeStep({ ...base, activationPolicy: 'recompute', microBatchSequences: micro + 1 }).ok).toBe(
      false,
    );
    // 512 = 8 × 59 + 40: a full micro-batch program run 8 times and a remainder of 40.
    const counts = r.program.microBatches.map((m) => [m.sequences, m.count]);
    const total = counts.reduce((a, [s, c]) => a + s! * c!, 0);
    expect(total).toBe(512);
  });

  it('the estimate counts the optimizer bubble once per step, however many micro-batches', () => {
    const bubble = 0.5;
    const hw: HardwareConfig = { ...mesh16, stepBubbleSeconds: bubble };
    const estimate = (micro: number, seconds: number) => {
      const r = placeStep({
        ...input(tiny, 0.5, { ...hw, stepBubbleSeconds: seconds }, 8, micro),
        activationPolicy: 'keep',
      });
      if (!r.ok) throw new Error(r.diagnostics[0]!.message);
      return estimateStepCycles(r.program);
    };
    for (const micro of [8, 4, 2]) {
      expect(estimate(micro, bubble) - estimate(micro, 0)).toBeCloseTo(bubble * hw.clockHz, 3);
    }
  });

  it("'auto' picks the fastest of the policies that fit", () => {
    const base = input(MODEL_PRESETS['gpt2-small']!, 0.5, HARDWARE_PRESETS.cs2!, 64);
    const estimates = new Map<ActivationPolicyChoice, number>();
    for (const policy of ['keep', 'recompute', 'spill'] as const) {
      const r = placeStepWithPolicy({ ...base, activationPolicy: policy });
      if (r.ok) estimates.set(policy, estimateStepCycles(r.program));
    }
    const auto = placeStepWithPolicy({ ...base, activationPolicy: 'auto' });
    if (!auto.ok) throw new Error('auto should fit');
    expect(estimateStepCycles(auto.program)).toBe(Math.min(...estimates.values()));
  });
});

describe('infeasible placements are diagnostics, not crashes', () => {
  it('GPT-3 XL on a 4 × 4 mesh with 1 KiB of SRAM per PE', () => {
    const hw: HardwareConfig = { ...HARDWARE_PRESETS.cs2!, meshRows: 4, meshCols: 4, sramBytesPerPe: 1024 };
    const r = placeStepWithPolicy({
      ...input(MODEL_PRESETS['gpt3-xl']!, 0.75, hw, 8),
      activationPolicy: 'auto',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const d = r.diagnostics[0]!;
    expect(d.code).toBe('infeasible');
    expect(d.path).toMatch(/test: phase p: L0\.fwd\./);
    expect(d.message).toMatch(/does not fit in SRAM at 1 sequence per micro-batch/);
    expect(d.message).toMatch(/more PEs \(hardware\.meshRows × meshCols, now 4 × 4\)/);
    expect(d.message).toMatch(/more SRAM per PE \(hardware\.sramBytesPerPe, now 1024\)/);
  });

  it('a fixed micro-batch that does not fit suggests a smaller one', () => {
    const hw = HARDWARE_PRESETS.cs2!;
    const r = placeStep({
      ...input(MODEL_PRESETS['gpt3-xl']!, 0.75, hw, 512, 512),
      activationPolicy: 'keep',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics[0]!.message).toMatch(/a micro-batch below 512 sequences/);
    expect(r.diagnostics[0]!.message).toMatch(/activationPolicy "recompute"/);
    expect(r.overBytes).toBeGreaterThan(0);
  });
});
