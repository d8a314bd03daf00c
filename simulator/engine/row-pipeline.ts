/**
 * The `row` fidelity kernels (DESIGN §6): symmetry-collapsed. Every PE of a mesh row receives the
 * same weight stream and holds the same number of tokens, so one representative pipeline per row
 * stands for the row, fed by that row's actual non-zero counts (one per k-slice and output column,
 * from the layer's mask). Per row group the kernel advances, column by column:
 *   - the group's share of the wafer I/O delivering the non-zeros in stream order (column, row);
 *   - each row's datapath: one AXPY (or dot product) per non-zero, each `macCycles + overhead`
 *     cycles, starting when its weight has arrived and an accumulator is free;
 *   - the reduction chain down the group (GEMM: partial sums, one wavelet per cycle per link,
 *     `hopCycles` per hop) or the broadcast of the output-gradient column (SDDMM).
 * Time is in cycles; waiting and contention come out of the recurrences, they are not assumed.
 * Hot loops use typed arrays and allocate nothing.
 */

export interface RowKernelParams {
  readonly rowsPerGroup: number;
  readonly tokensPerPe: number;
  /** FMAC cycles of one AXPY or dot product over a PE's tokens: ceil(tokensPerPe / SIMD). */
  readonly macCycles: number;
  /** Task start-up cycles per streamed weight. */
  readonly overheadCycles: number;
  /** Datapath cycles of the vector add a PE does per reduced column (GEMM), 0 for an SDDMM. */
  readonly addCycles: number;
  /** Cycles for a wavelet to cross one hop of a chain, ramps included. */
  readonly hopCycles: number;
  /** Cycles per weight of this group's share of the I/O stream; 0 when operands come from the wafer. */
  readonly ioCyclesPerWeight: number;
  /** Accumulators (GEMM) or operand-column buffers (SDDMM) per PE. */
  readonly buffers: number;
}

/** What one group's simulation measured; the attribution splits `endCycle` exactly. */
export interface GroupTiming {
  readonly endCycle: number;
  readonly nonZeros: number;
  /** Datapath busy cycles of each row of the group. */
  readonly rowBusy: Float64Array;
  /** Mean over rows of effectual MAC cycles and of overhead cycles (task start-up + adds). */
  readonly meanMacCycles: number;
  readonly meanOverheadCycles: number;
  /** The most loaded row: its busy, waits and the fill before and drain after its work. */
  readonly critical: {
    readonly busy: number;
    readonly ioWait: number;
    readonly reductionWait: number;
    readonly fill: number;
    readonly drain: number;
  };
  readonly fabricWavelets: number;
}

/** Scratch arrays reused across groups of one kernel call. */
export interface RowScratch {
  dpFree: Float64Array;
  busy: Float64Array;
  mac: Float64Array;
  ioWait: Float64Array;
  redWait: Float64Array;
  fill: Float64Array;
  end: Float64Array;
  linkFree: Float64Array;
  release: Float64Array;
}

export function createScratch(rows: number, buffers: number): RowScratch {
  return {
    dpFree: new Float64Array(rows),
    busy: new Float64Array(rows),
    mac: new Float64Array(rows),
    ioWait: new Float64Array(rows),
    redWait: new Float64Array(rows),
    fill: new Float64Array(rows),
    end: new Float64Array(rows),
    linkFree: new Float64Array(rows),
    release: new Float64Array(rows * buffers),
  };
}

function resetScratch(s: RowScratch): void {
  for (const a of Object.values(s) as Float64Array[]) a.fill(0);
  s.fill.fill(-1);
}

/**
 * Counts are read as `counts[r * stride + column * colStep]` for r < countRows; rows at or beyond
 * countRows hold no part of K (the last k-slices can be empty) and see zero non-zeros. A dense
 * operand has the same counts in every column: one per row, colStep 0.
 */
export interface GroupCounts {
  readonly counts: Uint32Array;
  readonly stride: number;
  readonly colStep: number;
  readonly countRows: number;
  readonly colStart: number;
  readonly colEnd: number;
}

function summarize(
  p: RowKernelParams,
  s: RowScratch,
  endCycle: number,
  nonZeros: number,
  wavelets: number,
): GroupTiming {
  const rows = p.rowsPerGroup;
  let crit = 0;
  let sumBusy = 0;
  let sumMac = 0;
  for (let r = 0; r < rows; r++) {
    sumBusy += s.busy[r]!;
    sumMac += s.mac[r]!;
    if (s.busy[r]! > s.busy[crit]!) crit = r;
  }
  const fill = Math.max(0, s.fill[crit]!);
  return {
    endCycle,
    nonZeros,
    rowBusy: s.busy.slice(0, rows),
    meanMacCycles: sumMac / rows,
    meanOverheadCycles: (sumBusy - sumMac) / rows,
    critical: {
      busy: s.busy[crit]!,
      ioWait: s.ioWait[crit]!,
      reductionWait: s.redWait[crit]!,
      fill,
      drain: endCycle - s.dpFree[crit]!,
    },
    fabricWavelets: wavelets,
  };
}

/**
 * Advances one row's datapath through one block of `n` weights. Returns the block's end. The gap
 * before the block is a wait on whichever input came last (I/O or a free accumulator/operand);
 * the first block's start is the row's fill.
 */
function runBlock(
  s: RowScratch,
  r: number,
  n: number,
  ready: number,
  firstArrival: number,
  lastArrival: number,
  cyclesPerWeight: number,
): number {
  const free = s.dpFree[r]!;
  const start = Math.max(free, ready, firstArrival);
  const work = n * cyclesPerWeight;
  const computed = start + work;
  const end = Math.max(computed, lastArrival + cyclesPerWeight);
  if (s.fill[r]! < 0) {
    s.fill[r] = start;
  } else if (start > free) {
    if (firstArrival >= ready) s.ioWait[r] = s.ioWait[r]! + (start - free);
    else s.redWait[r] = s.redWait[r]! + (start - free);
  }
  // Waiting inside the block for weights still on their way.
  if (end > computed) s.ioWait[r] = s.ioWait[r]! + (end - computed);
  return end;
}

/** A streamed GEMM group: AXPYs per non-zero, then the partial sums reduced down the group. */
export function simulateGemmGroup(p: RowKernelParams, g: GroupCounts, s: RowScratch): GroupTiming {
  resetScratch(s);
  const rows = p.rowsPerGroup;
  const A = p.buffers;
  const perWeight = p.macCycles + p.overheadCycles;
  let streamed = 0;
  let wavelets = 0;
  for (let j = g.colStart; j < g.colEnd; j++) {
    const slot = (j - g.colStart) % A;
    for (let r = 0; r < rows; r++) {
      const n = r < g.countRows ? g.counts[r * g.stride + j * g.colStep]! : 0;
      const ready = s.release[r * A + slot]!;
      if (n === 0) {
        // Nothing to multiply: no accumulator is needed, the PE only passes the chain's sum on.
        s.end[r] = s.dpFree[r]!;
      } else {
        const first = (streamed + 1) * p.ioCyclesPerWeight;
        streamed += n;
        s.end[r] = runBlock(s, r, n, ready, first, streamed * p.ioCyclesPerWeight, perWeight);
        s.mac[r] = s.mac[r]! + n * p.macCycles;
        s.busy[r] = s.busy[r]! + n * perWeight;
      }
      if (s.fill[r]! < 0) s.fill[r] = s.end[r]!;
      s.busy[r] = s.busy[r]! + p.addCycles;
      s.dpFree[r] = s.end[r]! + p.addCycles;
    }
    // The chain: the farthest row starts, each row adds its partial and passes the sum on.
    let upStart = Number.NEGATIVE_INFINITY;
    let upEnd = Number.NEGATIVE_INFINITY;
    for (let r = rows - 1; r >= 0; r--) {
      const start = Math.max(s.end[r]!, upStart + p.hopCycles, s.linkFree[r]!);
      const end = Math.max(start + p.tokensPerPe, upEnd + p.hopCycles);
      s.linkFree[r] = end;
      s.release[r * A + slot] = end;
      upStart = start;
      upEnd = end;
    }
    wavelets += rows * p.tokensPerPe;
  }
  return summarize(p, s, s.linkFree[0]!, streamed, wavelets);
}

/**
 * An SDDMM group (backward-weight of a sparse linear): the output-gradient column is broadcast
 * down the group, then each row does one dot product over its tokens per non-zero of its k-slice.
 * Each gradient is then summed along the row across the mesh columns (pipelined, one wavelet per
 * non-zero) and streamed out; the I/O rate covers the indices in and the values out.
 */
export function simulateSddmmGroup(p: RowKernelParams, g: GroupCounts, s: RowScratch): GroupTiming {
  resetScratch(s);
  const rows = p.rowsPerGroup;
  const B = p.buffers;
  const perWeight = p.macCycles + p.overheadCycles;
  let streamed = 0;
  let wavelets = 0;
  let broadcastFree = 0;
  for (let j = g.colStart; j < g.colEnd; j++) {
    const slot = (j - g.colStart) % B;
    // The column buffer is free once every row finished the column that used it last.
    const broadcastStart = Math.max(broadcastFree, s.release[slot]!);
    broadcastFree = broadcastStart + p.tokensPerPe;
    wavelets += rows * p.tokensPerPe;
    let columnEnd = 0;
    for (let r = 0; r < rows; r++) {
      const n = r < g.countRows ? g.counts[r * g.stride + j * g.colStep]! : 0;
      if (n === 0) continue;
      const received = broadcastStart + p.tokensPerPe + r * p.hopCycles;
      const first = (streamed + 1) * p.ioCyclesPerWeight;
      streamed += n;
      const end = runBlock(s, r, n, received, first, streamed * p.ioCyclesPerWeight, perWeight);
      s.mac[r] = s.mac[r]! + n * p.macCycles;
      s.busy[r] = s.busy[r]! + n * perWeight;
      s.dpFree[r] = end;
      wavelets += n;
      if (end > columnEnd) columnEnd = end;
    }
    s.release[slot] = Math.max(s.release[slot]!, columnEnd);
  }
  let endCycle = 0;
  for (let r = 0; r < rows; r++) endCycle = Math.max(endCycle, s.dpFree[r]!);
  for (let r = 0; r < rows; r++) if (s.fill[r]! < 0) s.fill[r] = 0;
  return summarize(p, s, endCycle, streamed, wavelets);
}
