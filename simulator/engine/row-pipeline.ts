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
 *
 * A dense operand (the LM head, dense weights: the same counts in every column) makes the
 * recurrences periodic after a short transient: once a whole period of columns (one turn of the
 * accumulator or buffer slots) has moved every time of the state by the same Δ, with the I/O
 * stream not binding and not gaining on the datapath, each later period does the same, because the
 * recurrences are sums and maxima (a shift in, the same shift out). The kernels then advance the
 * state by whole periods at once and simulate the remaining columns one by one: the same numbers
 * as iterating every column (exactly for whole-cycle times; to the rounding of doubles when a
 * fractional stream rate entered them), at a fraction of the cost (tested).
 */
import type { CountArray } from '../../models/masks/multi-tiling.ts';

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
  /** Times and accumulators at the start of the current period (dense operands). */
  snapTimes: Float64Array;
  snapAcc: Float64Array;
  dpFree: Float64Array;
  /** Filled in at the end from `nonZeros`: busy = nonZeros · (MAC + overhead) + adds. */
  busy: Float64Array;
  /** Non-zeros each row has multiplied so far. */
  nonZeros: Float64Array;
  ioWait: Float64Array;
  redWait: Float64Array;
  fill: Float64Array;
  end: Float64Array;
  linkFree: Float64Array;
  release: Float64Array;
}

export function createScratch(rows: number, buffers: number): RowScratch {
  return {
    snapTimes: new Float64Array(2 * rows + rows * buffers + 1),
    snapAcc: new Float64Array(3 * rows),
    dpFree: new Float64Array(rows),
    busy: new Float64Array(rows),
    nonZeros: new Float64Array(rows),
    ioWait: new Float64Array(rows),
    redWait: new Float64Array(rows),
    fill: new Float64Array(rows),
    end: new Float64Array(rows),
    linkFree: new Float64Array(rows),
    release: new Float64Array(rows * buffers),
  };
}

/** Whether a period of a dense operand may be extrapolated: the fast path is on unless told. */
export interface KernelOptions {
  readonly fastForward?: boolean;
  /** If given, counts the columns the fast path advanced over (for tests and benchmarks). */
  readonly stats?: { skippedColumns: number };
}

/**
 * The periodic state of a group: the times every column moves (datapath free, accumulator or
 * buffer release, link free, the broadcast's free time) and the additive per-row accumulators.
 * `capture` records them at a period's start; `shiftOf` returns the common shift Δ of the times
 * since then, or NaN if they did not all move by the same amount; `advance` applies k more periods.
 */
function capture(s: RowScratch, rows: number, releases: number, broadcastFree: number): void {
  const { snapTimes: t, snapAcc: a } = s;
  t.set(s.dpFree.subarray(0, rows), 0);
  t.set(s.linkFree.subarray(0, rows), rows);
  t.set(s.release.subarray(0, releases), 2 * rows);
  t[2 * rows + releases] = broadcastFree;
  a.set(s.nonZeros.subarray(0, rows), 0);
  a.set(s.ioWait.subarray(0, rows), rows);
  a.set(s.redWait.subarray(0, rows), 2 * rows);
}

/**
 * `active` rows move every column (the others do nothing, so their times stand still). A GEMM
 * (`links`) moves its reduction links; an SDDMM moves its broadcast instead.
 */
function shiftOf(
  s: RowScratch,
  rows: number,
  active: number,
  links: boolean,
  releases: number,
  broadcastFree: number,
): number {
  const t = s.snapTimes;
  const delta = s.dpFree[0]! - t[0]!;
  // Times with a fractional part (a stream that bound during the transient) round differently as
  // they grow, so "the same shift" allows the rounding of the larger time (a few ulps).
  const same = (now: number, then: number) =>
    Math.abs(now - then - delta) <= SHIFT_TOLERANCE * Math.max(1, now);
  for (let r = 0; r < active; r++) if (!same(s.dpFree[r]!, t[r]!)) return Number.NaN;
  if (links) for (let r = 0; r < rows; r++) if (!same(s.linkFree[r]!, t[rows + r]!)) return Number.NaN;
  for (let i = 0; i < releases; i++) if (!same(s.release[i]!, t[2 * rows + i]!)) return Number.NaN;
  if (!links && !same(broadcastFree, t[2 * rows + releases]!)) return Number.NaN;
  return delta;
}

/** Relative difference under which two shifts count as one (far above double rounding, 2^-52). */
const SHIFT_TOLERANCE = 1e-12;

function advance(
  s: RowScratch,
  rows: number,
  active: number,
  links: boolean,
  releases: number,
  delta: number,
  k: number,
): void {
  const a = s.snapAcc;
  const shift = k * delta;
  for (let r = 0; r < rows; r++) {
    if (r < active) s.dpFree[r]! += shift;
    if (links) s.linkFree[r]! += shift;
    s.nonZeros[r]! += k * (s.nonZeros[r]! - a[r]!);
    s.ioWait[r]! += k * (s.ioWait[r]! - a[rows + r]!);
    s.redWait[r]! += k * (s.redWait[r]! - a[2 * rows + r]!);
  }
  for (let i = 0; i < releases; i++) s.release[i]! += shift;
}

/** Weights a dense operand streams per column: its one count per row, summed. */
function weightsPerColumn(g: GroupCounts, rows: number): number {
  let sum = 0;
  for (let r = 0; r < Math.min(rows, g.countRows); r++) sum += g.counts[r * g.stride]!;
  return sum;
}

/** Leading rows of a dense operand with work in every column (the rest have none). */
function activeRowsOf(g: GroupCounts, rows: number): number {
  let active = 0;
  while (active < Math.min(rows, g.countRows) && g.counts[active * g.stride]! > 0) active++;
  return active;
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
  readonly counts: CountArray;
  readonly stride: number;
  readonly colStep: number;
  readonly countRows: number;
  readonly colStart: number;
  readonly colEnd: number;
}

/**
 * Busy cycles and the timing of the group. Each row's busy time is its non-zeros times (MAC +
 * overhead) plus one add per column it reduced (`addedColumns`, 0 for an SDDMM): integers, so the
 * sum is exact whatever the order.
 */
function summarize(
  p: RowKernelParams,
  s: RowScratch,
  endCycle: number,
  nonZeros: number,
  wavelets: number,
  addedColumns: number,
): GroupTiming {
  const rows = p.rowsPerGroup;
  const perWeight = p.macCycles + p.overheadCycles;
  let crit = 0;
  let sumBusy = 0;
  let sumMac = 0;
  for (let r = 0; r < rows; r++) {
    s.busy[r] = s.nonZeros[r]! * perWeight + addedColumns * p.addCycles;
    sumBusy += s.busy[r]!;
    sumMac += s.nonZeros[r]! * p.macCycles;
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

/** A streamed GEMM group: AXPYs per non-zero, then the partial sums reduced down the group. */
export function simulateGemmGroup(
  p: RowKernelParams,
  g: GroupCounts,
  s: RowScratch,
  options: KernelOptions = {},
): GroupTiming {
  resetScratch(s);
  // Locals for everything the loops touch: this runs once per (row, output column) of the model.
  const { dpFree, nonZeros, ioWait, redWait, fill, end, linkFree, release } = s;
  const { counts, stride, colStep, countRows } = g;
  const rows = p.rowsPerGroup;
  const A = p.buffers;
  const macCycles = p.macCycles;
  const perWeight = macCycles + p.overheadCycles;
  const io = p.ioCyclesPerWeight;
  const add = p.addCycles;
  const hop = p.hopCycles;
  const tokens = p.tokensPerPe;
  let streamed = 0;
  let wavelets = 0;
  // Dense operands only: the period is one turn of the accumulators; the I/O stream must not bind.
  const periodic = colStep === 0 && options.fastForward !== false;
  const perColumn = periodic ? weightsPerColumn(g, rows) : 0;
  let ioBound = false;
  let periodStreamed = 0;
  for (let j = g.colStart; j < g.colEnd; j++) {
    const slot = (j - g.colStart) % A;
    if (periodic && slot === 0) {
      if (j > g.colStart + A) {
        // A whole period since the capture: if every time moved by the same Δ, at least as much
        // as the stream moved, and the stream never held anything up, skip whole periods.
        const delta = shiftOf(s, rows, rows, true, rows * A, 0);
        const streamShift = (streamed - periodStreamed) * io;
        const k = Math.floor((g.colEnd - j) / A);
        if (!ioBound && delta >= streamShift && k > 0) {
          advance(s, rows, rows, true, rows * A, delta, k);
          if (options.stats) options.stats.skippedColumns += k * A;
          streamed += k * A * perColumn;
          wavelets += k * A * rows * tokens;
          j += k * A;
          if (j >= g.colEnd) break;
        }
      }
      capture(s, rows, rows * A, 0);
      periodStreamed = streamed;
      ioBound = false;
    }
    const column = j * colStep;
    // Each row's fill (the start of its first block) is set in the first column, so only there.
    const firstColumn = j === g.colStart;
    for (let r = 0; r < rows; r++) {
      const n = r < countRows ? counts[r * stride + column]! : 0;
      const free = dpFree[r]!;
      let e = free; // nothing to multiply: no accumulator needed, the PE only passes the sum on
      if (n > 0) {
        // The block starts when the datapath is free, an accumulator is free and the first weight
        // is in; it ends after its AXPYs, or one AXPY after its last weight arrives.
        const ready = release[r * A + slot]!;
        const first = (streamed + 1) * io;
        streamed += n;
        const lastDone = streamed * io + perWeight;
        let start = Math.max(free, ready);
        // The stream binds, or ties (a tie decides how a wait is attributed): no fast-forward.
        if (io > 0 && first >= start) ioBound = true;
        if (first > start) start = first;
        const computed = start + n * perWeight;
        e = Math.max(computed, lastDone);
        if (firstColumn) fill[r] = start;
        else if (start > free) {
          if (first >= ready) ioWait[r]! += start - free;
          else redWait[r]! += start - free;
        }
        // Waiting inside the block for weights on their way.
        if (e > computed) {
          ioBound = true;
          ioWait[r]! += e - computed;
        }
        nonZeros[r]! += n;
      } else if (firstColumn) fill[r] = e;
      end[r] = e;
      dpFree[r] = e + add;
    }
    // The chain: the farthest row starts, each row adds its partial and passes the sum on.
    let upStart = Number.NEGATIVE_INFINITY;
    let upEnd = Number.NEGATIVE_INFINITY;
    for (let r = rows - 1; r >= 0; r--) {
      let start = end[r]!;
      if (upStart + hop > start) start = upStart + hop;
      if (linkFree[r]! > start) start = linkFree[r]!;
      let sent = start + tokens;
      if (upEnd + hop > sent) sent = upEnd + hop;
      linkFree[r] = sent;
      release[r * A + slot] = sent;
      upStart = start;
      upEnd = sent;
    }
    wavelets += rows * tokens;
  }
  return summarize(p, s, linkFree[0]!, streamed, wavelets, g.colEnd - g.colStart);
}

/**
 * An SDDMM group (backward-weight of a sparse linear): the output-gradient column is broadcast
 * down the group, then each row does one dot product over its tokens per non-zero of its k-slice.
 * Each gradient is then summed along the row across the mesh columns (pipelined, one wavelet per
 * non-zero) and streamed out; the I/O rate covers the indices in and the values out.
 */
export function simulateSddmmGroup(
  p: RowKernelParams,
  g: GroupCounts,
  s: RowScratch,
  options: KernelOptions = {},
): GroupTiming {
  resetScratch(s);
  const { dpFree, nonZeros, ioWait, redWait, fill, release } = s;
  const { counts, stride, colStep, countRows } = g;
  const rows = p.rowsPerGroup;
  const B = p.buffers;
  const macCycles = p.macCycles;
  const perWeight = macCycles + p.overheadCycles;
  const io = p.ioCyclesPerWeight;
  const hop = p.hopCycles;
  const tokens = p.tokensPerPe;
  let streamed = 0;
  let wavelets = 0;
  let broadcastFree = 0;
  // Dense operands only: the period is one turn of the column buffers (see the GEMM kernel).
  const periodic = colStep === 0 && options.fastForward !== false;
  const active = periodic ? activeRowsOf(g, rows) : 0;
  const perColumn = periodic ? weightsPerColumn(g, rows) : 0;
  let ioBound = false;
  let periodStreamed = 0;
  for (let j = g.colStart; j < g.colEnd; j++) {
    const slot = (j - g.colStart) % B;
    if (periodic && slot === 0) {
      if (j > g.colStart + B) {
        const delta = shiftOf(s, rows, active, false, B, broadcastFree);
        const streamShift = (streamed - periodStreamed) * io;
        const k = Math.floor((g.colEnd - j) / B);
        if (!ioBound && delta >= streamShift && k > 0) {
          advance(s, rows, active, false, B, delta, k);
          if (options.stats) options.stats.skippedColumns += k * B;
          broadcastFree += k * delta;
          streamed += k * B * perColumn;
          wavelets += k * B * (rows * tokens + perColumn);
          j += k * B;
          if (j >= g.colEnd) break;
        }
      }
      capture(s, rows, B, broadcastFree);
      periodStreamed = streamed;
      ioBound = false;
    }
    const column = j * colStep;
    // The column buffer is free once every row finished the column that used it last.
    const broadcastStart = Math.max(broadcastFree, release[slot]!);
    broadcastFree = broadcastStart + tokens;
    wavelets += rows * tokens;
    let columnEnd = 0;
    for (let r = 0; r < rows; r++) {
      const n = r < countRows ? counts[r * stride + column]! : 0;
      if (n === 0) continue;
      const free = dpFree[r]!;
      const received = broadcastStart + tokens + r * hop;
      const first = (streamed + 1) * io;
      streamed += n;
      const lastDone = streamed * io + perWeight;
      let start = Math.max(free, received);
      if (io > 0 && first >= start) ioBound = true;
      if (first > start) start = first;
      const work = n * perWeight;
      const computed = start + work;
      const e = Math.max(computed, lastDone);
      if (e > computed) ioBound = true;
      if (fill[r]! < 0) fill[r] = start;
      else if (start > free) {
        if (first >= received) ioWait[r]! += start - free;
        else redWait[r]! += start - free;
      }
      if (e > computed) ioWait[r]! += e - computed;
      nonZeros[r]! += n;
      dpFree[r] = e;
      wavelets += n;
      if (e > columnEnd) columnEnd = e;
    }
    if (columnEnd > release[slot]!) release[slot] = columnEnd;
  }
  let endCycle = 0;
  for (let r = 0; r < rows; r++) if (dpFree[r]! > endCycle) endCycle = dpFree[r]!;
  for (let r = 0; r < rows; r++) if (fill[r]! < 0) fill[r] = 0;
  return summarize(p, s, endCycle, streamed, wavelets, 0);
}
