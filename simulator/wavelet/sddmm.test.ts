/**
 * The weight-gradient SDDMM as a wavelet program: it computes dW = Xᵀ · dY at the mask's non-zeros
 * (FP32, against a plain reference), and its cycles against the `row` kernel's, which charges the
 * same work (storing each broadcast column, the row sums, the multicast held back by full queues):
 * within 2% on these cases.
 */
import { describe, expect, it } from 'vitest';
import { sddmmGroupRowModel, simulateWaveletSddmmGroup, type WaveletSddmmInput } from './sddmm.ts';
import { cs2Group, lcg } from './test-support.ts';

interface Case {
  readonly rows: number;
  readonly cols: number;
  readonly tokensPerPe: number;
  readonly n: number;
  readonly kSlice: number;
  readonly density: number;
  readonly buffers: number;
}

function problem(c: Case, seed: number) {
  const rnd = lcg(seed);
  const { rows: R, cols: C, tokensPerPe: T, n: N, kSlice } = c;
  const K = R * kSlice;
  const counts = new Uint32Array(R * N);
  const stream: { k: number; j: number }[][] = Array.from({ length: R }, () => []);
  for (let j = 0; j < N; j++) {
    for (let k = 0; k < K; k++) {
      if (rnd() >= c.density) continue;
      const r = Math.floor(k / kSlice);
      counts[r * N + j]!++;
      stream[r]!.push({ k, j });
    }
  }
  const X = Array.from({ length: C * T }, () => Array.from({ length: K }, () => Math.fround(rnd() * 2 - 1)));
  const dY = Array.from({ length: C * T }, () => Array.from({ length: N }, () => Math.fround(rnd() * 2 - 1)));
  const input: WaveletSddmmInput = {
    ...cs2Group(c, counts, 6),
    values: {
      dy: (col, t, j) => dY[col * T + t]![j]!,
      x: (r, col, t, i) => X[col * T + t]![r * kSlice + i]!,
      index: (r, w) => stream[r]![w]!.k - r * kSlice,
    },
  };
  const reference = (r: number, w: number) => {
    const { k, j } = stream[r]![w]!;
    let sum = 0;
    for (let t = 0; t < C * T; t++) sum += X[t]![k]! * dY[t]![j]!;
    return sum;
  };
  return { input, stream, reference };
}

const CASES: Case[] = [
  { rows: 4, cols: 1, tokensPerPe: 8, n: 16, kSlice: 8, density: 0.5, buffers: 2 },
  { rows: 8, cols: 2, tokensPerPe: 16, n: 32, kSlice: 16, density: 0.25, buffers: 2 },
  { rows: 16, cols: 4, tokensPerPe: 32, n: 24, kSlice: 16, density: 0.5, buffers: 8 },
  { rows: 8, cols: 4, tokensPerPe: 4, n: 64, kSlice: 32, density: 0.1, buffers: 4 },
  { rows: 6, cols: 3, tokensPerPe: 8, n: 20, kSlice: 8, density: 0.3, buffers: 1 },
];

describe('values: the program computes dW = Xᵀ · dY at the non-zeros', () => {
  it.each(CASES.map((c, i) => [i, c] as const))('case %i: every non-zero matches a plain loop', (i, c) => {
    const { input, stream, reference } = problem(c, 200 + i);
    const result = simulateWaveletSddmmGroup(input);
    for (let r = 0; r < c.rows; r++) {
      expect(result.gradients[r]!.length).toBe(stream[r]!.length);
      stream[r]!.forEach((_, w) => {
        const want = reference(r, w);
        expect(Math.abs(result.gradients[r]![w]! - want)).toBeLessThan(1e-5 * (1 + Math.abs(want)) * c.cols);
      });
    }
  });
});

describe('timing', () => {
  it('does not depend on the values carried', () => {
    const { input } = problem(CASES[2]!, 9);
    const withValues = simulateWaveletSddmmGroup(input);
    const timingOnly = simulateWaveletSddmmGroup({ ...input, values: undefined } as WaveletSddmmInput);
    expect(timingOnly.cycles).toBe(withValues.cycles);
    expect(timingOnly.counters).toEqual(withValues.counters);
  });

  it('conserves the wavelets: T per column per PE down, an index per non-zero along, a partial per non-zero west', () => {
    const c = CASES[1]!;
    const { input, stream } = problem(c, 3);
    const r = simulateWaveletSddmmGroup({ ...input, values: undefined } as WaveletSddmmInput);
    const nonZeros = stream.reduce((n, s) => n + s.length, 0);
    // Tasks: each PE stores T values per column, does one dot product per non-zero of its row, and
    // every PE but the easternmost adds one arriving partial per non-zero.
    expect(r.counters.tasks).toBe(
      c.rows * c.cols * c.n * c.tokensPerPe + c.cols * nonZeros + (c.cols - 1) * nonZeros,
    );
    expect(r.counters.edgeWavelets).toBe(c.cols * c.n * c.tokensPerPe + nonZeros);
  });

  it.each(CASES.map((c, i) => [i, c] as const))('case %i: the row kernel within 2%', (i, c) => {
    const { input } = problem(c, 200 + i);
    const wavelet = simulateWaveletSddmmGroup({ ...input, values: undefined } as WaveletSddmmInput).cycles;
    expect(Math.abs(wavelet / sddmmGroupRowModel(input) - 1)).toBeLessThanOrEqual(0.02);
  });
});
