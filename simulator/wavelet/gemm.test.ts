/**
 * The streamed sparse GEMM as a wavelet program: it computes Y = X · W (FP32, against a plain
 * reference from the same mask and operands), and its cycles cross-check the `row` fidelity's
 * kernel on the same counts: the row kernel adds a column's arriving partial sums one wavelet per
 * cycle, as the fabric does, and the two agree within 2% on these cases.
 */
import { describe, expect, it } from 'vitest';
import type { OccupancySampler } from './fabric.ts';
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

describe('I/O channels and samples of the queues', () => {
  it('a channel feeding 4 rows delivers the same weights: the values match, the stream is the rows’ combined rate', () => {
    const c: Case = { rows: 8, cols: 2, tokensPerPe: 8, n: 24, kSlice: 8, density: 0.4, buffers: 2 };
    const { input, reference } = problem(c, 11);
    // Each row's weights at one per 16 cycles: a channel of 4 rows carries one every 4 cycles.
    const channels = simulateWaveletGemmGroup({ ...input, cyclesPerWeight: 16, ioRowsPerChannel: 4 });
    for (let col = 0; col < c.cols; col++) {
      for (let j = 0; j < c.n; j++) {
        for (let t = 0; t < c.tokensPerPe; t++) {
          const want = reference(col, t, j);
          expect(Math.abs(channels.y[col]![j * c.tokensPerPe + t]! - want)).toBeLessThan(
            1e-5 * (1 + Math.abs(want)) * c.rows,
          );
        }
      }
    }
    // Two channels enter at the west edge; every weight goes in through one of them.
    const weights = Array.from(input.counts).reduce((a, b) => a + b, 0);
    expect(channels.counters.edgeWavelets).toBe(weights);
    // The row kernel with the same channels agrees.
    expect(
      Math.abs(
        channels.cycles / gemmGroupRowModel({ ...input, cyclesPerWeight: 16, ioRowsPerChannel: 4 }) - 1,
      ),
    ).toBeLessThan(0.02);
    // A channel is one link: 4 rows at a weight per 2 cycles each would need 2 per cycle.
    expect(() => simulateWaveletGemmGroup({ ...input, cyclesPerWeight: 2, ioRowsPerChannel: 4 })).toThrow(
      /needs more than one wavelet per cycle/,
    );
  });

  it('samples every row: queues empty at the end, link use a fraction, every router send counted once', () => {
    const c = CASES[2]!;
    const { input } = problem(c, 5);
    const sampler = { interval: 50, limit: 100_000, samples: [] as OccupancySampler['samples'], dropped: 0 };
    const run = simulateWaveletGemmGroup({ ...input, values: undefined, sampler } as WaveletGemmInput);
    const rows = new Set(sampler.samples.map((s) => s.row));
    expect(rows.size).toBe(c.rows);
    expect(sampler.samples.length).toBeGreaterThanOrEqual(c.rows * Math.floor(run.cycles / 50));
    let sent = 0;
    for (const s of sampler.samples) {
      sent += s.sent;
      expect(s.sent).toBeLessThanOrEqual(s.cycles * c.cols * 5);
    }
    expect(sampler.samples.some((s) => s.queued > 0)).toBe(true);
    for (const s of sampler.samples.slice(-c.rows)) expect(s.queued).toBe(0);
    // Routers send on links (hops) and down ramps: at least every hop, at most every crossing.
    expect(sent).toBeGreaterThanOrEqual(run.counters.hops);
    expect(sent).toBeLessThanOrEqual(run.counters.hops + run.counters.rampCrossings);
  });
});
