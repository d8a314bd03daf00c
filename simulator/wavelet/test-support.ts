/** Shared by the tests of the wavelet programs: a small seeded generator for masks and operands. */
import type { GroupShape } from './group.ts';

/** Uniform numbers in [0, 1) from a 32-bit linear congruential generator (test data only). */
export function lcg(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * A row group on CS-2 figures: FP32 accumulation at 2 MACs per cycle, the cs2 preset's task
 * overhead (8 cycles), one-cycle hops and two-cycle ramps.
 */
export function cs2Group(
  c: { rows: number; cols: number; tokensPerPe: number; n: number; buffers: number },
  counts: Uint32Array,
  queueDepth: number,
): GroupShape {
  return {
    rows: c.rows,
    cols: c.cols,
    tokensPerPe: c.tokensPerPe,
    counts,
    n: c.n,
    macCycles: Math.ceil(c.tokensPerPe / 2),
    overheadCycles: 8,
    buffers: c.buffers,
    hopLatencyCycles: 1,
    rampLatencyCycles: 2,
    queueDepth,
  };
}
