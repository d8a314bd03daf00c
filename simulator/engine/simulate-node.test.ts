import { describe, expect, it } from 'vitest';
import { estimateMatmul } from '../../compiler/place/tile-matmul.ts';
import { HARDWARE_PRESETS, type HardwareConfig } from '../../hardware/hardware-config.ts';
import { createBitMask, setBit } from '../../models/masks/bit-mask.ts';
import { countBitsForTilings } from '../../models/masks/multi-tiling.ts';
import { STALL_CAUSES, totalCycles } from '../counters.ts';
import { denseRowCounts } from './mask-counts.ts';
import { simulateMatmul } from './simulate-node.ts';

// A small mesh with round numbers: SIMD 4 (FP16 accumulation), task overhead 2, hop 1, ramp 2
// (6 cycles per chain hop).
const hw: HardwareConfig = {
  ...HARDWARE_PRESETS.cs2!,
  meshRows: 8,
  meshCols: 4,
  fmacsPerCycle: 4,
  accumulate: 'fp16',
  taskOverheadCycles: 2,
  hopLatencyCycles: 1,
  rampLatencyCycles: 2,
};

describe('a dense GEMM with no contention takes the computable number of cycles', () => {
  it('K = 32, N = 16, M = 256 tokens, 2 row groups of 4 rows', () => {
    // 256 tokens over 4 columns: 64 per PE, AXPY = 64/4 + 2 = 18 cycles; adding a column's 64
    // arriving partial sums takes 64 cycles (one wavelet per cycle). k-slice = 32/4 = 8 weights
    // per row per column: 8 · 18 + 64 = 208 cycles per column ≥ the 64-cycle reduction, so
    // compute-bound. Each group has 8 columns: 7 · 208 + 8 · 18, then the last column's chain:
    // 3 hops of 6 and 64 wavelets; then the multicast on to the 3 other PEs of the row.
    const t = estimateMatmul(
      hw,
      { kernel: 'streamed-gemm', m: 256, k: 32, n: 16, density: 1, transposed: false, fromIo: false },
      2,
    ).tiling;
    expect([t.rowsPerGroup, t.kSlice, t.colsPerGroup, t.tokensPerPe]).toEqual([4, 8, 8, 64]);
    const r = simulateMatmul(hw, t, denseRowCounts(32, 8));
    expect(totalCycles(r.counters)).toBe(7 * 208 + 8 * 18 + 3 * 6 + 64 + 3 * 1);
    // The same product as an attention kernel (operands from the wafer) is dense work, all of it.
    const attention = simulateMatmul(hw, { ...t, kernel: 'attention' }, denseRowCounts(32, 8));
    expect(attention.counters.cycles.dense).toBe(totalCycles(r.counters));
  });

  it('a streamed dense GEMM attributes compute, overhead, fill and drain', () => {
    const t = estimateMatmul(
      hw,
      { kernel: 'streamed-gemm', m: 256, k: 32, n: 16, density: 1, transposed: false, fromIo: true },
      2,
    ).tiling;
    const r = simulateMatmul({ ...hw, ioBitsPerSecond: 1e18 }, t, denseRowCounts(32, 8));
    const c = r.counters.cycles;
    expect(c.compute).toBe(8 * 8 * 16); // 8 columns × 8 weights × 16 MAC cycles
    expect(c.overhead).toBe(8 * 8 * 2 + 8 * 64); // task start-ups and the 8 columns' adds
    expect(c.imbalance).toBe(0);
    for (const cause of STALL_CAUSES) expect(c[cause]).toBeGreaterThanOrEqual(0);
  });

  it('FP32 accumulation runs at fmacsPerCycleFp32Accumulate: the same GEMM at 2 MACs per cycle', () => {
    // 64 tokens at 2 per cycle: AXPY = 32 + 2 = 34 cycles, add = 64; 8 · 34 + 64 = 336 per column
    // ≥ the 64-cycle reduction. 7 · 336 + 8 · 34, the chain 3 · 6 + 64, the multicast 3 · 1.
    const fp32: HardwareConfig = { ...hw, accumulate: 'fp32', fmacsPerCycleFp32Accumulate: 2 };
    const t = estimateMatmul(
      fp32,
      { kernel: 'streamed-gemm', m: 256, k: 32, n: 16, density: 1, transposed: false, fromIo: false },
      2,
    ).tiling;
    const r = simulateMatmul(fp32, t, denseRowCounts(32, 8));
    expect(totalCycles(r.counters)).toBe(7 * 336 + 8 * 34 + 3 * 6 + 64 + 3 * 1);
    expect(r.counters.cycles.compute).toBe(8 * 8 * 32);
  });
});

describe('conservation of MACs', () => {
  it('issued + skipped = dense MACs; issued = non-zeros × tokens', () => {
    const k = 32;
    const n = 16;
    const mask = createBitMask(k, n);
    let nonZeros = 0;
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < n; j++) {
        if ((i * 7 + j * 3) % 5 === 0) {
          setBit(mask, i, j, true);
          nonZeros++;
        }
      }
    }
    const t = estimateMatmul(
      hw,
      { kernel: 'streamed-gemm', m: 256, k, n, density: 0.2, transposed: false, fromIo: true },
      2,
    ).tiling;
    const [counts] = countBitsForTilings(mask, [{ kSlice: t.kSlice, transposed: false }]);
    const r = simulateMatmul(hw, t, counts!);
    expect(r.counters.macsIssued).toBe(nonZeros * 256);
    expect(r.counters.macsIssued + r.counters.macsSkipped).toBe(k * n * 256);
    expect(r.counters.weightsStreamed).toBe(nonZeros);
    expect(r.counters.bytesIn).toBe(nonZeros * 4); // FP16 value + u16 index
  });

  it('all non-zeros of each column in one k-slice is slower than spread evenly', () => {
    const k = 32;
    const n = 16;
    const even = createBitMask(k, n);
    const piled = createBitMask(k, n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < 8; i++) {
        setBit(even, i * 4, j, true); // 2 per k-slice of 8
        setBit(piled, i, j, true); // all 8 in the first k-slice
      }
    }
    const t = estimateMatmul(
      hw,
      { kernel: 'streamed-gemm', m: 256, k, n, density: 0.25, transposed: false, fromIo: true },
      2,
    ).tiling;
    const run = (mask: typeof even) =>
      simulateMatmul(hw, t, countBitsForTilings(mask, [{ kSlice: t.kSlice, transposed: false }])[0]!);
    const a = run(even);
    const b = run(piled);
    expect(b.counters.macsIssued).toBe(a.counters.macsIssued);
    expect(totalCycles(b.counters)).toBeGreaterThan(totalCycles(a.counters));
    expect(b.counters.cycles.imbalance).toBeGreaterThan(a.counters.cycles.imbalance);
  });
});
