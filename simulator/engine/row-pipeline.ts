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
 * Hot loops use typed arrays and allocate nothing. The SDDMM kernel is in sddmm-pipeline.ts.
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
  /**
   * GEMM: datapath cycles a PE spends adding a column's arriving partial sums (one wavelet per
   * cycle: tokensPerPe). SDDMM: cycles to store a broadcast output-gradient column (the same).
   */
  readonly addCycles: number;
  /** Cycles for a wavelet to cross one hop of a chain, ramps included. */
  readonly hopCycles: number;
  /** Cycles for a multicast wavelet to move one router on (the hop latency). */
  readonly multicastHopCycles: number;
  /** Cycles between a router and its PE (the ramp latency). */
  readonly rampCycles: number;
  /** PEs along a mesh row holding tokens: the row's multicast and the SDDMM's row sums cross them. */
  readonly rowPes: number;
  /** Depth of a router's or a PE's queue (wavelets): how far a multicast may run ahead of a PE. */
  readonly queueWavelets: number;
  /** Cycles per weight of this group's share of the I/O stream; 0 when operands come from the wafer. */
  readonly ioCyclesPerWeight: number;
  /**
   * Rows each I/O channel feeds: the group's stream is one per block of this many rows (the last
   * block may be short), each with its rows' share of the group's bandwidth, in stream order
   * (column by column, row by row) within the block.
   */
  readonly ioRowsPerChannel: number;
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
  /**
   * SDDMM: when each row started storing each of the last columns of the broadcast (a ring, row
   * by row), and a copy of it by age for the periodic fast path. Grown as a group needs.
   */
  storeStart: Float64Array;
  storeSnap: Float64Array;
  /** Maxima within blocks of rows (SDDMM's sliding windows). */
  prefix: Float64Array;
  /** Per I/O channel: weights streamed so far, at the period's start, and per column (dense). */
  streamed: Float64Array;
  periodStreamed: Float64Array;
  channelWeights: Float64Array;
  channelIo: Float64Array;
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
    storeStart: new Float64Array(0),
    storeSnap: new Float64Array(0),
    prefix: new Float64Array(rows),
    streamed: new Float64Array(rows),
    periodStreamed: new Float64Array(rows),
    channelWeights: new Float64Array(rows),
    channelIo: new Float64Array(rows),
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
export function capture(s: RowScratch, rows: number, releases: number, broadcastFree: number): void {
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
export function shiftOf(
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
export const SHIFT_TOLERANCE = 1e-12;

export function advance(
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

/**
 * The group's I/O channels: their number; `s.channelIo[c]` is the cycles per weight of channel
 * c's stream, which feeds min(per, rows − c · per) rows and has that share of the group's
 * bandwidth.
 */
export function setUpChannels(p: RowKernelParams, s: RowScratch): number {
  const rows = p.rowsPerGroup;
  const per = p.ioRowsPerChannel;
  const count = Math.ceil(rows / per);
  for (let c = 0; c < count; c++)
    s.channelIo[c] = (p.ioCyclesPerWeight * rows) / Math.min(per, rows - c * per);
  return count;
}

/** Weights a dense operand streams per column on each channel (its rows' counts, summed). */
export function channelWeightsPerColumn(g: GroupCounts, rows: number, per: number, out: Float64Array): void {
  out.fill(0);
  for (let r = 0; r < Math.min(rows, g.countRows); r++) out[Math.floor(r / per)]! += g.counts[r * g.stride]!;
}

/** The largest time any channel's stream moved since the period's start. */
export function streamShiftOf(s: RowScratch, channels: number): number {
  let shift = 0;
  for (let c = 0; c < channels; c++)
    shift = Math.max(shift, (s.streamed[c]! - s.periodStreamed[c]!) * s.channelIo[c]!);
  return shift;
}

/** Weights streamed on every channel. */
export function totalStreamed(s: RowScratch, channels: number): number {
  let total = 0;
  for (let c = 0; c < channels; c++) total += s.streamed[c]!;
  return total;
}

export function resetScratch(s: RowScratch): void {
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
 * overhead + `extraPerNonZero`) plus `addCycles` per column for the first `columnRows` rows
 * (GEMM: the add of a column's partial sums; SDDMM: storing a column of the broadcast):
 * integers, so the sum is exact whatever the order.
 */
export function summarize(
  p: RowKernelParams,
  s: RowScratch,
  endCycle: number,
  nonZeros: number,
  wavelets: number,
  columns: number,
  columnRows: number,
  extraPerNonZero: number,
): GroupTiming {
  const rows = p.rowsPerGroup;
  const perWeight = p.macCycles + p.overheadCycles + extraPerNonZero;
  let crit = 0;
  let sumBusy = 0;
  let sumMac = 0;
  for (let r = 0; r < rows; r++) {
    s.busy[r] = s.nonZeros[r]! * perWeight + (r < columnRows ? columns * p.addCycles : 0);
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
  const add = p.addCycles;
  const hop = p.hopCycles;
  const tokens = p.tokensPerPe;
  const per = p.ioRowsPerChannel;
  const channels = setUpChannels(p, s);
  const { streamed, periodStreamed, channelWeights, channelIo } = s;
  let wavelets = 0;
  // Dense operands only: the period is one turn of the accumulators; the I/O stream must not bind.
  const periodic = colStep === 0 && options.fastForward !== false;
  if (periodic) channelWeightsPerColumn(g, rows, per, channelWeights);
  let ioBound = false;
  for (let j = g.colStart; j < g.colEnd; j++) {
    const slot = (j - g.colStart) % A;
    if (periodic && slot === 0) {
      if (j > g.colStart + A) {
        // A whole period since the capture: if every time moved by the same Δ, at least as much
        // as each stream moved, and no stream ever held anything up, skip whole periods.
        const delta = shiftOf(s, rows, rows, true, rows * A, 0);
        const k = Math.floor((g.colEnd - j) / A);
        if (!ioBound && delta >= streamShiftOf(s, channels) && k > 0) {
          advance(s, rows, rows, true, rows * A, delta, k);
          if (options.stats) options.stats.skippedColumns += k * A;
          for (let c = 0; c < channels; c++) streamed[c]! += k * A * channelWeights[c]!;
          wavelets += k * A * rows * tokens;
          j += k * A;
          if (j >= g.colEnd) break;
        }
      }
      capture(s, rows, rows * A, 0);
      periodStreamed.set(streamed.subarray(0, channels));
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
        const channel = (r / per) | 0;
        const io = channelIo[channel]!;
        const first = (streamed[channel]! + 1) * io;
        streamed[channel]! += n;
        const lastDone = streamed[channel]! * io + perWeight;
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
  // The row's easternmost PE receives its weights the multicast's crossing of the row later.
  const rowCrossing = Math.max(0, p.rowPes - 1) * p.multicastHopCycles;
  const total = totalStreamed(s, channels);
  return summarize(p, s, linkFree[0]! + rowCrossing, total, wavelets, g.colEnd - g.colStart, rows, 0);
}
