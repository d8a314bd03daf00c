import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createScratch, type GroupCounts, type RowKernelParams, simulateGemmGroup } from './row-pipeline.ts';
import { simulateSddmmGroup } from './sddmm-pipeline.ts';

const base: RowKernelParams = {
  rowsPerGroup: 1,
  tokensPerPe: 20,
  macCycles: 8,
  overheadCycles: 2,
  addCycles: 8,
  hopCycles: 6,
  multicastHopCycles: 1,
  rampCycles: 2,
  rowPes: 1,
  queueWavelets: 6,
  ioCyclesPerWeight: 0,
  // One channel for the whole group unless a test says otherwise.
  ioRowsPerChannel: 1024,
  buffers: 2,
};

/** Every row has `k` non-zeros in every one of `cols` columns. */
function uniform(rows: number, cols: number, k: number): GroupCounts {
  return {
    counts: new Uint32Array(rows * cols).fill(k),
    stride: cols,
    colStep: 1,
    countRows: rows,
    colStart: 0,
    colEnd: cols,
  };
}

describe('closed forms: a dense GEMM group without contention', () => {
  it('compute-bound, one row: (C − 1)(k·w + add) + k·w + tokens', () => {
    // C = 10 columns of k = 5 weights, w = 8 + 2 cycles each, add 8; the reduction (20 cycles per
    // column) hides under the next column's 58 cycles of work, so only the last one shows.
    const t = simulateGemmGroup(base, uniform(1, 10, 5), createScratch(1, 2));
    expect(t.endCycle).toBe(9 * 58 + 50 + 20);
    expect(t.nonZeros).toBe(50);
  });

  it('compute-bound, a chain of 4 rows adds 3 hops of 6 cycles', () => {
    const p = { ...base, rowsPerGroup: 4 };
    const t = simulateGemmGroup(p, uniform(4, 10, 5), createScratch(4, 2));
    expect(t.endCycle).toBe(9 * 58 + 50 + 3 * 6 + 20);
  });

  it('reduction-bound: one weight per column, 100 tokens to reduce: the link sets the pace', () => {
    // Column 0 computes in 10 cycles, then every column waits for the link: 10 + C · 100.
    const p = { ...base, tokensPerPe: 100 };
    const t = simulateGemmGroup(p, uniform(1, 10, 1), createScratch(1, 2));
    expect(t.endCycle).toBe(10 + 10 * 100);
    expect(t.critical.reductionWait).toBeGreaterThan(0);
  });

  it('I/O-bound: weights arrive every 20 cycles, each takes 10 to use', () => {
    const p = { ...base, ioCyclesPerWeight: 20, addCycles: 0, tokensPerPe: 1 };
    const t = simulateGemmGroup(p, uniform(1, 5, 4), createScratch(1, 2));
    // The last of 20 weights arrives at 400 and takes 10 cycles; then 1 cycle to reduce.
    expect(t.endCycle).toBe(400 + 10 + 1);
    // Waiting on the stream: the first weight at 20 is the fill; then each 4-weight block waits
    // 10 cycles for its first weight (after the first block) and 30 inside for the rest.
    expect(t.critical.fill).toBe(20);
    expect(t.critical.ioWait).toBe(30 + 4 * 40);
  });
});

describe('conservation: the attribution splits the time exactly', () => {
  it('busy + waits + fill + drain of the most loaded row = end, for random counts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 72, maxLength: 72 }),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom(0, 0.5, 3),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.constantFrom(1, 2, 5),
        (rows, cols, values, tokens, io, buffers, sddmm, rowPes) => {
          const counts = Uint32Array.from(values.slice(0, rows * cols));
          // As in the engine: a column's partial sums (or its broadcast) take one cycle per token.
          const p = {
            ...base,
            rowsPerGroup: rows,
            tokensPerPe: tokens,
            ioCyclesPerWeight: io,
            buffers,
            addCycles: tokens,
            rowPes,
          };
          const g = { counts, stride: cols, colStep: 1, countRows: rows, colStart: 0, colEnd: cols };
          const t = (sddmm ? simulateSddmmGroup : simulateGemmGroup)(p, g, createScratch(rows, buffers));
          const c = t.critical;
          expect(c.busy + c.ioWait + c.reductionWait + c.fill + c.drain).toBeCloseTo(t.endCycle, 6);
          for (const v of [c.ioWait, c.reductionWait, c.fill, c.drain])
            expect(v).toBeGreaterThanOrEqual(-1e-9);
          expect(t.nonZeros).toBe(counts.reduce((a, b) => a + b, 0));
          // The most loaded row is at least the mean row.
          expect(c.busy + 1e-9).toBeGreaterThanOrEqual(t.meanMacCycles + t.meanOverheadCycles);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('imbalance is real', () => {
  it('the same non-zeros piled into one row take longer than spread evenly', () => {
    const rows = 8;
    const cols = 16;
    const even = new Uint32Array(rows * cols).fill(4);
    const piled = new Uint32Array(rows * cols);
    for (let j = 0; j < cols; j++) piled[j] = 4 * rows; // row 0 holds every non-zero of each column
    const p = { ...base, rowsPerGroup: rows };
    const run = (counts: Uint32Array) =>
      simulateGemmGroup(
        p,
        { counts, stride: cols, colStep: 1, countRows: rows, colStart: 0, colEnd: cols },
        createScratch(rows, 2),
      );
    const a = run(even);
    const b = run(piled);
    expect(a.nonZeros).toBe(b.nonZeros);
    expect(b.endCycle).toBeGreaterThan(5 * a.endCycle);
    expect(b.critical.busy - (b.meanMacCycles + b.meanOverheadCycles)).toBeGreaterThan(0);
  });
});

describe('SDDMM closed forms', () => {
  it('one row: each column stored (a cycle per token) then k dot products', () => {
    // 20 tokens per column; 5 dot products of 10 cycles: the PE is busy 70 cycles per column,
    // after the first wavelet's ramp (2 cycles). Its queue lets the next column wait for it.
    const p = { ...base, addCycles: 20, buffers: 8 };
    const t = simulateSddmmGroup(p, uniform(1, 10, 5), createScratch(1, 8));
    expect(t.endCycle).toBe(2 + 10 * 70);
    expect(t.critical.fill).toBe(2);
    expect(t.critical.busy).toBe(10 * 70);
  });

  it('rows in step: each row one multicast hop after the one above; the last one sets the end', () => {
    const p = { ...base, rowsPerGroup: 4, addCycles: 20, buffers: 8 };
    const t = simulateSddmmGroup(p, uniform(4, 10, 5), createScratch(4, 8));
    expect(t.endCycle).toBe(3 * 1 + 2 + 10 * 70);
  });

  it('along a row of PEs: a cycle per non-zero to add the partial from the east, and the sums come back', () => {
    // 4 PEs per row: each dot product costs one more cycle (the add), and the last sums reach
    // the westernmost PE 3 × (hop chain 6 + add 1) cycles after its own work.
    const p = { ...base, addCycles: 20, buffers: 8, rowPes: 4 };
    const t = simulateSddmmGroup(p, uniform(1, 10, 5), createScratch(1, 8));
    expect(t.endCycle).toBe(2 + 10 * (20 + 5 * 11) + 3 * 7);
  });

  it('a busy row below holds the multicast back, once the queues between are full', () => {
    // Row 1 has 40 dot products in column 0 (400 cycles); row 0 has none. Row 0 still gets the
    // first wavelets of column 1 (its queue and row 1's router hold 2 × 6), but not the rest of
    // the column until row 1 takes them.
    const counts = Uint32Array.from([0, 0, 40, 0]); // [row 0: col 0, col 1; row 1: col 0, col 1]
    const g = { counts, stride: 2, colStep: 1, countRows: 2, colStart: 0, colEnd: 2 };
    const p = { ...base, rowsPerGroup: 2, tokensPerPe: 20, addCycles: 20, buffers: 8 };
    const t = simulateSddmmGroup(p, g, createScratch(2, 8));
    // Row 1 stores column 0 from 3 to 23 and computes until 423, then takes column 1 (20 cycles).
    expect(t.endCycle).toBe(423 + 20);
    // Row 0 waited on the stream for most of that time: its own work is 2 × 20 cycles.
    expect(t.rowBusy[0]).toBe(40);
  });
});

/** Every number of `a` within 1e-9 (relative) of `b`: a stream rate that is no binary fraction rounds. */
function expectClose(a: unknown, b: unknown): void {
  if (typeof a === 'number') {
    expect(Math.abs(a - (b as number))).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b as number)));
  } else if (a instanceof Float64Array) {
    expect(a.length).toBe((b as Float64Array).length);
    for (let i = 0; i < a.length; i++) expectClose(a[i], (b as Float64Array)[i]);
  } else {
    for (const key of Object.keys(a as object)) {
      expectClose((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]);
    }
  }
}

describe('dense operands: advancing whole periods is the iterated kernel', () => {
  /** Every row r < countRows has `perRow[r]` weights in every column (a dense operand: colStep 0). */
  function dense(perRow: readonly number[], cols: number): GroupCounts {
    return {
      counts: Uint32Array.from(perRow),
      stride: 1,
      colStep: 0,
      countRows: perRow.length,
      colStart: 0,
      colEnd: cols,
    };
  }

  it('GEMM and SDDMM, any shape, buffers and stream: the same timing with and without the fast path', () => {
    let skipped = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom(0, 0.25, 1, 3, 40, 0.30803),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (rows, cols, emptyRows, perRow, tokens, io, buffers, sddmm) => {
          const countRows = Math.max(1, rows - emptyRows);
          const g = dense(
            Array.from({ length: countRows }, (_, r) =>
              r === countRows - 1 ? Math.max(1, perRow - 1) : perRow,
            ),
            cols,
          );
          const p = {
            ...base,
            rowsPerGroup: rows,
            tokensPerPe: tokens,
            macCycles: Math.ceil(tokens / 4),
            addCycles: sddmm ? 0 : Math.ceil(tokens / 4),
            ioCyclesPerWeight: io,
            buffers,
          };
          const run = sddmm ? simulateSddmmGroup : simulateGemmGroup;
          const stats = { skippedColumns: 0 };
          const fast = run(p, g, createScratch(rows, buffers), { stats });
          const slow = run(p, g, createScratch(rows, buffers), { fastForward: false });
          if (Number.isInteger(io * 4)) expect(fast).toEqual(slow);
          else expectClose(fast, slow);
          if (stats.skippedColumns > 0) skipped++;
        },
      ),
      { numRuns: 400 },
    );
    // The fast path did run on a good share of the cases (not only the short or stream-bound ones).
    expect(skipped).toBeGreaterThan(100);
  });

  it('skips the periods of a long dense GEMM: the LM head shape, compute-bound', () => {
    // 36 rows × 50,257 columns is 1.8 M row-column steps when iterated; the fast path does a few
    // periods of transient and the tail, and lands on the same numbers.
    const g = dense(new Array(36).fill(57), 50_257);
    const p = {
      ...base,
      rowsPerGroup: 36,
      tokensPerPe: 118,
      macCycles: 59,
      addCycles: 59,
      overheadCycles: 8,
    };
    const stats = { skippedColumns: 0 };
    const fast = simulateGemmGroup(p, g, createScratch(36, 2), { stats });
    const slow = simulateGemmGroup(p, g, createScratch(36, 2), { fastForward: false });
    expectClose(fast, slow);
    expect(stats.skippedColumns).toBeGreaterThan(50_000);
    expect(fast.endCycle).toBeGreaterThan(50_257 * 57 * 67);
  });
});
