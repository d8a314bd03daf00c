/**
 * The GPU baseline from the shipped measurements (published-data oracle): the median model
 * TFLOP/s of the dense GPT-3 XL runs, and H100 time = dense FLOPs / that rate.
 */
import { describe, expect, it } from 'vitest';
import {
  GPU_SPARSE_FILE,
  GPU_STEP_FILE,
  h100Rate,
  h100Seconds,
  loadGpuBaseline,
  median,
} from './gpu-baseline.ts';

describe('loadGpuBaseline', () => {
  const gpu = loadGpuBaseline();

  it('reads both data files and cites them', () => {
    expect(gpu.sources).toEqual([GPU_STEP_FILE, GPU_SPARSE_FILE]);
    expect(gpu.device).toBe('NVIDIA H100 80GB HBM3');
    expect(gpu.label).toMatch(/one H100, dense.*unstructured sparsity does not speed it up/);
  });

  it("the rate is the median of the runs' model TFLOP/s: (415.13 + 424.53) / 2", () => {
    expect(gpu.runs.map((r) => [r.microBatch, r.seqLen])).toEqual([
      [4, 2048],
      [8, 2048],
    ]);
    expect(gpu.modelTflops).toBeCloseTo((415.13417855906823 + 424.5276935069785) / 2, 10);
  });

  it('H100 seconds are dense FLOPs over the rate; a node of 8 takes an eighth', () => {
    const rate = h100Rate(2048, gpu);
    expect(h100Seconds(gpu.modelTflops * 1e12 * 3600, rate)).toBeCloseTo(3600, 9);
    expect(h100Seconds(gpu.modelTflops * 1e12 * 3600, rate, 8)).toBeCloseTo(450, 9);
  });

  it('the rate is measured at the measured width, scaled by the block rates elsewhere, clamped outside them', () => {
    expect(h100Rate(2048, gpu)).toEqual({ tflops: gpu.modelTflops, basis: 'measured' });
    const [narrow, wide] = [...gpu.blocks].sort((a, b) => a.dModel - b.dModel);
    expect(narrow!.dModel).toBe(1600);
    expect(wide!.dModel).toBe(2048);
    // At the narrow block's width: the whole-model rate times the ratio of the block rates.
    const at1600 = h100Rate(1600, gpu);
    expect(at1600.basis).toBe('interpolated');
    expect(at1600.tflops).toBeCloseTo((gpu.modelTflops * narrow!.modelTflops) / wide!.modelTflops, 9);
    // Halfway in width, halfway in block rate.
    expect(h100Rate(1824, gpu).tflops).toBeCloseTo((h100Rate(1600, gpu).tflops + gpu.modelTflops) / 2, 9);
    expect(h100Rate(768, gpu)).toEqual({ ...at1600, basis: 'clamped' });
    expect(h100Rate(4096, gpu)).toEqual({ tflops: gpu.modelTflops, basis: 'clamped' });
  });

  it('the GEMM context rows: CSR is a slowdown at every level, 2:4 about even at best', () => {
    expect(gpu.gemm).toHaveLength(4);
    for (const g of gpu.gemm) {
      for (const s of [g.csrBf16.s50, g.csrBf16.s75, g.csrBf16.s90, g.csrFp32.s90])
        expect(s).toBeLessThan(0.1);
      expect(g.semi24).toBeLessThan(1.1);
    }
    expect(gpu.gemm[0]).toMatchObject({ m: 16384, k: 2048, n: 2048 });
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });
});
