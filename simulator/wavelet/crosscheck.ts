/**
 * `wafersim crosscheck` (issue 12): the same streamed GEMMs and weight-gradient SDDMMs run by both fidelities, the `row`
 * kernel as the simulator uses it and the `wavelet` program of every PE, their cycles compared
 * case by case. A case is one row group of R mesh rows × C mesh columns holding K × N weights
 * (k-slices of ceil(K / R)) over T tokens per PE, at a sparsity and pattern, with a number of
 * accumulators, its stream either keeping up with the PEs or binding them (I/O-bound).
 *
 * The default matrix varies one factor at a time around a centre case; `full` is the product of
 * a smaller set of values (768 cases, about 10 minutes here). Each case's mask is drawn from a stream named after the case.
 */
import type { HardwareConfig } from '../../hardware/hardware-config.ts';
import { randomStream } from '../../models/random-streams.ts';
import { gemmGroupRowModel, simulateWaveletGemmGroup, type WaveletGemmInput } from './gemm.ts';
import { machineFigures } from './group.ts';
import { sddmmGroupRowModel, simulateWaveletSddmmGroup, type WaveletSddmmInput } from './sddmm.ts';

export interface CrosscheckCase {
  /** The streamed GEMM (forward, backward-data) or the SDDMM of the weight gradient. */
  readonly kernel: 'gemm' | 'sddmm';
  readonly rows: number;
  readonly cols: number;
  readonly k: number;
  readonly n: number;
  readonly tokensPerPe: number;
  readonly sparsity: number;
  /** 'unstructured' or 'N:M' along k (e.g. '2:4'). */
  readonly pattern: string;
  readonly buffers: number;
  readonly ioBound: boolean;
}

export interface CrosscheckResult {
  readonly name: string;
  readonly rowCycles: number;
  readonly waveletCycles: number;
  /** waveletCycles / rowCycles − 1 (a fraction). */
  readonly error: number;
  readonly case: CrosscheckCase;
}

/** The goal of issue 12: both fidelities within ±2% on every case. */
export const CROSSCHECK_TOLERANCE = 0.02;

export function caseName(c: CrosscheckCase): string {
  return (
    `${c.kernel.toUpperCase()} ${c.rows}x${c.cols} mesh, K=${c.k} N=${c.n}, ${c.tokensPerPe} tok/PE, ${Math.round(c.sparsity * 100)}% ` +
    `${c.pattern}, ${c.buffers} acc, ${c.ioBound ? 'I/O-bound' : 'compute-bound'}`
  );
}

const CENTRE: CrosscheckCase = {
  kernel: 'gemm',
  rows: 8,
  cols: 8,
  k: 256,
  n: 128,
  tokensPerPe: 16,
  sparsity: 0.75,
  pattern: 'unstructured',
  buffers: 2,
  ioBound: false,
};

const FACTORS: { readonly [F in keyof CrosscheckCase]: readonly CrosscheckCase[F][] } = {
  kernel: ['gemm', 'sddmm'],
  rows: [4, 8, 16, 64],
  cols: [4, 8, 16, 64],
  k: [64, 256, 1024],
  n: [64, 128, 256],
  tokensPerPe: [1, 16, 64, 256],
  sparsity: [0, 0.5, 0.75, 0.9, 0.95],
  pattern: ['unstructured', '2:4', '1:4'],
  buffers: [1, 2, 4],
  ioBound: [false, true],
};

/**
 * The whole product's factors (`--full`): fewer values each, so that it stays at 768 cases and
 * about 10 minutes (the largest, 64 × 16 PEs over 256 columns, take seconds each).
 */
const FULL_FACTORS: { readonly [F in keyof CrosscheckCase]: readonly CrosscheckCase[F][] } = {
  kernel: ['gemm', 'sddmm'],
  rows: [4, 16, 64],
  cols: [4, 16],
  k: [256],
  n: [64, 256],
  tokensPerPe: [1, 64],
  sparsity: [0, 0.75, 0.95],
  pattern: ['unstructured', '2:4'],
  buffers: [1, 2],
  ioBound: [false, true],
};

/** The centre case and every factor varied alone (the default), or the product of FULL_FACTORS. */
export function crosscheckCases(full = false): CrosscheckCase[] {
  if (!full) {
    // For each kernel, its centre case and every other factor varied alone.
    const out: CrosscheckCase[] = [];
    for (const kernel of FACTORS.kernel) {
      const centre = { ...CENTRE, kernel };
      out.push(centre);
      for (const key of Object.keys(FACTORS) as (keyof CrosscheckCase)[]) {
        if (key === 'kernel') continue;
        for (const value of FACTORS[key]) {
          if (value === centre[key]) continue;
          const c = { ...centre, [key]: value };
          // An N:M pattern fixes the sparsity (2:4 is 50%, 1:4 is 75%).
          out.push(c.pattern === 'unstructured' ? c : { ...c, sparsity: nmSparsity(c.pattern) });
        }
      }
    }
    return out;
  }
  let cases: CrosscheckCase[] = [{ ...CENTRE }];
  for (const key of Object.keys(FULL_FACTORS) as (keyof CrosscheckCase)[]) {
    cases = cases.flatMap((c) => FULL_FACTORS[key].map((value) => ({ ...c, [key]: value })));
  }
  const seen = new Set<string>();
  return cases
    .map((c) => (c.pattern === 'unstructured' ? c : { ...c, sparsity: nmSparsity(c.pattern) }))
    .filter((c) => {
      const name = caseName(c);
      if (seen.has(name)) return false;
      seen.add(name);
      return true;
    });
}

function nmSparsity(pattern: string): number {
  const [n, m] = pattern.split(':').map(Number) as [number, number];
  return 1 - n / m;
}

/** The case's counts per (row, column): row r holds k-slice r of the K inputs. */
function caseCounts(c: CrosscheckCase): Uint32Array {
  const kSlice = Math.ceil(c.k / c.rows);
  const counts = new Uint32Array(c.rows * c.n);
  const rng = randomStream(0, 'crosscheck', caseName(c));
  const unit = () => (rng.next() >>> 0) / 2 ** 32;
  for (let j = 0; j < c.n; j++) {
    if (c.pattern === 'unstructured') {
      for (let k = 0; k < c.k; k++) if (unit() >= c.sparsity) counts[Math.floor(k / kSlice) * c.n + j]!++;
      continue;
    }
    // N of every M consecutive inputs kept, the N chosen uniformly within the group.
    const [keep, group] = c.pattern.split(':').map(Number) as [number, number];
    for (let k0 = 0; k0 < c.k; k0 += group) {
      const size = Math.min(group, c.k - k0);
      const picks = new Set<number>();
      while (picks.size < Math.min(keep, size)) picks.add(Math.floor(unit() * size));
      for (const p of picks) counts[Math.floor((k0 + p) / kSlice) * c.n + j]!++;
    }
  }
  return counts;
}

/** Runs one case on both fidelities with the machine's latencies, SIMD width and task overhead. */
export function runCrosscheckCase(hw: HardwareConfig, c: CrosscheckCase): CrosscheckResult {
  const figures = machineFigures(hw, c.tokensPerPe);
  const perWeight = figures.macCycles + figures.overheadCycles;
  const input: WaveletGemmInput = {
    rows: c.rows,
    cols: c.cols,
    tokensPerPe: c.tokensPerPe,
    counts: caseCounts(c),
    n: c.n,
    ...figures,
    buffers: c.buffers,
    // I/O-bound: each row's weights arrive at half the rate its PEs could use them. Each row has a
    // stream of its own in both fidelities: through the 16-row channels, a row's burst of weights
    // fills its queue and holds the others back in the wavelet program (docs/design.md §6).
    cyclesPerWeight: c.ioBound ? 2 * perWeight : 1,
  };
  let waveletCycles: number;
  let rowCycles: number;
  if (c.kernel === 'gemm') {
    waveletCycles = simulateWaveletGemmGroup(input).cycles;
    rowCycles = gemmGroupRowModel(input);
  } else {
    // The same counts as the mask's non-zeros to compute; the indices stream like the weights.
    const { cyclesPerWeight, values: _values, ...rest } = input;
    const sddmm: WaveletSddmmInput = { ...rest, cyclesPerIndex: cyclesPerWeight ?? 1 };
    waveletCycles = simulateWaveletSddmmGroup(sddmm).cycles;
    rowCycles = sddmmGroupRowModel(sddmm);
  }
  return {
    name: caseName(c),
    rowCycles,
    waveletCycles,
    error: waveletCycles / rowCycles - 1,
    case: c,
  };
}

/** The largest |error| of the cases. */
export function worstCrosscheckError(results: readonly CrosscheckResult[]): number {
  return results.reduce((worst, r) => (Math.abs(r.error) > Math.abs(worst) ? r.error : worst), 0);
}
