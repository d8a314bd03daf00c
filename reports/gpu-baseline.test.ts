/**
 * The GPU baseline from the shipped measurements (published-data oracle): the median model
 * TFLOP/s of the dense GPT-3 XL runs, and H100 time = dense FLOPs / that rate.
 */
import { describe, expect, it } from 'vitest';
import { GPU_SPARSE_FILE, GPU_STEP_FILE, h100Seconds, loadGpuBaseline, median } from './gpu-baseline.ts';

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

  it('H100 seconds are dense FLOPs over the rate', () => {
    expect(h100Seconds(gpu.modelTflops * 1e12 * 3600, gpu)).toBeCloseTo(3600, 9);
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
