/**
 * `run --fidelity wavelet`'s sampled regions: the region stays within its bounds, both fidelities
 * run it, and a node's cycles are the row fidelity's scaled by their ratio, every cause alike.
 */
import { describe, expect, it } from 'vitest';
import { chooseMatmulTiling, type MatmulProblem } from '../../compiler/place/tile-matmul.ts';
import { HARDWARE_PRESETS } from '../../hardware/hardware-config.ts';
import { drawMaskTilings } from '../../models/masks/multi-tiling.ts';
import { randomStream } from '../../models/random-streams.ts';
import { totalCycles } from '../counters.ts';
import { denseRowCounts } from '../engine/mask-counts.ts';
import { rowKernelParams, simulateMatmul } from '../engine/simulate-node.ts';
import { SAMPLE_EVENTS, SAMPLE_OUTPUT_COLUMNS, SAMPLE_PE_COLUMNS, sampleGroup } from './sample.ts';

const hw = HARDWARE_PRESETS.cs2!;

function tiling(problem: MatmulProblem) {
  const choice = chooseMatmulTiling(hw, problem, 0);
  if (!choice.ok) throw new Error('does not fit');
  return choice.best.tiling;
}

describe('sampled regions', () => {
  it.each([
    ['a dense streamed GEMM', 'streamed-gemm', true],
    ['a dense product of on-wafer operands', 'attention', false],
    ['a dense weight gradient', 'sddmm', true],
  ] as const)('%s: both fidelities within 2%, the region within its bounds', (_name, kernel, fromIo) => {
    const t = tiling({ kernel, m: 16 * 2048, k: 2048, n: 2048, density: 1, transposed: false, fromIo });
    const counts = denseRowCounts(t.k, t.kSlice);
    const layout = { counts: counts.perRow, stride: 1, colStep: 0, countRows: counts.perRow.length };
    const s = sampleGroup(hw, t, layout, 0, t.colsPerGroup, rowKernelParams(hw, t));
    expect(Math.abs(s.waveletCycles / s.rowCycles - 1)).toBeLessThan(0.02);
    expect(s.rows).toBe(t.rowsPerGroup);
    expect(s.peColumns).toBe(Math.min(SAMPLE_PE_COLUMNS, t.activeCols));
    expect(s.outputColumns).toBeLessThanOrEqual(SAMPLE_OUTPUT_COLUMNS);
    expect(s.rows * s.peColumns * s.outputColumns * (t.tokensPerPe + t.kSlice)).toBeLessThanOrEqual(
      SAMPLE_EVENTS + s.rows * s.peColumns * (t.tokensPerPe + t.kSlice),
    );
  });

  it('a sparse node: the cycles are the row fidelity’s times the region’s ratio, cause by cause', () => {
    const t = tiling({
      kernel: 'streamed-gemm',
      m: 16 * 2048,
      k: 2048,
      n: 2048,
      density: 0.25,
      transposed: false,
      fromIo: true,
    });
    const [counts] = drawMaskTilings(
      2048,
      2048,
      0.25,
      { kind: 'unstructured' },
      randomStream(3, 'mask', 'w'),
      [{ kSlice: t.kSlice, transposed: false }],
    );
    const row = simulateMatmul(hw, t, counts!);
    const wavelet = simulateMatmul(hw, t, counts!, { fidelity: 'wavelet' });
    const sample = wavelet.wavelet!;
    const ratio = sample.waveletCycles / sample.rowCycles;
    expect(Math.abs(ratio - 1)).toBeLessThan(0.05);
    for (const cause of Object.keys(row.counters.cycles) as (keyof typeof row.counters.cycles)[]) {
      expect(wavelet.counters.cycles[cause]).toBeCloseTo(row.counters.cycles[cause] * ratio, 6);
    }
    expect(totalCycles(wavelet.counters)).toBeCloseTo(totalCycles(row.counters) * ratio, 6);
    // Work is not a matter of fidelity.
    expect(wavelet.counters.macsIssued).toBe(row.counters.macsIssued);
    expect(row.wavelet).toBeUndefined();
  });
});
