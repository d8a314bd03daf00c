/**
 * The `row` fidelity's SDDMM kernel (the weight gradient of a sparse linear): one representative
 * PE per row of a group, with the output-gradient column's multicast held back by full queues.
 * It shares its parameters, scratch, dense fast path, I/O channels and attribution with the GEMM
 * kernel (row-pipeline.ts).
 */
import {
  advance,
  capture,
  channelWeightsPerColumn,
  type GroupCounts,
  type GroupTiming,
  type KernelOptions,
  type RowKernelParams,
  type RowScratch,
  resetScratch,
  SHIFT_TOLERANCE,
  setUpChannels,
  shiftOf,
  streamShiftOf,
  summarize,
  totalStreamed,
} from './row-pipeline.ts';

/** Rings of the SDDMM broadcast's times, per column and row (see `simulateSddmmGroup`). */
const LAST_OUT = 0; // the column's last wavelet leaves the row's router
const STORE_START = 1; // the row's PE takes the column's first wavelet
const STORE_END = 2; // the row's PE has stored the column
const RINGS = 3;

/**
 * held[r]: the earliest wavelet x of an SDDMM's broadcast may leave row r's router: once row
 * r + k's PE has taken x − (k + 1) · Q, for every k ≥ 0. Row r' took wavelet y of a column i it
 * has stored at STORE_END(i) − T + (y − iT), and of the column being stored (`current`) at
 * STORE_START + (y − iT); for the k whose wavelet falls in column i that is
 * V(r + k) + (x − iT − T − Q) + r · Q + 1 with V(r') = time(r') − r' · Q: a maximum over a window
 * of rows [r + kLow, r + kHigh], in O(1) per row (van Herk, Gil and Werman: within blocks of
 * rows as wide as the window, the maximum from the window's start to its block's end and from
 * the next block's start to the window's end). Wavelets of columns older than the `m` the rings
 * hold are long taken.
 */
function holdBack(
  x: number,
  current: number,
  T: number,
  Q: number,
  m: number,
  rows: number,
  active: number,
  ring: Float64Array,
  held: Float64Array,
  prefix: Float64Array,
  suffix: Float64Array,
): void {
  held.fill(Number.NEGATIVE_INFINITY, 0, active);
  for (let i = current; i >= 0 && i > current - m; i--) {
    const reach = x - i * T; // x − (k + 1) · Q falls in column i for k in [kLow, kHigh]
    const kLow = Math.max(0, Math.ceil((reach - T + 1) / Q) - 1);
    const kHigh = Math.floor(reach / Q) - 1;
    if (kHigh < kLow || kLow >= active) continue;
    const from = ((i === current ? STORE_START : STORE_END) * m + (i % m)) * rows;
    const base = (i === current ? reach - Q : reach - T - Q) + 1;
    const w = kHigh - kLow + 1;
    for (let start = 0; start < active; start += w) {
      const stop = Math.min(start + w, active);
      let best = Number.NEGATIVE_INFINITY;
      for (let r = start; r < stop; r++) {
        const v = ring[from + r]! - r * Q;
        if (v > best) best = v;
        prefix[r] = best;
      }
      best = Number.NEGATIVE_INFINITY;
      for (let r = stop - 1; r >= start; r--) {
        const v = ring[from + r]! - r * Q;
        if (v > best) best = v;
        suffix[r] = best;
      }
    }
    // Row r's window starts at u = r + kLow: at a block's start it is that block; otherwise it
    // ends in the next block (or at the last row).
    for (let start = 0; start < active; start += w) {
      const stop = Math.min(start + w, active);
      const inNext = start + w < active;
      for (let u = Math.max(start, kLow); u < stop; u++) {
        const v =
          u === start || !inNext
            ? suffix[u]!
            : Math.max(suffix[u]!, prefix[Math.min(u + w - 1, active - 1)]!);
        const r = u - kLow;
        const t = v + base + r * Q;
        if (t > held[r]!) held[r] = t;
      }
    }
  }
}

/**
 * An SDDMM group (backward-weight of a sparse linear) as the `wavelet` program runs it
 * (simulator/wavelet/sddmm.ts), one representative PE per row: the westernmost, which ends with
 * the row's sums.
 *   - The output-gradient column j is multicast down the group: each router passes each wavelet
 *     south and down to its PE at once, one router on per `multicastHopCycles`, a ramp down to
 *     the PE. The PE stores its T values, one wavelet per cycle on its datapath (`addCycles`),
 *     once its earlier columns' dot products are done (they go first).
 *   - A multicast wavelet leaves a router only when its PE's queue and the next router's have
 *     room (`queueWavelets` deep each): wavelet x leaves row r's router once row r's PE has taken
 *     x − Q, row r + 1's has taken x − 2Q, and so on down. A busy row holds back the rows below
 *     it at once, and those above once the queues between are full. The kernel follows each
 *     column's first and last wavelet through every router; between them a PE takes one wavelet
 *     per cycle.
 *   - Then one dot product over the PE's tokens per non-zero of its k-slice, as the non-zero's
 *     index arrives (the group's share of the I/O, in stream order).
 *   - Each dot product is a partial gradient over one mesh column's tokens, summed along the row
 *     east to west: every PE adds its own to the arriving one (one cycle per non-zero). The last
 *     sums reach the westernmost PE `rowPes − 1` PEs after its own work: per PE, the index's hop
 *     east, then the partial's way back (a ramp up, a hop, a ramp down) and its add.
 */
export function simulateSddmmGroup(
  p: RowKernelParams,
  g: GroupCounts,
  s: RowScratch,
  options: KernelOptions = {},
): GroupTiming {
  const rows = p.rowsPerGroup;
  const T = p.tokensPerPe;
  const Q = p.queueWavelets;
  // Columns each ring keeps: the column being stored and those one queue's depth reaches back to.
  // (Wavelet x also waits on row r + k's PE taking x − (k + 1) · Q; when that falls in a column
  // older than these, it was long taken: the cross-check finds no case where it binds.)
  const m = Math.floor(Q / T) + 2;
  if (s.storeStart.length < RINGS * m * rows) {
    s.storeStart = new Float64Array(RINGS * m * rows);
    s.storeSnap = new Float64Array(RINGS * m * rows);
  }
  resetScratch(s);
  const { dpFree, nonZeros, ioWait, redWait, fill, end: held, linkFree: suffix, prefix } = s;
  const { storeStart: ring, storeSnap: snap, release: firstOut } = s;
  const { counts, stride, colStep, countRows } = g;
  const B = p.buffers;
  const sumCycles = p.rowPes > 1 ? 1 : 0;
  const perWeight = p.macCycles + p.overheadCycles + sumCycles;
  const store = p.addCycles;
  const per = p.ioRowsPerChannel;
  const channels = setUpChannels(p, s);
  const { streamed, periodStreamed, channelWeights, channelIo } = s;
  const hop = p.multicastHopCycles;
  const ramp = p.rampCycles;
  // Rows beyond the k-slices hold no part of K: they neither store the columns nor compute.
  const active = Math.min(rows, countRows);
  /** Where a ring's times of a column start (row r at + r). */
  const lane = (kind: number, column: number) => (kind * m + (column % m)) * rows;
  let wavelets = 0;
  let broadcastFree = 0;
  // Dense operands only: a period of B columns (see the GEMM kernel); the rings move with it.
  const periodic = colStep === 0 && options.fastForward !== false;
  let perColumn = 0; // a dense operand's weights per column, on every channel
  if (periodic) {
    channelWeightsPerColumn(g, rows, per, channelWeights);
    for (let c = 0; c < channels; c++) perColumn += channelWeights[c]!;
  }
  let ioBound = false;
  let captured = false;
  /** Copies the rings into `snap` by age (the last column first), for the columns before `next`. */
  const snapRings = (next: number) => {
    for (let kind = 0; kind < RINGS; kind++)
      for (let a = 0; a < m; a++)
        snap.set(
          ring.subarray(lane(kind, next - 1 - a), lane(kind, next - 1 - a) + active),
          (kind * m + a) * rows,
        );
  };
  for (let j = g.colStart; j < g.colEnd; j++) {
    const c = j - g.colStart;
    if (periodic && c % B === 0 && c >= m) {
      if (captured) {
        let delta = shiftOf(s, rows, active, false, 0, broadcastFree);
        for (let kind = 0; kind < RINGS && !Number.isNaN(delta); kind++) {
          for (let a = 0; a < m && !Number.isNaN(delta); a++) {
            const now = lane(kind, c - 1 - a);
            const then = (kind * m + a) * rows;
            for (let r = 0; r < active; r++) {
              const t = ring[now + r]!;
              if (Math.abs(t - snap[then + r]! - delta) > SHIFT_TOLERANCE * Math.max(1, t)) {
                delta = Number.NaN;
                break;
              }
            }
          }
        }
        const k = Math.floor((g.colEnd - j) / B);
        if (!ioBound && delta >= streamShiftOf(s, channels) && k > 0) {
          advance(s, rows, active, false, 0, delta, k);
          snapRings(c);
          for (let kind = 0; kind < RINGS; kind++) {
            for (let a = 0; a < m; a++) {
              const to = lane(kind, c + k * B - 1 - a);
              const from = (kind * m + a) * rows;
              for (let r = 0; r < active; r++) ring[to + r] = snap[from + r]! + k * delta;
            }
          }
          if (options.stats) options.stats.skippedColumns += k * B;
          broadcastFree += k * delta;
          for (let c = 0; c < channels; c++) streamed[c]! += k * B * channelWeights[c]!;
          wavelets += k * B * (active * T + perColumn);
          j += k * B;
          if (j >= g.colEnd) break;
        }
      }
      capture(s, rows, 0, broadcastFree);
      snapRings(j - g.colStart);
      captured = true;
      periodStreamed.set(streamed.subarray(0, channels));
      ioBound = false;
    }
    const col = j - g.colStart;
    const column = j * colStep;
    const x0 = col * T;
    const lastOut = lane(LAST_OUT, col);
    const previousOut = lane(LAST_OUT, col - 1 + m);
    const storeStart = lane(STORE_START, col);
    const storeEnd = lane(STORE_END, col);
    // The column's first wavelet, router by router: it has come from above, the previous
    // column's last has left, and the queues below have room.
    holdBack(x0, col, T, Q, m, rows, active, ring, held, prefix, suffix);
    let out = broadcastFree;
    for (let r = 0; r < active; r++) {
      if (r > 0) out += hop;
      if (col > 0 && ring[previousOut + r]! + 1 > out) out = ring[previousOut + r]! + 1;
      if (held[r]! > out) out = held[r]!;
      firstOut[r] = out;
      ring[storeStart + r] = Math.max(dpFree[r]!, out + ramp);
    }
    // Its last wavelet, the same way; the PEs take the ones between as they come.
    holdBack(x0 + T - 1, col, T, Q, m, rows, active, ring, held, prefix, suffix);
    out = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < active; r++) {
      out = Math.max(out + hop, firstOut[r]! + T - 1, held[r]!);
      ring[lastOut + r] = out;
    }
    broadcastFree = ring[lastOut]! + 1;
    wavelets += active * T;
    for (let r = 0; r < active; r++) {
      const free = dpFree[r]!;
      const started = ring[storeStart + r]!;
      // Stored when its T cycles are done and the last wavelet has come down.
      const stored = Math.max(started + store, ring[lastOut + r]! + ramp + 1);
      ring[storeEnd + r] = stored;
      if (col === 0) {
        fill[r] = started;
        redWait[r]! += stored - started - store;
      } else redWait[r]! += stored - free - store;
      let e = stored;
      const n = counts[r * stride + column]!;
      if (n > 0) {
        const channel = (r / per) | 0;
        const io = channelIo[channel]!;
        const firstIndex = (streamed[channel]! + 1) * io;
        streamed[channel]! += n;
        const lastDone = streamed[channel]! * io + perWeight;
        let start = e;
        if (io > 0 && firstIndex >= start) ioBound = true;
        if (firstIndex > start) {
          ioWait[r]! += firstIndex - start;
          start = firstIndex;
        }
        const computed = start + n * perWeight;
        e = Math.max(computed, lastDone);
        if (e > computed) {
          ioBound = true;
          ioWait[r]! += e - computed;
        }
        nonZeros[r]! += n;
        wavelets += n;
      }
      dpFree[r] = e;
    }
  }
  let last = 0;
  for (let r = 0; r < rows; r++) if (dpFree[r]! > last) last = dpFree[r]!;
  for (let r = 0; r < rows; r++) if (fill[r]! < 0) fill[r] = 0;
  const rowSums = sumCycles * (p.rowPes - 1) * (p.hopCycles + 1);
  const total = totalStreamed(s, channels);
  return summarize(p, s, last + rowSums, total, wavelets, g.colEnd - g.colStart, active, sumCycles);
}
