/**
 * The streamed sparse GEMM as a wavelet program: it computes Y = X · W (FP32, against a plain
 * reference from the same mask and operands), and its cycles cross-check the `row` fidelity's
 * kernel on the same counts: the row kernel adds a column's arriving partial sums one wavelet per
 * cycle, as the fabric does, and the two agree within 2% on these cases.
 */
import { describe, expect, it } from 'vitest';
import { gemmGroupRowModel, simulateWaveletGemmGroup, type WaveletGemmInput } from './gemm.ts';
import { cs2Group, lcg } from './test-support.ts';

interface Case {
  readonly rows: number;
  readonly cols: number;
  readonly tokensPerPe: number;
  readonly n: number;
  readonly kSlice: number;
  readonly density: number;
  readonly buffers: number;
  readonly cyclesPerWeight?: number;
}

/** A random mask and operands, the wavelet program's input, and the plain FP64 reference Y. */
function problem(c: Case, seed: number) {
  const rnd = lcg(seed);
  const { rows: R, cols: C, tokensPerPe: T, n: N, kSlice } = c;
  const K = R * kSlice;
  const counts = new Uint32Array(R * N);
  const stream: { k: number; j: number; w: number }[][] = Array.from({ length: R }, () => []);
  const W: number[][] = Array.from({ length: K }, () => new Array<number>(N).fill(0));
  for (let j = 0; j < N; j++) {
    for (let k = 0; k < K; k++) {
      if (rnd() >= c.density) continue;
      const w = Math.fround(rnd() * 2 - 1);
      const r = Math.floor(k / kSlice);
      counts[r * N + j]!++;
      stream[r]!.push({ k, j, w });
      W[k]![j] = w;
    }
  }
  const X = Array.from({ length: C * T }, () => Array.from({ length: K }, () => Math.fround(rnd() * 2 - 1)));
  const input: WaveletGemmInput = {
    ...cs2Group(c, counts, 4),
    ...(c.cyclesPerWeight === undefined ? {} : { cyclesPerWeight: c.cyclesPerWeight }),
    values: {
      weight: (r, w) => stream[r]![w]!.w,
      index: (r, w) => stream[r]![w]!.k - r * kSlice,
      x: (r, col, t, i) => X[col * T + t]![r * kSlice + i]!,
    },
  };
  const reference = (col: number, t: number, j: number) => {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += W[k]![j]! * X[col * T + t]![k]!;
    return sum;
  };
  return { input, reference };
}

const CASES: Case[] = [
  { rows: 4, cols: 1, tokensPerPe: 8, n: 16, kSlice: 8, density: 0.5, buffers: 2 },
  { rows: 8, cols: 2, tokensPerPe: 16, n: 32, kSlice: 16, density: 0.25, buffers: 2 },
  { rows: 16, cols: 4, tokensPerPe: 32, n: 48, kSlice: 16, density: 0.5, buffers: 2 },
  { rows: 16, cols: 1, tokensPerPe: 64, n: 32, kSlice: 8, density: 1, buffers: 2 },
  { rows: 8, cols: 1, tokensPerPe: 4, n: 64, kSlice: 32, density: 0.1, buffers: 4 },
  { rows: 12, cols: 2, tokensPerPe: 8, n: 40, kSlice: 8, density: 0.05, buffers: 1 },
];

describe('values: the program computes Y = X · W', () => {
  it.each(CASES.map((c, i) => [i, c] as const))(
    'case %i: every output of every mesh column matches a plain loop',
    (i, c) => {
      const { input, reference } = problem(c, 100 + i);
      const result = simulateWaveletGemmGroup(input);
      for (let col = 0; col < c.cols; col++) {
        for (let j = 0; j < c.n; j++) {
          for (let t = 0; t < c.tokensPerPe; t++) {
            const want = reference(col, t, j);
            // FP32 accumulation of up to K products of magnitude ≤ 1.
            expect(Math.abs(result.y[col]![j * c.tokensPerPe + t]! - want)).toBeLessThan(
              1e-5 * (1 + Math.abs(want)) * c.rows,
            );
          }
        }
      }
    },
  );
});

describe('cross-check against the row fidelity', () => {
  it.each(CASES.map((c, i) => [i, c] as const))('case %i: within 2%', (i, c) => {
    const { input } = problem(c, 100 + i);
    const wavelet = simulateWaveletGemmGroup({ ...input, values: undefined } as WaveletGemmInput).cycles;
    expect(Math.abs(wavelet / gemmGroupRowModel(input) - 1)).toBeLessThanOrEqual(0.02);
  });

  it('a stream slower than the datapath binds both the same way (within 2%)', () => {
    const c: Case = {
      rows: 8,
      cols: 2,
      tokensPerPe: 16,
      n: 32,
      kSlice: 16,
      density: 0.5,
      buffers: 2,
      cyclesPerWeight: 4,
    };
    const { input } = problem(c, 7);
    const wavelet = simulateWaveletGemmGroup(input).cycles;
    expect(Math.abs(wavelet / gemmGroupRowModel(input) - 1)).toBeLessThanOrEqual(0.02);
  });

  it('timing does not depend on the values carried', () => {
    const { input } = problem(CASES[2]!, 9);
    const withValues = simulateWaveletGemmGroup(input);
    const timingOnly = simulateWaveletGemmGroup({ ...input, values: undefined } as WaveletGemmInput);
    expect(timingOnly.cycles).toBe(withValues.cycles);
    expect(timingOnly.counters).toEqual(withValues.counters);
  });
});
